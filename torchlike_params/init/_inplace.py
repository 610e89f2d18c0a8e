"""The torch face of ``torch.nn.init``: in-place fills of Tensor boxes with torch's signatures.

Each function checks its arguments as torch does, computes the same float64 bound or std,
asks a generator for the values and returns the box it filled. ``generator=`` picks the
generator (default: the current one); ``key=`` (an extension) uses a JAX key instead, in
which case the result equals the pure initializer of ``torchlike_params.initializers``
called with that key.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import numpy as np

from .. import _checks, _fans
from ..random import _default as _random
from ..random import materialize
from ..random._keystream import Generator
from .._tensor import Tensor
from ..initializers import _pure



def _box(tensor: Any) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"Expected `tensor` to be a torchlike_params.Tensor or Parameter, got {type(tensor).__name__}. "
            "JAX arrays are immutable: use the pure initializers in torchlike_params.initializers instead.")
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None, *,
             key: jax.Array | None = None) -> Tensor:
    r"""Fill with values from :math:`\mathcal{U}(a, b)`.

    >>> import torchlike_params as tp
    >>> w = tp.empty(3, 5)
    >>> tp.nn.init.uniform_(w, a=0.0, b=1.0).shape, w.dtype
    (torch.Size([3, 5]), dtype('float32'))
    """
    return _box(tensor).uniform_(a, b, generator=generator, key=key)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None, *,
            key: jax.Array | None = None) -> Tensor:
    r"""Fill with values from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    >>> import torchlike_params as tp
    >>> tp.nn.init.normal_(tp.empty(3, 5), std=0.02).shape
    torch.Size([3, 5])
    """
    return _box(tensor).normal_(mean, std, generator=generator, key=key)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator: Generator | None = None, *, key: jax.Array | None = None) -> Tensor:
    r"""Fill with :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated to the absolute range [a, b].

    torch 2.13's algorithm: when the mass inside [a, b] is above 0.3, out-of-range values are
    redrawn from the normal; otherwise uniform proposals are accepted by the density ratio.

    >>> import torchlike_params as tp
    >>> w = tp.nn.init.trunc_normal_(tp.empty(3, 5), std=0.02, a=-0.04, b=0.04)
    >>> bool((abs(w) <= 0.04).all())
    True
    """
    box = _box(tensor)
    for name, v in (("mean", mean), ("std", std), ("a", a), ("b", b)):
        _checks.check_scalar(name, v)
    p = _pure.trunc_normal_mass(mean, std, a, b)
    _checks.check_float(box.dtype, "normal_kernel_cpu" if p > 0.3 else "check_uniform_bounds")
    if not p > 0.3:          # torch 2.13 proposes with uniform_(a, b): its bound checks apply
        _checks.check_uniform(float(a), float(b), box.dtype)
    if box.numel() == 0:
        return box
    gen = _random.resolve(generator, key)
    return box._set(gen.trunc_normal(box.shape, box.dtype, float(mean), float(std), float(a), float(b)))


def constant_(tensor: Tensor, val: float) -> Tensor:
    r"""Fill with the value :math:`\text{val}`.

    >>> import torchlike_params as tp
    >>> tp.nn.init.constant_(tp.empty(2), 0.3).tolist()
    [0.30000001192092896, 0.30000001192092896]
    """
    return _box(tensor).fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    r"""Fill with the scalar value 1.

    >>> import torchlike_params as tp
    >>> tp.nn.init.ones_(tp.empty(2)).tolist()
    [1.0, 1.0]
    """
    return _box(tensor).fill_(1.0)


def zeros_(tensor: Tensor) -> Tensor:
    r"""Fill with the scalar value 0.

    >>> import torchlike_params as tp
    >>> tp.nn.init.zeros_(tp.ones(2)).tolist()
    [0.0, 0.0]
    """
    return _box(tensor).zero_()


def eye_(tensor: Tensor) -> Tensor:
    r"""Fill a 2-D tensor with the identity matrix.

    >>> import torchlike_params as tp
    >>> tp.nn.init.eye_(tp.empty(2, 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    box = _box(tensor)
    if box.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return box._set(_pure.eye(None, box.shape, box.dtype))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    r"""Fill a 3-, 4- or 5-D tensor with the Dirac delta (identity-preserving convolution per group).

    >>> import torchlike_params as tp
    >>> w = tp.nn.init.dirac_(tp.empty(4, 2, 3), groups=2)
    >>> int(w.value.sum()), w.shape
    (4, torch.Size([4, 2, 3]))
    """
    box = _box(tensor)
    _checks.check_scalar("groups", groups)
    return box._set(_pure.dirac(None, box.shape, box.dtype, groups=groups))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None, *,
                    key: jax.Array | None = None) -> Tensor:
    r"""Glorot uniform: :math:`\mathcal{U}(-a, a)` with :math:`a = \text{gain} \times \sqrt{6/(\text{fan\_in} + \text{fan\_out})}`.

    >>> import torchlike_params as tp
    >>> w = tp.empty(3, 5)
    >>> tp.nn.init.xavier_uniform_(w, gain=tp.nn.init.calculate_gain('relu')) is w
    True
    """
    box = _box(tensor)
    a = math.sqrt(3.0) * _fans.xavier_std(box.shape, gain)
    return box.uniform_(-a, a, generator=generator, key=key)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None, *,
                   key: jax.Array | None = None) -> Tensor:
    r"""Glorot normal: :math:`\mathcal{N}(0, \text{std}^2)` with :math:`\text{std} = \text{gain} \times \sqrt{2/(\text{fan\_in} + \text{fan\_out})}`.

    >>> import torchlike_params as tp
    >>> tp.nn.init.xavier_normal_(tp.empty(3, 5)).shape
    torch.Size([3, 5])
    """
    box = _box(tensor)
    std = _fans.xavier_std(box.shape, gain)
    return box.normal_(0.0, std, generator=generator, key=key)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None, *, key: jax.Array | None = None) -> Tensor:
    r"""He uniform: :math:`\mathcal{U}(-\text{bound}, \text{bound})` with :math:`\text{bound} = \text{gain} \times \sqrt{3/\text{fan\_mode}}`.

    A tensor with a zero-size dimension warns "Initializing zero-element tensors is a no-op"
    and is returned unchanged, before the mode or fans are checked (torch's order).

    >>> import torchlike_params as tp
    >>> w = tp.empty(3, 5)
    >>> tp.nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='relu').shape
    torch.Size([3, 5])
    """
    box = _box(tensor)
    if 0 in box.shape:
        _pure.warn_zero_element()
        return box
    bound = math.sqrt(3.0) * _fans.kaiming_std(box.shape, a, mode, nonlinearity)
    return box.uniform_(-bound, bound, generator=generator, key=key)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None, *, key: jax.Array | None = None) -> Tensor:
    r"""He normal: :math:`\mathcal{N}(0, \text{std}^2)` with :math:`\text{std} = \text{gain}/\sqrt{\text{fan\_mode}}`.

    >>> import torchlike_params as tp
    >>> w = tp.empty(3, 5)
    >>> tp.nn.init.kaiming_normal_(w, mode='fan_out', nonlinearity='relu').dtype
    dtype('float32')
    """
    box = _box(tensor)
    if 0 in box.shape:
        _pure.warn_zero_element()
        return box
    std = _fans.kaiming_std(box.shape, a, mode, nonlinearity)
    return box.normal_(0.0, std, generator=generator, key=key)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None, *,
                key: jax.Array | None = None) -> Tensor:
    r"""Fill with a (semi-)orthogonal matrix over ``(shape[0], numel // shape[0])``, times ``gain``.

    torch's steps: one normal draw of that flat shape, QR of the taller orientation, columns
    times ``sign(diag(r))``, transposed back when rows < cols. The QR is JAX's, so values are
    not bit-identical to torch's LAPACK QR even from the same normals.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> w = tp.nn.init.orthogonal_(tp.empty(3, 5))
    >>> bool(jnp.allclose(w @ w.T, jnp.eye(3), atol=1e-5))
    True
    """
    box = _box(tensor)
    if box.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if box.numel() == 0:
        return box
    _checks.check_float(box.dtype, "normal_kernel_cpu")
    rows = box.shape[0]
    _checks.check_operand("mul_", gain)          # torch multiplies the result by gain in place
    if _checks.is_tensor_like(gain):
        _checks.broadcast_shape((rows, box.numel() // rows), tuple(gain.shape))
    flat = materialize(_random.resolve(generator, key).normal((rows, box.numel() // rows), box.dtype, 0.0, 1.0))
    return box._set(_pure.orthogonalize(flat, gain).reshape(box.shape).astype(box.dtype))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None, *,
            key: jax.Array | None = None) -> Tensor:
    r"""Fill a 2-D tensor with :math:`\mathcal{N}(0, \text{std}^2)` and ``ceil(sparsity * rows)`` zeros per column.

    Note: torch draws the zero pattern from the global generator even when ``generator=`` is
    given; here both draws come from the same generator, so ``generator=`` makes the whole
    result reproducible.

    >>> import torchlike_params as tp
    >>> w = tp.nn.init.sparse_(tp.empty(10, 4), sparsity=0.3)
    >>> (w.value == 0).sum(axis=0).tolist()
    [3, 3, 3, 3]
    """
    box = _box(tensor)
    if box.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = box.shape
    if _checks.is_tensor_like(sparsity) and np.size(sparsity) != 1:
        raise ValueError(f"Expected `sparsity` to be a number, got a tensor of {np.size(sparsity)} elements")
    num_zeros = int(math.ceil(sparsity * rows))
    gen = _random.resolve(generator, key)
    box.normal_(0, std, generator=gen)
    if rows == 0 or cols == 0:
        return box
    return box._set(_pure.sparse_zero(box.value, gen.randperms(rows, cols), num_zeros))
