"""Specs of the loss layers (see ``_spec.py``): inputs are ``(input, target)``; only input 0 is
differentiated. Class-index targets are integer arrays; class weights are set up as buffers on
both modules (constructor arguments are plain values)."""

import numpy as np

from ._spec import Spec


def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def regression(shape):
    return lambda rng: (rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape).astype(np.float32))


def wide_regression(shape):
    """Differences spread over (-4, 4) so both branches of smooth L1 / Huber are hit."""
    return lambda rng: ((2 * rng.standard_normal(shape)).astype(np.float32),
                        (2 * rng.standard_normal(shape)).astype(np.float32))


def classes(shape, n_classes, ignore=None):
    """Logits of ``shape`` (class dim 1, or 0 for 1-d) and integer targets; ``ignore`` marks a few targets."""
    def make(rng):
        x = rng.standard_normal(shape).astype(np.float32)
        tshape = () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])
        t = rng.integers(0, n_classes, size=tshape).astype(np.int64)
        if ignore is not None and t.ndim:
            flat = t.reshape(-1)
            flat[::3] = ignore
        return x, t
    return make


def log_probs(shape, n_classes, ignore=None):
    base = classes(shape, n_classes, ignore)

    def make(rng):
        x, t = base(rng)
        axis = 0 if x.ndim == 1 else 1
        z = x - x.max(axis=axis, keepdims=True)
        return (z - np.log(np.exp(z).sum(axis=axis, keepdims=True))).astype(np.float32), t
    return make


def probabilities(shape):
    def make(rng):
        axis = 0 if len(shape) == 1 else 1
        return (rng.standard_normal(shape).astype(np.float32),
                _softmax(rng.standard_normal(shape), axis).astype(np.float32))
    return make


def bce(shape):
    return lambda rng: ((1 / (1 + np.exp(-rng.standard_normal(shape)))).astype(np.float32),
                        rng.uniform(0, 1, shape).astype(np.float32))


def kl(shape, log_target=False):
    def make(rng):
        x = np.log(_softmax(rng.standard_normal(shape), -1)).astype(np.float32)
        t = _softmax(rng.standard_normal(shape), -1)
        return x, (np.log(t) if log_target else t).astype(np.float32)
    return make


def buffers(**arrays):
    """A ``setup`` registering the same buffers (e.g. a class ``weight``) on the torch and tp modules."""
    def setup(t_mod, m_mod):
        import jax.numpy as jnp
        import torch
        for name, value in arrays.items():
            value = np.asarray(value, np.float32)
            t_mod.register_buffer(name, torch.from_numpy(value))
            m_mod.register_buffer(name, jnp.asarray(value))
    return setup


W5 = [0.5, 1.0, 2.0, 0.25, 1.5]

SPECS = [
    Spec("L1Loss", inputs=regression((3, 4))),
    Spec("L1Loss", kwargs={"reduction": "sum"}, inputs=regression((2, 3, 4))),
    Spec("L1Loss", kwargs={"reduction": "none"}, inputs=regression((5,))),
    Spec("MSELoss", inputs=regression((3, 4))),
    Spec("MSELoss", kwargs={"reduction": "none"}, inputs=regression((2, 3))),
    Spec("MSELoss", kwargs={"size_average": False}, inputs=regression((4,))),
    Spec("SmoothL1Loss", inputs=wide_regression((4, 5))),
    Spec("SmoothL1Loss", kwargs={"beta": 0.5, "reduction": "sum"}, inputs=wide_regression((4, 5))),
    Spec("SmoothL1Loss", kwargs={"beta": 0.0}, inputs=wide_regression((6,))),
    Spec("HuberLoss", inputs=wide_regression((4, 5))),
    Spec("HuberLoss", kwargs={"delta": 2.5, "reduction": "none"}, inputs=wide_regression((3, 5))),
    Spec("CrossEntropyLoss", inputs=classes((4, 5), 5)),
    Spec("CrossEntropyLoss", kwargs={"reduction": "sum"}, inputs=classes((2, 5, 3, 4), 5)),
    Spec("CrossEntropyLoss", kwargs={"reduction": "none", "ignore_index": 2}, inputs=classes((6, 5), 5, ignore=2)),
    Spec("CrossEntropyLoss", kwargs={"label_smoothing": 0.2}, inputs=classes((6, 5), 5, ignore=-100)),
    Spec("CrossEntropyLoss", kwargs={"label_smoothing": 0.1}, inputs=classes((2, 5, 3), 5),
         setup=buffers(weight=W5), id="CrossEntropyLoss(weight=W5, label_smoothing=0.1)"),
    Spec("CrossEntropyLoss", inputs=classes((6, 5), 5, ignore=-100), setup=buffers(weight=W5),
         id="CrossEntropyLoss(weight=W5) ignore"),
    Spec("CrossEntropyLoss", inputs=classes((5,), 5), id="CrossEntropyLoss() unbatched"),
    Spec("CrossEntropyLoss", inputs=probabilities((4, 5)), id="CrossEntropyLoss() probabilities"),
    Spec("CrossEntropyLoss", kwargs={"label_smoothing": 0.3, "reduction": "none"}, inputs=probabilities((2, 5, 3))),
    Spec("CrossEntropyLoss", kwargs={"label_smoothing": 0.05}, inputs=probabilities((3, 5)),
         setup=buffers(weight=W5), id="CrossEntropyLoss(weight=W5, label_smoothing=0.05) probabilities"),
    Spec("NLLLoss", inputs=log_probs((4, 5), 5)),
    Spec("NLLLoss", kwargs={"reduction": "none"}, inputs=log_probs((2, 5, 3, 2), 5, ignore=-100)),
    Spec("NLLLoss", kwargs={"ignore_index": 1, "reduction": "sum"}, inputs=log_probs((6, 5), 5, ignore=1)),
    Spec("NLLLoss", inputs=log_probs((2, 5, 4), 5, ignore=-100), setup=buffers(weight=W5),
         id="NLLLoss(weight=W5)"),
    Spec("BCELoss", inputs=bce((3, 4))),
    Spec("BCELoss", kwargs={"reduction": "none"}, inputs=bce((5,))),
    Spec("BCELoss", inputs=bce((3, 4)), setup=buffers(weight=[1.0, 2.0, 0.5, 0.0]), id="BCELoss(weight=(4,))"),
    Spec("BCEWithLogitsLoss", inputs=regression((3, 4))),
    Spec("BCEWithLogitsLoss", kwargs={"reduction": "sum"}, inputs=bce((3, 4)),
         setup=buffers(pos_weight=[1.0, 2.0, 3.0, 0.5]), id="BCEWithLogitsLoss(pos_weight=(4,))"),
    Spec("BCEWithLogitsLoss", inputs=bce((2, 3)), setup=buffers(weight=[[2.0], [0.5]], pos_weight=[3.0, 1.0, 2.0]),
         id="BCEWithLogitsLoss(weight=(2, 1), pos_weight=(3,))"),
    Spec("KLDivLoss", kwargs={"reduction": "batchmean"}, inputs=kl((4, 5))),
    Spec("KLDivLoss", kwargs={"reduction": "sum", "log_target": True}, inputs=kl((3, 5), log_target=True)),
    Spec("KLDivLoss", kwargs={"reduction": "none"}, inputs=kl((2, 3))),
]
