"""Pure initializers, one per ``torch.nn.init`` function, plus the array math both faces share."""

from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .. import _checks, _dtype, _fans
from ..random import _sampling

Shape = Sequence[int]
DType = Any


def _shape_dtype(shape: Shape, dtype: DType) -> tuple[tuple[int, ...], Any]:
    return tuple(int(s) for s in shape), _dtype.canonical(dtype)


def warn_zero_element(stacklevel: int = 3) -> None:
    """torch's warning for kaiming on a tensor with a zero-size dimension."""
    warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=stacklevel)


def uniform(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, a: float = 0.0, b: float = 1.0) -> jax.Array:
    r"""Values from :math:`\mathcal{U}(a, b)`.

    >>> uniform(jax.random.key(0), (3, 5), a=-1.0, b=1.0).shape
    (3, 5)
    """
    shape, dtype = _shape_dtype(shape, dtype)
    _checks.check_uniform(float(a), float(b), dtype)
    return _sampling.uniform(key, shape, dtype, float(a), float(b))


def normal(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, mean: float = 0.0, std: float = 1.0) -> jax.Array:
    r"""Values from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    >>> normal(jax.random.key(0), (2, 2), jnp.bfloat16, std=0.02).dtype
    dtype(bfloat16)
    """
    shape, dtype = _shape_dtype(shape, dtype)
    _checks.check_normal(float(std), dtype)
    return _sampling.normal(key, shape, dtype, float(mean), float(std))


def trunc_normal_mass(mean: float, std: float, a: float, b: float) -> float:
    """Warn as torch does when ``mean`` is far from [a, b]; return the mass inside [a, b].

    >>> round(trunc_normal_mass(0.0, 1.0, -2.0, 2.0), 4)
    0.9545
    """
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", UserWarning, stacklevel=3)
    return _sampling.trunc_normal_mass(mean, std, a, b)


def trunc_normal(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, mean: float = 0.0, std: float = 1.0,
                 a: float = -2.0, b: float = 2.0) -> jax.Array:
    r"""Values from :math:`\mathcal{N}(\text{mean}, \text{std}^2)` truncated to the **absolute** range [a, b].

    torch 2.13's algorithm (rejection sampling), not ``jax.nn.initializers.truncated_normal``
    (which cuts at ±2 std and rescales): ``trunc_normal(std=0.02)`` is practically untruncated.

    >>> x = trunc_normal(jax.random.key(0), (1000,), std=0.02)
    >>> x.dtype, 0.018 < float(x.std()) < 0.022
    (dtype('float32'), True)
    """
    shape, dtype = _shape_dtype(shape, dtype)
    p = trunc_normal_mass(mean, std, a, b)
    _checks.check_float(dtype, "normal_kernel_cpu" if p > 0.3 else "check_uniform_bounds")
    if not p > 0.3:          # torch 2.13 proposes with uniform_(a, b): its bound checks apply
        _checks.check_uniform(float(a), float(b), dtype)
    if math.prod(shape) == 0:
        return jnp.zeros(shape, dtype)
    return _sampling.trunc_normal(key, shape, dtype, float(mean), float(std), float(a), float(b))


def constant(key: jax.Array | None, shape: Shape, dtype: DType = jnp.float32, *, val: Any) -> jax.Array:
    """``val`` everywhere (the key is unused).

    >>> constant(None, (2,), val=0.5).tolist()
    [0.5, 0.5]
    """
    shape, dtype = _shape_dtype(shape, dtype)
    return jnp.full(shape, val, dtype)


def ones(key: jax.Array | None, shape: Shape, dtype: DType = jnp.float32) -> jax.Array:
    """Ones (the key is unused).

    >>> ones(None, (2,)).tolist()
    [1.0, 1.0]
    """
    shape, dtype = _shape_dtype(shape, dtype)
    return jnp.ones(shape, dtype)


def zeros(key: jax.Array | None, shape: Shape, dtype: DType = jnp.float32) -> jax.Array:
    """Zeros (the key is unused).

    >>> zeros(None, (2,)).tolist()
    [0.0, 0.0]
    """
    shape, dtype = _shape_dtype(shape, dtype)
    return jnp.zeros(shape, dtype)


