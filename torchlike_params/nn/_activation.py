"""Activation modules: torch.nn's activations, with torch's constructors, checks and reprs.

None draws randomness; only ``PReLU`` has a parameter. Every ``inplace=`` argument is accepted,
kept for the repr and ignored: JAX arrays are immutable, so a forward always returns a new array.
The math lives in ``nn.functional`` (``functional/_activation.py``).
"""

from __future__ import annotations

import warnings
from typing import Any

import jax

from .. import init
from .._factories import empty
from .._parameter import Parameter
from . import functional as F
from ._module import Module

__all__ = ['Threshold', 'ReLU', 'ReLU6', 'LeakyReLU', 'PReLU', 'ELU', 'SELU', 'CELU', 'GELU', 'SiLU', 'Mish',
           'Hardswish', 'Hardsigmoid', 'Hardtanh', 'Softplus', 'Softsign', 'Tanh', 'Sigmoid', 'LogSigmoid',
           'Softmax', 'LogSoftmax', 'Softmin', 'Softmax2d', 'GLU', 'Tanhshrink', 'Softshrink', 'Hardshrink']


def _inplace(inplace: bool, lead: str = "") -> str:
    """torch's repr fragment for ``inplace``: nothing, or ``inplace=True`` after ``lead``'s fields."""
    if not inplace:
        return lead
    return f"{lead}, inplace=True" if lead else "inplace=True"


class _Inplace(Module):
    """Shared base of the activations whose only argument is ``inplace`` (a documented no-op)."""

    __constants__ = ["inplace"]

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return _inplace(self.inplace)


class Threshold(Module):
    r"""``y = x if x > threshold else value``.

    Args:
        threshold: the value to threshold at. value: the value to replace with.
        inplace: accepted and ignored (JAX arrays are immutable).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.Threshold(0.1, 20.0)
    >>> m, m(jnp.array([0.0, 1.0])).tolist()
    (Threshold(threshold=0.1, value=20.0), [20.0, 1.0])

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    __constants__ = ["threshold", "value", "inplace"]

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Any) -> jax.Array:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, f"threshold={self.threshold}, value={self.value}")


class ReLU(_Inplace):
    r"""``y = max(x, 0)``.

    Args:
        inplace: accepted and kept for the repr; ignored (JAX arrays are immutable).

    Shape: input ``(*)``, output ``(*)``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.ReLU()(jnp.array([-1.0, 1.0])).tolist(), tp.nn.ReLU(inplace=True)
    ([0.0, 1.0], ReLU(inplace=True))

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    def forward(self, input: Any) -> jax.Array:
        return F.relu(input)


class Hardtanh(Module):
    r"""``y = clamp(x, min_val, max_val)``.

    Args:
        min_val: lower bound (default -1). max_val: upper bound (default 1), must exceed ``min_val``.
        inplace: accepted and ignored. min_value / max_value: torch's deprecated spellings (FutureWarning).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.Hardtanh(-2.0, 2.0)
    >>> m, m(jnp.array([-3.0, 3.0])).dtype
    (Hardtanh(min_val=-2.0, max_val=2.0), dtype('float32'))

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    __constants__ = ["min_val", "max_val", "inplace"]

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`", FutureWarning,
                          stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`", FutureWarning,
                          stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})")

    def forward(self, input: Any) -> jax.Array:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, f"min_val={self.min_val}, max_val={self.max_val}")


class ReLU6(Hardtanh):
    r"""``y = min(max(x, 0), 6)`` (a ``Hardtanh(0, 6)``, as in torch).

    Args:
        inplace: accepted and ignored (JAX arrays are immutable).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.ReLU6()(jnp.array([-1.0, 8.0])).tolist(), tp.nn.ReLU6(True)
    ([0.0, 6.0], ReLU6(inplace=True))

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace)


class Sigmoid(Module):
    r"""``y = 1 / (1 + exp(-x))``.

    Shape: input ``(*)``, output ``(*)``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Sigmoid()(jnp.zeros(1)).tolist()
    [0.5]
    """

    def forward(self, input: Any) -> jax.Array:
        return F.sigmoid(input)


class Hardsigmoid(_Inplace):
    r"""``y = 0 if x <= -3, 1 if x >= 3, x / 6 + 1/2 otherwise``.

    Args:
        inplace: accepted and ignored (JAX arrays are immutable).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Hardsigmoid()(jnp.array([-4.0, 0.0, 4.0])).tolist()
    [0.0, 0.5, 1.0]

    Note: ``inplace=True`` returns a new array. torch's repr never shows ``inplace`` here.
    """

    def forward(self, input: Any) -> jax.Array:
        return F.hardsigmoid(input, self.inplace)

    def extra_repr(self) -> str:
        return ""


class Tanh(Module):
    r"""``y = tanh(x)``.

    Shape: input ``(*)``, output ``(*)``.

    >>> import jax.numpy as jnp, torchlike_params as tp
    >>> tp.nn.Tanh()(jnp.zeros(2)).tolist()
    [0.0, 0.0]
    """

    def forward(self, input: Any) -> jax.Array:
        return F.tanh(input)


