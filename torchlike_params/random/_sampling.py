"""Pure samplers: ``(key, shape, dtype, ...) -> jax.Array``. The one place that uses ``jax.random``.

Bits. For a threefry key (JAX's default), element ``i`` of the flattened output takes word
``i % 2`` of ``threefry_2x32(key, (0, i // 2))``. Both output words are used, which halves the
hashing work of ``jax.random.bits`` (it XORs the two words together), and because every value
depends only on its flat index, a draw can be produced in chunks (the eager CPU path of the
generator does this to avoid one XLA compile per shape) or sharded, with the same values.
Any other key type (``rbg``, ``unsafe_rbg``) falls back to ``jax.random.bits``.

Floats. Uniform floats take the top 23 mantissa bits (``[1, 2) - 1``), like ``jax.random``.
Normals are ``sqrt(2) * erfinv(u)`` with ``u`` uniform on ``(-1, 1)``, like ``jax.random.normal``.
float16 and bfloat16 are sampled in float32 and rounded; a uniform that rounds up to ``high``
becomes ``low``, as torch does for reduced precision. float64 (with ``jax_enable_x64``) uses two
words per element and 52 mantissa bits.
"""

from __future__ import annotations

import functools
import math
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.extend import random as jex_random

Shape = Sequence[int]


MAX_DRAW = 2**32


def check_draw_size(shape: Shape) -> None:
    """A random draw is at most 2**32 elements (the key stream counts elements in uint32): a clear error, before
    anything is allocated, instead of repeated numbers or an overflow deep inside a fill.

    >>> check_draw_size((2**16, 2**16 + 1))
    Traceback (most recent call last):
    ...
    RuntimeError: Expected a random draw of at most 2**32 elements per tensor (the key stream's counter limit), got 4295032832 elements (shape (65536, 65537)); fill the tensor in parts (e.g. row blocks of a view) instead
    """
    n = math.prod(shape)
    if n > MAX_DRAW:
        raise RuntimeError(f"Expected a random draw of at most 2**32 elements per tensor (the key stream's counter "
                           f"limit), got {n} elements (shape {tuple(shape)}); fill the tensor in parts (e.g. row "
                           "blocks of a view) instead")


def key_data(key: jax.Array) -> jax.Array | None:
    """Raw ``uint32[2]`` data of a threefry key (typed or raw), or None for other key kinds.

    >>> key_data(jax.random.key(3)).tolist()
    [0, 3]
    """
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if str(jax.random.key_impl(key)) != "threefry2x32":
            return None
        return jax.random.key_data(key)
    if key.shape == (2,) and key.dtype == jnp.uint32:
        return key
    raise TypeError(f"Expected `key` to be a JAX PRNG key, got an array of shape {key.shape} and dtype {key.dtype}")


def _words(kd: jax.Array, counters: jax.Array) -> jax.Array:
    """Both threefry words for each counter, interleaved on a new last axis."""
    hi = jnp.zeros_like(counters)
    w = jex_random.threefry_2x32(kd, jnp.stack([hi, counters]).reshape(-1))
    return w.reshape(2, *counters.shape)