def eye(key: jax.Array | None, shape: Shape, dtype: DType = jnp.float32) -> jax.Array:
    """The identity on a 2-D shape (ones on the main diagonal of a rectangle).

    >>> eye(None, (2, 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    shape, dtype = _shape_dtype(shape, dtype)
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return jnp.asarray(np.eye(*shape, dtype=dtype))


def dirac(key: jax.Array | None, shape: Shape, dtype: DType = jnp.float32, *, groups: int = 1) -> jax.Array:
    """The Dirac delta on a 3-, 4- or 5-D conv weight: identity-preserving convolution per group.

    >>> d = dirac(None, (4, 2, 3), groups=2)
    >>> [tuple(int(i) for i in ix) for ix in zip(*jnp.nonzero(d))]
    [(0, 0, 1), (1, 1, 1), (2, 0, 1), (3, 1, 1)]
    """
    shape, dtype = _shape_dtype(shape, dtype)
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = shape[0] // groups
    min_dim = min(out_per_group, shape[1])
    out = np.zeros(shape, dtype)          # constant data: built on the host, no compile per shape
    if min_dim == 0:
        return jnp.asarray(out)
    for i, k in enumerate(shape[2:], start=2):   # torch indexes [.., k // 2] and fails on an empty kernel dim
        if k == 0:
            raise IndexError(f"index 0 is out of bounds for dimension {i} with size 0")
    centre = tuple(k // 2 for k in shape[2:])
    for g in range(groups):
        for d in range(min_dim):
            out[(g * out_per_group + d, d) + centre] = 1
    return jnp.asarray(out)


def xavier_uniform(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, gain: float = 1.0) -> jax.Array:
    r"""Glorot uniform: :math:`\mathcal{U}(-a, a)`, :math:`a = \text{gain}\sqrt{6/(\text{fan\_in}+\text{fan\_out})}`.

    >>> x = xavier_uniform(jax.random.key(0), (3, 5))
    >>> x.shape, bool((abs(x) <= 0.5 * 3 ** 0.5).all())
    ((3, 5), True)
    """
    std = _fans.xavier_std(shape, gain)
    a = math.sqrt(3.0) * std
    return uniform(key, shape, dtype, a=-a, b=a)


def xavier_normal(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, gain: float = 1.0) -> jax.Array:
    r"""Glorot normal: :math:`\mathcal{N}(0, \text{std}^2)`, :math:`\text{std} = \text{gain}\sqrt{2/(\text{fan\_in}+\text{fan\_out})}`.

    >>> xavier_normal(jax.random.key(0), (30, 50)).shape
    (30, 50)
    """
    std = _fans.xavier_std(shape, gain)
    return normal(key, shape, dtype, mean=0.0, std=std)


def kaiming_uniform(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, a: float = 0,
                    mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> jax.Array:
    r"""He uniform: :math:`\mathcal{U}(-b, b)`, :math:`b = \text{gain}\sqrt{3/\text{fan\_mode}}`.

    ``a=math.sqrt(5)`` is torch's default for Linear and Conv weights. A shape with a zero
    dimension warns as torch does and gives zeros.

    >>> x = kaiming_uniform(jax.random.key(0), (8, 4), a=math.sqrt(5))
    >>> x.dtype, bool((abs(x) <= 0.5).all())
    (dtype('float32'), True)
    """
    shape, dtype = _shape_dtype(shape, dtype)
    if 0 in shape:
        warn_zero_element()
        return jnp.zeros(shape, dtype)
    bound = math.sqrt(3.0) * _fans.kaiming_std(shape, a, mode, nonlinearity)
    return uniform(key, shape, dtype, a=-bound, b=bound)


def kaiming_normal(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, a: float = 0,
                   mode: str = "fan_in", nonlinearity: str = "leaky_relu") -> jax.Array:
    r"""He normal: :math:`\mathcal{N}(0, \text{std}^2)`, :math:`\text{std} = \text{gain}/\sqrt{\text{fan\_mode}}`.

    >>> kaiming_normal(jax.random.key(0), (64, 32, 3, 3), mode='fan_out', nonlinearity='relu').shape
    (64, 32, 3, 3)
    """
    shape, dtype = _shape_dtype(shape, dtype)
    if 0 in shape:
        warn_zero_element()
        return jnp.zeros(shape, dtype)
    std = _fans.kaiming_std(shape, a, mode, nonlinearity)
    return normal(key, shape, dtype, mean=0.0, std=std)


def orthogonalize(flat: jax.Array, gain: float = 1) -> jax.Array:
    """torch's orthogonal_ math on a (rows, cols) normal sample: QR of the taller orientation,
    columns multiplied by ``sign(diag(r))``, transposed back, times ``gain``.

    >>> q = orthogonalize(jax.random.normal(jax.random.key(0), (3, 5)))
    >>> bool(jnp.allclose(q @ q.T, jnp.eye(3), atol=1e-5))
    True
    """
    rows, cols = flat.shape
    if rows < cols:
        flat = flat.T
    q, r = jnp.linalg.qr(flat.astype(jnp.float32) if flat.dtype.itemsize < 4 else flat)
    q = q * jnp.sign(jnp.diagonal(r))
    if rows < cols:
        q = q.T
    return q * gain


def orthogonal(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, gain: float = 1) -> jax.Array:
    """A (semi-)orthogonal matrix over ``(shape[0], prod(shape[1:]))``, reshaped back, times ``gain``.

    >>> w = orthogonal(jax.random.key(0), (4, 2, 2))
    >>> bool(jnp.allclose(w.reshape(4, 4) @ w.reshape(4, 4).T, jnp.eye(4), atol=1e-5))
    True
    """
    shape, dtype = _shape_dtype(shape, dtype)
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    n = math.prod(shape)
    if n == 0:
        return jnp.zeros(shape, dtype)
    _checks.check_float(dtype, "normal_kernel_cpu")
    rows = shape[0]
    flat = _sampling.normal(key, (rows, n // rows), dtype, 0.0, 1.0)
    return orthogonalize(flat, gain).reshape(shape).astype(dtype)


def sparse_zero(values: jax.Array, perms: jax.Array, num_zeros: int) -> jax.Array:
    """Zero ``values[perms[c, :num_zeros], c]`` for each column ``c``.

    >>> sparse_zero(jnp.ones((3, 2)), jnp.array([[2, 0, 1], [0, 1, 2]]), 1).tolist()
    [[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
    """
    rows, cols = values.shape
    idx = perms[:, :num_zeros]
    col = jnp.broadcast_to(jnp.arange(cols)[:, None], idx.shape)
    return values.at[idx.ravel(), col.ravel()].set(0)


def sparse(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, sparsity: float, std: float = 0.01) -> jax.Array:
    """N(0, std**2) with ``ceil(sparsity * rows)`` zeros in every column of a 2-D shape.

    >>> w = sparse(jax.random.key(0), (10, 4), sparsity=0.3)
    >>> (w == 0).sum(axis=0).tolist()
    [3, 3, 3, 3]
    """
    shape, dtype = _shape_dtype(shape, dtype)
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = shape
    num_zeros = int(math.ceil(sparsity * rows))
    k_values, k_perm = key, _sampling.derive_key(key, 1)   # the in-place face's draw order
    values = normal(k_values, shape, dtype, mean=0.0, std=std)
    if rows == 0 or cols == 0:
        return values
    return sparse_zero(values, _sampling.randperms(k_perm, rows, cols), num_zeros)


def bias_uniform(key: jax.Array, shape: Shape, dtype: DType = jnp.float32, *, fan_in: int) -> jax.Array:
    r"""torch's default Linear/Conv bias: :math:`\mathcal{U}(-1/\sqrt{\text{fan\_in}}, 1/\sqrt{\text{fan\_in}})`.

    ``fan_in`` is the weight's fan_in (0 gives zeros, as in torch).

    >>> b = bias_uniform(jax.random.key(0), (8,), fan_in=4)
    >>> bool((abs(b) <= 0.5).all())
    True
    """
    bound = _fans.bias_bound(fan_in)
    return uniform(key, shape, dtype, a=-bound, b=bound)