class SiLU(_Inplace):
    r"""``y = x * sigmoid(x)`` (swish).

    Args:
        inplace: accepted and ignored (JAX arrays are immutable).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.SiLU()(jnp.zeros(2)).tolist(), tp.nn.SiLU(inplace=True)
    ([0.0, 0.0], SiLU(inplace=True))

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    def forward(self, input: Any) -> jax.Array:
        return F.silu(input, self.inplace)


class Mish(_Inplace):
    r"""``y = x * tanh(softplus(x))``.

    Args:
        inplace: accepted and ignored (JAX arrays are immutable).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Mish()(jnp.zeros(2)).tolist()
    [0.0, 0.0]

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    def forward(self, input: Any) -> jax.Array:
        return F.mish(input, self.inplace)


class Hardswish(_Inplace):
    r"""``y = 0 if x <= -3, x if x >= 3, x (x + 3) / 6 otherwise``.

    Args:
        inplace: accepted and ignored (JAX arrays are immutable).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Hardswish()(jnp.array([-4.0, 4.0])).tolist()
    [0.0, 4.0]

    Note: ``inplace=True`` returns a new array. torch's repr never shows ``inplace`` here.
    """

    def forward(self, input: Any) -> jax.Array:
        return F.hardswish(input, self.inplace)

    def extra_repr(self) -> str:
        return ""


