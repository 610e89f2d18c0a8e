"""Specs of the dropout layers: train-mode values are random (``random_in_train``), eval is the identity."""

from ._spec import Spec, floats

SPECS = [
    Spec("Dropout", inputs=floats((4, 5)), random_in_train=True),
    Spec("Dropout", (0.2,), inputs=floats((2, 3, 4)), random_in_train=True),
    Spec("Dropout", (0.0,), inputs=floats((3, 4)), random_in_train=True),
    Spec("Dropout", (1.0,), inputs=floats((3, 4)), random_in_train=True),
    Spec("Dropout1d", (0.3,), inputs=floats((2, 3, 5)), random_in_train=True),
    Spec("Dropout1d", inputs=floats((3, 5)), random_in_train=True, id="Dropout1d()-CL"),
    Spec("Dropout2d", (0.25,), inputs=floats((2, 3, 4, 4)), random_in_train=True),
    Spec("Dropout3d", (0.5,), inputs=floats((2, 3, 2, 2, 2)), random_in_train=True),
    Spec("Dropout3d", (0.5,), inputs=floats((3, 2, 2, 2)), random_in_train=True, id="Dropout3d(0.5)-CDHW"),
    Spec("AlphaDropout", (0.2,), inputs=floats((4, 5)), random_in_train=True),
    Spec("FeatureAlphaDropout", (0.2,), inputs=floats((2, 3, 4)), random_in_train=True),
]
