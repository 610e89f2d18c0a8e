"""Loss modules: torch.nn's regression, classification and divergence losses.

Each is a thin module over its functional (``functional/_loss.py``). ``_Loss`` maps the legacy
``size_average``/``reduce`` arguments as torch does (with torch's warning); ``_WeightedLoss``
registers ``weight`` as a buffer, so a class weight appears in ``state_dict`` as in torch. Like
torch, an invalid ``reduction`` is accepted by the constructor and raises at the forward.
"""

from __future__ import annotations

from typing import Any

import jax

from . import functional as F
from ._module import Module
from .functional._loss import _legacy_get_string

__all__ = ['L1Loss', 'MSELoss', 'SmoothL1Loss', 'HuberLoss', 'NLLLoss', 'CrossEntropyLoss', 'BCELoss',
           'BCEWithLogitsLoss', 'KLDivLoss']


class _Loss(Module):
    """Shared base: ``reduction`` from the legacy arguments when either is given (torch's ``_Loss``)."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = _legacy_get_string(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    """Shared base of the losses with a class ``weight``, registered as a buffer (``None`` if absent)."""

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    r"""Mean absolute error: ``l_n = |x_n - y_n|``, then ``reduction`` (``'mean'``, ``'sum'`` or ``'none'``).

    Args:
        size_average, reduce: deprecated; mapped to ``reduction`` as in torch. reduction: default ``'mean'``.

    Shape: input ``(*)``, target ``(*)`` (same shape), output scalar, or ``(*)`` for ``'none'``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.L1Loss()(jnp.array([1.0, -1.0]), jnp.zeros(2)).tolist()
    1.0
    """

    __constants__ = ["reduction"]

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    r"""Mean squared error: ``l_n = (x_n - y_n)^2``, then ``reduction``.

    Args:
        size_average, reduce: deprecated; mapped to ``reduction`` as in torch. reduction: default ``'mean'``.

    Shape: input ``(*)``, target ``(*)``, output scalar, or ``(*)`` for ``'none'``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.MSELoss(reduction='sum')(jnp.array([1.0, 2.0]), jnp.zeros(2)).tolist()
    5.0
    """

    __constants__ = ["reduction"]

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    r"""``l_n = 0.5 (x_n - y_n)^2 / beta`` if ``|x_n - y_n| < beta`` else ``|x_n - y_n| - 0.5 beta``.

    Args:
        size_average, reduce: deprecated. reduction: default ``'mean'``. beta: default 1.0 (``>= 0``).

    Shape: input ``(*)``, target ``(*)``, output scalar, or ``(*)`` for ``'none'``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.SmoothL1Loss(beta=0.5)(jnp.array([0.25, 2.0]), jnp.zeros(2)).shape
    ()
    """

    __constants__ = ["reduction"]

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    r"""``l_n = 0.5 (x_n - y_n)^2`` if ``|x_n - y_n| < delta`` else ``delta (|x_n - y_n| - 0.5 delta)``.

    Args:
        reduction: default ``'mean'``. delta: default 1.0; must be a float or int (torch's TypeError).

    Shape: input ``(*)``, target ``(*)``, output scalar, or ``(*)`` for ``'none'``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.HuberLoss(delta=2.0)(jnp.array([3.0]), jnp.zeros(1)).tolist()
    4.0
    """

    __constants__ = ["reduction", "delta"]

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        if not isinstance(delta, (float, int)):
            raise TypeError(f"delta must be a float or int, got: {type(delta)}")
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    r"""Negative log likelihood: ``l_n = -w_{y_n} x_{n, y_n}`` (0 where ``y_n == ignore_index``); ``'mean'``
    divides by the summed weights of the non-ignored targets.

    Args:
        weight: per-class weights ``(C,)`` (a registered buffer). size_average, reduce: deprecated.
        ignore_index: default -100. reduction: default ``'mean'``.

    Shape: input ``(N, C)``, ``(C)`` or ``(N, C, d_1, ...)`` log-probabilities; target ``(N)``, ``()`` or
    ``(N, d_1, ...)`` integer class indices; output scalar, or the target's shape for ``'none'``.

    Attributes:
        weight: (C,) buffer, the ``weight`` argument as given; None by default.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.NLLLoss(weight=jnp.array([1.0, 2.0]))
    >>> list(m.state_dict()), m(jnp.log(jnp.full((3, 2), 0.5)), jnp.array([0, 1, 1])).shape
    (['weight'], ())

    Note: any integer target dtype is accepted; out-of-range class indices give NaN (torch raises).
    """

    __constants__ = ["ignore_index", "reduction"]

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    r"""Cross entropy of logits: ``log_softmax`` then NLL for class indices, or ``-sum_c w_c y_c log p_c``
    for class probabilities (a floating target of the input's shape); optional label smoothing.

    Args:
        weight: per-class weights ``(C,)`` (a registered buffer). size_average, reduce: deprecated.
        ignore_index: default -100 (class-index targets only). reduction: default ``'mean'``.
        label_smoothing: in ``[0, 1]``; mixes the target with the uniform distribution.

    Shape: input ``(N, C)``, ``(C)`` or ``(N, C, d_1, ...)``; target class indices ``(N)``, ``()`` or
    ``(N, d_1, ...)``, or probabilities of the input's shape; output scalar, or per-sample for ``'none'``.

    Attributes:
        weight: (C,) buffer, the ``weight`` argument as given; None by default.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.CrossEntropyLoss(label_smoothing=0.1)
    >>> m, m(jnp.zeros((2, 4)), jnp.array([1, 3])).dtype
    (CrossEntropyLoss(), dtype('float32'))

    Note: any integer target dtype is accepted; out-of-range class indices give NaN (torch raises).
    """

    __constants__ = ["ignore_index", "reduction", "label_smoothing"]

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    r"""Binary cross entropy on probabilities: ``l_n = -w_n [y_n log x_n + (1 - y_n) log(1 - x_n)]``, logs
    clamped to ``>= -100``.

    Args:
        weight: rescaling weight broadcast to the target (a registered buffer). size_average, reduce:
        deprecated. reduction: default ``'mean'``.

    Shape: input ``(*)``, target ``(*)`` (same shape), output scalar, or ``(*)`` for ``'none'``.

    Attributes:
        weight: buffer broadcastable to the target, the ``weight`` argument as given; None by default.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> round(float(tp.nn.BCELoss()(jnp.array([0.5]), jnp.array([1.0]))), 4)
    0.6931

    Note: inputs outside ``[0, 1]`` give NaN (torch raises; the check depends on values).
    """

    __constants__ = ["reduction"]

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Sigmoid + binary cross entropy in one stable expression:
    ``l_n = -w_n [p_n y_n log sigmoid(x_n) + (1 - y_n) log(1 - sigmoid(x_n))]``.

    Args:
        weight: rescaling weight (a registered buffer). size_average, reduce: deprecated.
        reduction: default ``'mean'``. pos_weight: weight of positive examples, broadcast against the
        target (a registered buffer).

    Shape: input ``(*)``, target ``(*)`` (same shape), output scalar, or ``(*)`` for ``'none'``.

    Attributes:
        weight: buffer broadcastable to the target, the ``weight`` argument as given; None by default.
        pos_weight: buffer broadcastable to the target (e.g. (C,) for ``(N, C)``), as given; None by default.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.BCEWithLogitsLoss(pos_weight=jnp.ones(3))
    >>> list(m.state_dict()), m(jnp.zeros((2, 3)), jnp.ones((2, 3))).shape
    (['pos_weight'], ())
    """

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 pos_weight: Any = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    r"""Kullback-Leibler divergence ``l = y (log y - x)`` with ``x`` log-probabilities (``exp(y) (y - x)`` when
    ``log_target``); ``'batchmean'`` divides the sum by the batch size, ``'mean'`` (every element) warns.

    Args:
        size_average, reduce: deprecated. reduction: ``'mean'`` (default), ``'batchmean'``, ``'sum'``, ``'none'``.
        log_target: whether the target is given as log-probabilities (default False).

    Shape: input ``(*)``, target ``(*)``, output scalar, or ``(*)`` for ``'none'``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.KLDivLoss(reduction='batchmean', log_target=True)(jnp.zeros((2, 3)), jnp.zeros((2, 3))).tolist()
    0.0
    """

    __constants__ = ["reduction"]

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Any, target: Any) -> jax.Array:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