class ELU(Module):
    r"""``y = x if x > 0 else alpha * (exp(x) - 1)``.

    Args:
        alpha: the negative saturation value (default 1.0). inplace: accepted and ignored.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.ELU(alpha=0.5)
    >>> m, m(jnp.zeros(2)).shape
    (ELU(alpha=0.5), (2,))

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    __constants__ = ["alpha", "inplace"]

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Any) -> jax.Array:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, f"alpha={self.alpha}")


class CELU(ELU):
    r"""``y = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args:
        alpha: default 1.0 (0 raises torch's error at the forward). inplace: accepted and ignored.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.CELU(2.0), tp.nn.CELU()(jnp.zeros(3)).shape
    (CELU(alpha=2.0), (3,))

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    def forward(self, input: Any) -> jax.Array:
        return F.celu(input, self.alpha, self.inplace)


class SELU(_Inplace):
    r"""``y = scale * (x if x > 0 else alpha * (exp(x) - 1))``, ``alpha`` ≈ 1.6733, ``scale`` ≈ 1.0507.

    Args:
        inplace: accepted and ignored (JAX arrays are immutable).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.SELU()(jnp.zeros(2)).tolist()
    [0.0, 0.0]

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    def forward(self, input: Any) -> jax.Array:
        return F.selu(input, self.inplace)


class GLU(Module):
    r"""``GLU(a, b) = a * sigmoid(b)``, with ``a, b`` the halves of the input along ``dim``.

    Args:
        dim: the dimension to split (default -1); its size must be even.

    Shape: input ``(*_1, N, *_2)``, output ``(*_1, N/2, *_2)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.GLU(), tp.nn.GLU()(jnp.ones((3, 4))).shape
    (GLU(dim=-1), (3, 2))
    """

    __constants__ = ["dim"]

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> jax.Array:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GELU(Module):
    r"""``y = x * Phi(x)`` (``approximate='none'``) or its tanh approximation (``approximate='tanh'``).

    Args:
        approximate: ``'none'`` or ``'tanh'``; like torch, another value fails only at the forward.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.GELU(approximate='tanh'), tp.nn.GELU()(jnp.zeros(2)).dtype
    (GELU(approximate='tanh'), dtype('float32'))
    """

    __constants__ = ["approximate"]

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Any) -> jax.Array:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Hardshrink(Module):
    r"""``y = 0 if -lambd <= x <= lambd, x otherwise``.

    Args:
        lambd: the threshold (default 0.5).

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Hardshrink(0.3), tp.nn.Hardshrink()(jnp.array([0.1, 1.0])).tolist()
    (Hardshrink(0.3), [0.0, 1.0])
    """

    __constants__ = ["lambd"]

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Any) -> jax.Array:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class LeakyReLU(Module):
    r"""``y = x if x > 0 else negative_slope * x``.

    Args:
        negative_slope: default 1e-2. inplace: accepted and ignored.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.LeakyReLU(0.2, inplace=True)
    >>> m, m(jnp.array([-1.0])).tolist()
    (LeakyReLU(negative_slope=0.2, inplace=True), [-0.20000000298023224])

    Note: ``inplace=True`` returns a new array; the input is left unchanged.
    """

    __constants__ = ["inplace", "negative_slope"]

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Any) -> jax.Array:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, f"negative_slope={self.negative_slope}")


class LogSigmoid(Module):
    r"""``y = log(1 / (1 + exp(-x)))``, computed stably.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.LogSigmoid()(jnp.array([-100.0])).tolist()
    [-100.0]
    """

    def forward(self, input: Any) -> jax.Array:
        return F.logsigmoid(input)


class Softplus(Module):
    r"""``y = log(1 + exp(beta x)) / beta``, and ``y = x`` where ``beta x > threshold``.

    Args:
        beta: default 1.0. threshold: default 20.0.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Softplus(), tp.nn.Softplus()(jnp.zeros(2)).shape
    (Softplus(beta=1.0, threshold=20.0), (2,))
    """

    __constants__ = ["beta", "threshold"]

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Any) -> jax.Array:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softshrink(Module):
    r"""``y = x - lambd if x > lambd, x + lambd if x < -lambd, 0 otherwise``.

    Args:
        lambd: default 0.5; like torch, a negative value fails only at the forward.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Softshrink(), tp.nn.Softshrink()(jnp.array([1.0])).tolist()
    (Softshrink(0.5), [0.5])
    """

    __constants__ = ["lambd"]

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Any) -> jax.Array:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class PReLU(Module):
    r"""``y = x if x > 0 else weight * x``; ``weight`` holds one slope, or one per channel (dim 1).

    Args:
        num_parameters: 1 or the number of input channels. init: the initial slope (default 0.25).
        device: checked as torch does (an unparsable string raises), else ignored. dtype: the parameter's dtype.

    Shape: input ``(*)`` (channels at dim 1 when ``ndim >= 2``), output ``(*)``. ``weight``: ``(num_parameters,)``.

    Default init (torch's): ``constant_(weight, init)``; no randomness is drawn.

    Attributes:
        weight: (num_parameters,), filled with ``init`` (0.25 by default).

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.PReLU(3)
    >>> m, m.weight.shape, m(jnp.ones((2, 3))).shape
    (PReLU(num_parameters=3), torch.Size([3]), (2, 3))
    """

    __constants__ = ["num_parameters"]

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Fill ``weight`` with ``init``.

        >>> import torchlike_params as tp
        >>> tp.nn.PReLU(init=0.5).reset_parameters()
        """
        init.constant_(self.weight, self.init)

    def forward(self, input: Any) -> jax.Array:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softsign(Module):
    r"""``y = x / (1 + |x|)``.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Softsign()(jnp.array([1.0])).tolist()
    [0.5]
    """

    def forward(self, input: Any) -> jax.Array:
        return F.softsign(input)


class Tanhshrink(Module):
    r"""``y = x - tanh(x)``.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Tanhshrink()(jnp.zeros(1)).tolist()
    [0.0]
    """

    def forward(self, input: Any) -> jax.Array:
        return F.tanhshrink(input)


class _SoftmaxBase(Module):
    """Shared base of ``Softmax``, ``Softmin`` and ``LogSoftmax``: one ``dim`` (None: torch's legacy rule)."""

    __constants__ = ["dim"]

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(_SoftmaxBase):
    r"""``y_i = exp(-x_i) / sum_j exp(-x_j)`` along ``dim``.

    Args:
        dim: the dimension to normalise. ``None`` picks torch's legacy choice (0 for 0-, 1- and 3-d
            inputs, else 1) with torch's deprecation warning.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Softmin(dim=1), tp.nn.Softmin(1)(jnp.zeros((2, 2))).tolist()
    (Softmin(dim=1), [[0.5, 0.5], [0.5, 0.5]])
    """

    def forward(self, input: Any) -> jax.Array:
        return F.softmin(input, self.dim, _stacklevel=5)


class Softmax(_SoftmaxBase):
    r"""``y_i = exp(x_i) / sum_j exp(x_j)`` along ``dim``.

    Args:
        dim: the dimension to normalise. ``None`` picks torch's legacy choice (0 for 0-, 1- and 3-d
            inputs, else 1) with torch's deprecation warning.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Softmax(dim=-1), tp.nn.Softmax(-1)(jnp.zeros((1, 4))).tolist()
    (Softmax(dim=-1), [[0.25, 0.25, 0.25, 0.25]])
    """

    def forward(self, input: Any) -> jax.Array:
        return F.softmax(input, self.dim, _stacklevel=5)


class Softmax2d(Module):
    r"""Softmax over the channels of a ``(N, C, H, W)`` or ``(C, H, W)`` input (dim -3).

    Shape: input ``(N, C, H, W)`` or ``(C, H, W)``, output the same.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.Softmax2d()(jnp.zeros((2, 4, 3, 3)))[0, :, 0, 0].tolist()
    [0.25, 0.25, 0.25, 0.25]
    """

    def forward(self, input: Any) -> jax.Array:
        ndim = len(input.shape)
        if ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {ndim}D instead")
        return F.softmax(input, -3, _stacklevel=5)


class LogSoftmax(_SoftmaxBase):
    r"""``y_i = x_i - log(sum_j exp(x_j))`` along ``dim``.

    Args:
        dim: the dimension to normalise. ``None`` picks torch's legacy choice (0 for 0-, 1- and 3-d
            inputs, else 1) with torch's deprecation warning.

    Shape: input ``(*)``, output ``(*)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.LogSoftmax(dim=1), tp.nn.LogSoftmax(1)(jnp.zeros((2, 3))).shape
    (LogSoftmax(dim=1), (2, 3))
    """

    def forward(self, input: Any) -> jax.Array:
        return F.log_softmax(input, self.dim, _stacklevel=5)
