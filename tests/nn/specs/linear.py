"""Specs of the linear family: Identity, Linear, Bilinear, Flatten, Unflatten (see ``_spec.py``)."""

from ._spec import Spec, floats

SPECS = [
    Spec("Identity"),
    Spec("Identity", (54,), {"unused_argument1": 0.1}, inputs=floats((3, 4, 5))),
    Spec("Linear", (3, 4)),
    Spec("Linear", (3, 5), {"bias": False}, inputs=floats((4, 2, 3))),
    Spec("Linear", (6, 2), inputs=floats((6,))),
    Spec("Linear", (8, 16), inputs=floats((2, 3, 4, 8))),
    Spec("Bilinear", (2, 3, 4), inputs=floats((5, 2), (5, 3)), grad_inputs=(0, 1)),
    Spec("Bilinear", (3, 3, 2), {"bias": False}, inputs=floats((2, 4, 3), (2, 4, 3)), grad_inputs=(0, 1)),
    Spec("Bilinear", (4, 2, 3), inputs=floats((4,), (2,)), grad_inputs=(0, 1)),
    Spec("Flatten", inputs=floats((2, 3, 4, 5))),
    Spec("Flatten", (0, 1), inputs=floats((2, 3, 4))),
    Spec("Flatten", (-3, -2), inputs=floats((2, 3, 4, 5))),
    Spec("Flatten", (0, -1), inputs=floats((3,))),
    Spec("Unflatten", (1, (2, 3)), inputs=floats((4, 6))),
    Spec("Unflatten", (-1, [2, -1, 2]), inputs=floats((3, 2, 12))),
    Spec("Unflatten", (0, (1, 3)), inputs=floats((3,))),
]