def bits_range(kd: jax.Array, start: jax.Array | int, size: int) -> jax.Array:
    """uint32 bits of flat elements ``[start, start + size)``; ``start`` and ``size`` even.

    >>> kd = key_data(jax.random.key(0))
    >>> bool((bits_range(kd, 2, 4) == bits_range(kd, 0, 6)[2:]).all())
    True
    """
    counters = lax.iota(jnp.uint32, size // 2) + (jnp.asarray(start, jnp.uint32) // 2)
    w = _words(kd, counters)
    return jnp.stack([w[0], w[1]], axis=-1).reshape(size)


def random_bits(key: jax.Array, shape: Shape) -> jax.Array:
    """uint32 random bits of ``shape``: element ``i`` (flat) = word ``i % 2`` at counter ``i // 2``.

    >>> random_bits(jax.random.key(0), (2, 3)).dtype
    dtype('uint32')
    """
    shape = tuple(int(s) for s in shape)
    check_draw_size(shape)
    n = math.prod(shape)
    kd = key_data(key)
    if kd is None:
        return jax.random.bits(key, shape, jnp.uint32)
    if shape and shape[-1] % 2 == 0 and n:
        # Counters laid out in the target shape keep the computation shardable along leading dims.
        half = shape[:-1] + (shape[-1] // 2,)
        counters = lax.iota(jnp.uint32, math.prod(half)).reshape(half)
        w = _words(kd, counters)
        return jnp.stack([w[0], w[1]], axis=-1).reshape(shape)
    m = n + (n % 2)
    return bits_range(kd, 0, m)[:n].reshape(shape)


def _random_bits64(key: jax.Array, shape: Shape) -> jax.Array:
    kd = key_data(key)
    if kd is None:
        return jax.random.bits(key, shape, jnp.uint64)
    n = math.prod(shape)
    w = _words(kd, lax.iota(jnp.uint32, n))
    return ((w[0].astype(jnp.uint64) << 32) | w[1].astype(jnp.uint64)).reshape(shape)


def _unit_float32(bits: jax.Array) -> jax.Array:
    """[0, 1) float32 from uint32 bits (23 mantissa bits)."""
    one = jnp.uint32(0x3F800000)
    return lax.bitcast_convert_type((bits >> jnp.uint32(9)) | one, jnp.float32) - jnp.float32(1.0)


def _sample_dtype(dtype) -> np.dtype:
    d = jnp.dtype(dtype)
    if not jnp.issubdtype(d, jnp.floating):
        raise TypeError(f"Expected `dtype` to be a floating dtype, got {d}")
    return jnp.dtype(jnp.float64) if d == jnp.float64 and jax.config.jax_enable_x64 else jnp.dtype(jnp.float32)


def bits_to_uniform(bits: jax.Array, dtype, low, high) -> jax.Array:
    """Map uint32 bits to U[low, high) of ``dtype`` (computed in float32, then rounded).

    >>> bits_to_uniform(jnp.zeros(2, jnp.uint32), jnp.float32, -1.0, 1.0).tolist()
    [-1.0, -1.0]
    """
    # The barrier keeps XLA from folding constant bounds into a reassociated (differently
    # rounded) expression, so constant and traced bounds give the same bits.
    low32, high32 = lax.optimization_barrier((jnp.float32(low), jnp.float32(high)))
    x = _unit_float32(bits) * (high32 - low32) + low32
    x = lax.max(low32, x)
    out = x.astype(dtype)
    if jnp.dtype(dtype).itemsize < 4:
        out = jnp.where(out == jnp.asarray(high, dtype), jnp.asarray(low, dtype), out)
    return out


def bits_to_normal(bits: jax.Array, dtype, mean, std) -> jax.Array:
    """Map uint32 bits to N(mean, std**2) of ``dtype`` (inverse-CDF, computed in float32).

    >>> abs(float(bits_to_normal(jnp.full((1,), 2**31, jnp.uint32), jnp.float32, 0.0, 1.0)[0])) < 1e-6
    True
    """
    lo = np.nextafter(np.float32(-1.0), np.float32(0.0))
    u = _unit_float32(bits) * jnp.float32(1.0 - lo) + jnp.float32(lo)
    u = lax.max(jnp.float32(lo), u)
    z = jnp.float32(math.sqrt(2.0)) * lax.erf_inv(u)
    std32, mean32 = lax.optimization_barrier((jnp.float32(std), jnp.float32(mean)))
    return (z * std32 + mean32).astype(dtype)


def uniform(key: jax.Array, shape: Shape, dtype=jnp.float32, low: float = 0.0, high: float = 1.0) -> jax.Array:
    """Sample U[low, high) of ``shape`` and ``dtype``.

    >>> x = uniform(jax.random.key(0), (3, 5), jnp.float32, -1.0, 1.0)
    >>> x.shape, x.dtype, bool((x >= -1).all() & (x < 1).all())
    ((3, 5), dtype('float32'), True)
    """
    shape = tuple(int(s) for s in shape)
    if _sample_dtype(dtype) == jnp.float64:
        b = _random_bits64(key, shape)
        x = lax.bitcast_convert_type((b >> jnp.uint64(12)) | jnp.uint64(0x3FF0000000000000), jnp.float64) - 1.0
        return lax.max(jnp.float64(low), x * (high - low) + low)
    return bits_to_uniform(random_bits(key, shape), dtype, low, high)


def normal(key: jax.Array, shape: Shape, dtype=jnp.float32, mean: float = 0.0, std: float = 1.0) -> jax.Array:
    """Sample N(mean, std**2) of ``shape`` and ``dtype``.

    >>> normal(jax.random.key(0), (4, 4), jnp.bfloat16).dtype
    dtype(bfloat16)
    """
    shape = tuple(int(s) for s in shape)
    if _sample_dtype(dtype) == jnp.float64:
        u = uniform(key, shape, jnp.float64, np.nextafter(-1.0, 0.0), 1.0)
        return math.sqrt(2.0) * lax.erf_inv(u) * std + mean
    return bits_to_normal(random_bits(key, shape), dtype, mean, std)


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_mass(mean: float, std: float, a: float, b: float) -> float:
    """The probability mass of N(mean, std**2) inside [a, b] (float64, as torch computes it).

    >>> round(trunc_normal_mass(0.0, 1.0, -2.0, 2.0), 4)
    0.9545
    """
    return _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)


def _bound(x: float, dtype) -> jax.Array:
    """A bound in ``dtype``; beyond its range it is an infinity (without NumPy's overflow warning)."""
    fmax = float(jnp.finfo(jnp.dtype(dtype)).max)
    return jnp.asarray(math.copysign(math.inf, x) if abs(x) > fmax else x, dtype)


def _trunc_loop(key: jax.Array, dtype, mean: float, std: float, a: float, b: float, redraw: bool,
                normal_of, uniform_of) -> jax.Array:
    """torch 2.13's truncated normal over one set of elements, given how to sample it.

    ``normal_of(k)`` samples N(mean, std**2) in the sampling dtype from key ``k``;
    ``uniform_of(k, lo, hi)`` samples U[lo, hi) in ``dtype``. Each element's value is the first
    round (round ``i`` uses ``fold_in(key, i)``) that accepts it, so any split of the elements
    into chunks gives the same values as the whole tensor.
    """
    sdt = _sample_dtype(dtype)
    lo, hi = _bound(a, dtype).astype(sdt), _bound(b, dtype).astype(sdt)
    if redraw:
        def cond(c):
            return jnp.any((c[1] < lo) | (c[1] > hi))

        def body(c):
            i, r = c
            new = normal_of(jax.random.fold_in(key, i))
            return i + 1, jnp.where((r < lo) | (r > hi), new, r)

        _, out = lax.while_loop(cond, body, (jnp.uint32(1), normal_of(jax.random.fold_in(key, 0))))
        return out.astype(dtype)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def logpdf(x):
        return ((x - mean) / std) ** 2 * -0.5 - log_peak

    def propose(i):
        # torch runs this branch in the tensor's dtype (bfloat16 proposals, bfloat16 log-densities),
        # which visibly changes the reduced-precision distribution, so it is done in ``dtype`` here too.
        kx, ku = jax.random.split(jax.random.fold_in(key, i))
        x = uniform_of(kx, a, b)
        return x, jnp.log(uniform_of(ku, 0.0, 1.0)) > logpdf(x)

    def body(c):
        i, r, pending = c
        x, reject = propose(i)
        return i + 1, jnp.where(pending, x, r), pending & reject

    x0, pending0 = propose(jnp.uint32(0))
    _, out, _ = lax.while_loop(lambda c: jnp.any(c[2]), body, (jnp.uint32(1), x0, pending0))
    return out.astype(dtype)


def trunc_normal(key: jax.Array, shape: Shape, dtype=jnp.float32, mean: float = 0.0, std: float = 1.0,
                 a: float = -2.0, b: float = 2.0) -> jax.Array:
    """Sample N(mean, std**2) truncated to the absolute interval [a, b], by torch 2.13's algorithm.

    When the mass inside [a, b] is above 0.3, out-of-range values are redrawn from the normal;
    otherwise uniform proposals on [a, b] are accepted with probability pdf(x)/pdf(mode).
    Both loops are ``lax.while_loop``s, so this is jit-able; each round uses a new key.

    >>> x = trunc_normal(jax.random.key(0), (1000,), jnp.float32, 0.0, 1.0, -0.5, 0.5)
    >>> bool((x >= -0.5).all() & (x <= 0.5).all())
    True
    """
    shape = tuple(int(s) for s in shape)
    sdt = _sample_dtype(dtype)
    return _trunc_loop(key, dtype, mean, std, a, b, trunc_normal_mass(mean, std, a, b) > 0.3,
                       lambda k: normal(k, shape, sdt, mean, std),
                       lambda k, lo, hi: uniform(k, shape, dtype, lo, hi))


def randperms(key: jax.Array, n: int, count: int) -> jax.Array:
    """``count`` independent permutations of ``range(n)``, as an int32 array ``(count, n)``.

    >>> sorted(randperms(jax.random.key(0), 5, 2)[1].tolist())
    [0, 1, 2, 3, 4]
    """
    keys = jax.random.split(key, count)
    return jax.vmap(lambda k: jax.random.permutation(k, n))(keys).reshape(count, n)


def derive_key(key: jax.Array, index) -> jax.Array:
    """The key of draw number ``index`` of a key stream rooted at ``key``: ``fold_in(key, index)``.

    >>> derive_key(jax.random.key(0), 1).shape
    ()
    """
    return jax.random.fold_in(key, index)


def key_from_seed(seed: int) -> jax.Array:
    """A threefry key from a 64-bit seed (two's complement for negatives).

    Equals ``jax.random.key(seed)`` for ``0 <= seed < 2**32``.

    >>> bool((jax.random.key_data(key_from_seed(7)) == jax.random.key_data(jax.random.key(7))).all())
    True
    """
    s = int(seed) & ((1 << 64) - 1)
    data = np.array([s >> 32, s & 0xFFFFFFFF], dtype=np.uint32)
    return jax.random.wrap_key_data(jnp.asarray(data), impl="threefry2x32")


@functools.partial(jax.jit, static_argnames=("size", "dtype"))
def chunk(base_kd, index, start, is_normal, p0, p1, *, size: int, dtype):
    """One eager chunk: flat elements ``[start, start+size)`` of draw ``index`` from ``base_kd``.

    Uniform (p0, p1 = low, high) or, when ``is_normal``, normal (p0, p1 = mean, std). One
    program per (size, dtype) serves every distribution and every requested shape.

    >>> kd = key_data(jax.random.key(0))
    >>> full = uniform(derive_key(jax.random.key(0), 1), (8,))
    >>> bool((chunk(kd, 1, 4, False, 0.0, 1.0, size=4, dtype=jnp.float32) == full[4:]).all())
    True
    """
    kd = jax.random.key_data(jax.random.fold_in(jax.random.wrap_key_data(base_kd, impl="threefry2x32"), index))
    b = bits_range(kd, start, size)
    return lax.cond(is_normal, lambda: bits_to_normal(b, dtype, p0, p1), lambda: bits_to_uniform(b, dtype, p0, p1))


def _draw_kd(base_kd, index):
    return jax.random.key_data(jax.random.fold_in(jax.random.wrap_key_data(base_kd, impl="threefry2x32"), index))


@functools.partial(jax.jit, static_argnames=("size", "dtype"))
def rows(base_kd, index, start, is_normal, p0, p1, *, size: int, dtype):
    """A batch of rows, row ``r`` being flat elements ``[start[r], start[r]+size)`` of draw
    ``index[r]``: uniform (p0, p1 = low, high) or, where ``is_normal[r]``, normal (mean, std).

    >>> kd = key_data(jax.random.key(0))
    >>> full = normal(derive_key(jax.random.key(0), 3), (8,))
    >>> out = rows(kd, jnp.array([3, 3], jnp.uint32), jnp.array([0, 4], jnp.uint32), jnp.array([True, True]),
    ...            jnp.zeros(2), jnp.ones(2), size=4, dtype=jnp.float32)
    >>> bool((out.reshape(-1) == full).all())
    True
    """
    def one(i, s, nrm, a, b):
        bits = bits_range(_draw_kd(base_kd, i), s, size)
        return lax.cond(nrm, lambda: bits_to_normal(bits, dtype, a, b), lambda: bits_to_uniform(bits, dtype, a, b))
    return jax.vmap(one)(index, start, is_normal, p0, p1)


@functools.partial(jax.jit, static_argnames=("size", "dtype", "redraw", "mean", "std", "a", "b"))
def trunc_chunk(base_kd, index, start, *, size: int, dtype, redraw: bool, mean: float, std: float,
                a: float, b: float):
    """Flat elements ``[start, start+size)`` of a truncated-normal draw (same values as
    ``trunc_normal`` of the whole shape with key ``fold_in(base, index)``).

    >>> kd = key_data(jax.random.key(0))
    >>> whole = trunc_normal(derive_key(jax.random.key(0), 2), (8,), jnp.float32, 0.0, 1.0, -1.0, 1.0)
    >>> part = trunc_chunk(kd, 2, 4, size=4, dtype=jnp.float32, redraw=True, mean=0.0, std=1.0, a=-1.0, b=1.0)
    >>> bool((part == whole[4:]).all())
    True
    """
    key = jax.random.wrap_key_data(_draw_kd(base_kd, index), impl="threefry2x32")
    sdt = _sample_dtype(dtype)

    def normal_of(k):
        return bits_to_normal(bits_range(jax.random.key_data(k), start, size), sdt, mean, std)

    def uniform_of(k, lo, hi):
        return bits_to_uniform(bits_range(jax.random.key_data(k), start, size), dtype, lo, hi)

    return _trunc_loop(key, dtype, mean, std, a, b, redraw, normal_of, uniform_of)


# Every sampler runs as one compiled program, eagerly or inside a caller's jit: XLA contracts
# multiply-adds inside a fusion, so op-by-op execution would differ in the last bit.
uniform = jax.jit(uniform, static_argnums=(1, 2))
normal = jax.jit(normal, static_argnums=(1, 2))
trunc_normal = jax.jit(trunc_normal, static_argnums=(1, 2, 3, 4, 5, 6))
randperms = jax.jit(randperms, static_argnums=(1, 2))
