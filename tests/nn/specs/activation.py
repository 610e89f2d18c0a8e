"""Specs of the activation layers (see ``_spec.py``)."""

import numpy as np

from ._spec import Spec, floats


def _wide(*shapes):
    """Standard normal scaled by 4, so inputs reach every branch (|x| > 3 for the hard* family)."""
    return lambda rng: tuple((4 * rng.standard_normal(s)).astype(np.float32) for s in shapes)


X = floats((2, 3))
# Specs with inplace=True have grad_inputs=(): torch refuses an in-place op on a leaf that requires grad.
X4 = floats((2, 4, 3, 3))

SPECS = [
    Spec("Threshold", (0.1, 20.0)),
    Spec("Threshold", (-0.5, 2.0), {"inplace": True}, inputs=floats((3, 4, 5)), grad_inputs=()),
    Spec("ReLU"),
    Spec("ReLU", kwargs={"inplace": True}, inputs=floats((2, 3, 4)), grad_inputs=()),
    Spec("ReLU6", inputs=_wide((3, 5))),
    Spec("ReLU6", kwargs={"inplace": True}, inputs=_wide((3, 5)), grad_inputs=()),
    Spec("LeakyReLU"),
    Spec("LeakyReLU", (0.2, True), inputs=floats((2, 3, 4)), grad_inputs=()),
    Spec("PReLU"),
    Spec("PReLU", (4,), inputs=X4),
    Spec("PReLU", (3,), {"init": 0.1}, inputs=floats((5, 3))),
    Spec("ELU"),
    Spec("ELU", (0.5,), {"inplace": True}, inputs=_wide((4, 3)), grad_inputs=()),
    Spec("SELU", inputs=_wide((4, 3))),
    Spec("SELU", (True,), grad_inputs=()),
    Spec("CELU"),
    Spec("CELU", (2.0,), inputs=_wide((4, 3))),
    Spec("GELU"),
    Spec("GELU", kwargs={"approximate": "tanh"}, inputs=_wide((4, 3))),
    Spec("SiLU"),
    Spec("SiLU", (True,), inputs=_wide((4, 3)), grad_inputs=()),
    Spec("Mish", inputs=_wide((4, 3))),
    Spec("Mish", (True,), grad_inputs=()),
    Spec("Hardswish", inputs=_wide((4, 5))),
    Spec("Hardswish", (True,), grad_inputs=()),
    Spec("Hardsigmoid", inputs=_wide((4, 5))),
    Spec("Hardsigmoid", (True,), grad_inputs=()),
    Spec("Hardtanh"),
    Spec("Hardtanh", (-2.0, 3.0), {"inplace": True}, inputs=_wide((4, 5)), grad_inputs=()),
    Spec("Hardtanh", (-2, 2)),
    Spec("Softplus"),
    Spec("Softplus", (2.0, 5.0), inputs=_wide((4, 5))),
    Spec("Softsign"),
    Spec("Tanh"),
    Spec("Sigmoid"),
    Spec("LogSigmoid", inputs=_wide((4, 5))),
    Spec("Softmax", kwargs={"dim": 1}),
    Spec("Softmax", kwargs={"dim": -1}, inputs=floats((2, 3, 4))),
    Spec("Softmax", kwargs={"dim": 0}, inputs=floats((5,))),
    Spec("LogSoftmax", kwargs={"dim": 1}),
    Spec("LogSoftmax", kwargs={"dim": 2}, inputs=floats((2, 3, 4))),
    Spec("Softmin", kwargs={"dim": 1}),
    Spec("Softmin", kwargs={"dim": 0}, inputs=floats((4, 2))),
    Spec("Softmax2d", inputs=X4),
    Spec("GLU", inputs=floats((2, 4))),
    Spec("GLU", (1,), inputs=X4),
    Spec("Tanhshrink"),
    Spec("Softshrink"),
    Spec("Softshrink", (1.0,), inputs=_wide((4, 5))),
    Spec("Hardshrink"),
    Spec("Hardshrink", (0.3,), inputs=_wide((4, 5))),
]
