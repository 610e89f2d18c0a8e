"""torch's default initializers on Flax kernel layouts, in the ``(key, shape, dtype)`` protocol.

The layout of a Flax kernel is chosen by the layer TYPE (``'dense'``, ``'conv'``,
``'conv_transpose'``), never guessed from the shape:

============== ============================== ======================== ==========================
layer          Flax kernel                    torch weight             torch fan_in
============== ============================== ======================== ==========================
dense / linear ``(in, out)``                  ``(out, in)``            ``in``
conv           ``(*k, in/groups, out)``       ``(out, in/groups, *k)`` ``in/groups * prod(k)``
conv_transpose ``(*k, in, out)``              ``(in, out, *k)``        ``out * prod(k)``
conv_transpose ``(*k, out, in)`` (transposed) ``(in, out, *k)``        ``out * prod(k)``
============== ============================== ======================== ==========================

Each initializer maps the Flax shape to the torch-layout shape, samples there with the pure
initializers of :mod:`torchlike_params.initializers` (so fans, gains and float64 bounds are
torch's own arithmetic from ``_fans``) and permutes the sample into the Flax layout. A Flax
kernel therefore holds exactly the values that the torch-layout pure initializer gives for
the same key, transposed.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp

from .. import _fans
from ..initializers import _pure

Shape = Sequence[int]
DType = Any
Initializer = Callable[..., jax.Array]

_LAYERS = ("dense", "linear", "conv", "conv_transpose")
_DISTRIBUTIONS = ("uniform", "normal")


def _check_layer(layer: str) -> str:
    if layer not in _LAYERS:
        raise ValueError(f"Expected `layer` to be one of {_LAYERS}, got {layer!r}")
    return "dense" if layer == "linear" else layer


def _flax_shape(layer: str, shape: Shape) -> tuple[int, ...]:
    shape = tuple(int(s) for s in shape)
    if layer == "dense" and len(shape) != 2:
        raise ValueError(f"Expected `shape` of a Flax dense kernel to be (in, out), got {shape}")
    if layer != "dense" and len(shape) < 2:
        raise ValueError(f"Expected `shape` of a Flax {layer} kernel to be (*kernel_size, in, out), got {shape}")
    return shape


def _torch_to_flax_perm(layer: str, ndim: int, transpose_kernel: bool) -> tuple[int, ...]:
    """The permutation taking a torch-layout weight to the Flax kernel layout."""
    spatial = tuple(range(2, ndim))
    if layer == "conv_transpose" and not transpose_kernel:
        return spatial + (0, 1)          # (in, out, *k) -> (*k, in, out)
    return spatial + (1, 0)              # (out, in, *k) -> (*k, in, out); (in, out, *k) -> (*k, out, in)


def torch_weight_shape(layer: str, kernel_shape: Shape, *, transpose_kernel: bool = False) -> tuple[int, ...]:
    """The torch-layout weight shape whose values a Flax kernel of ``kernel_shape`` holds.

    dense ``(in, out) -> (out, in)``; conv ``(*k, in/g, out) -> (out, in/g, *k)``;
    conv_transpose ``(*k, in, out) -> (in, out, *k)`` (``(*k, out, in)`` when
    ``transpose_kernel=True``).

    >>> torch_weight_shape('dense', (3, 4)), torch_weight_shape('conv', (3, 3, 8, 16))
    ((4, 3), (16, 8, 3, 3))
    >>> torch_weight_shape('conv_transpose', (3, 3, 8, 16))
    (8, 16, 3, 3)

    Note: Flax's ConvTranspose has no groups, so the torch shape is always ``(in, out, *k)``.
    """
    layer = _check_layer(layer)
    shape = _flax_shape(layer, kernel_shape)
    *k, i, o = shape
    if layer == "conv_transpose" and transpose_kernel:
        i, o = o, i
    if layer == "conv_transpose":
        return (i, o, *k)
    return (o, i, *k)


def torch_fan_in(layer: str, kernel_shape: Shape, *, transpose_kernel: bool = False) -> int:
    """torch's ``fan_in`` for the weight a Flax kernel of ``kernel_shape`` stands for.

    ``fan_in = size(1) * prod(kernel_size)`` of :func:`torch_weight_shape`: ``in`` for dense,
    ``in/groups * prod(k)`` for conv, ``out * prod(k)`` for conv_transpose.

    >>> torch_fan_in('dense', (3, 4)), torch_fan_in('conv', (3, 3, 4, 16)), torch_fan_in('conv_transpose', (3, 3, 4, 16))
    (3, 36, 144)
    """
    shape = torch_weight_shape(layer, kernel_shape, transpose_kernel=transpose_kernel)
    return _fans.calculate_fan_in_and_fan_out(shape)[0]


@dataclasses.dataclass(frozen=True)
class TorchKernelInit:
    r"""torch's Kaiming initializer for a Flax kernel of a given layer type.

    ``uniform``: :math:`\mathcal{U}(-b, b)`, :math:`b = \text{gain}\sqrt{3/\text{fan\_mode}}`;
    ``normal``: :math:`\mathcal{N}(0, (\text{gain}/\sqrt{\text{fan\_mode}})^2)`, with
    ``gain = calculate_gain(nonlinearity, a)`` and torch's fans (see :func:`torch_fan_in`).
    The defaults (``a=sqrt(5)``, leaky_relu, fan_in, uniform) are torch's Linear/Conv weight
    init: :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})`. Build it with
    :func:`torch_kernel_init`.

    >>> init = TorchKernelInit('dense')
    >>> w = init(jax.random.key(0), (16, 4))
    >>> w.shape, w.dtype, bool((abs(w) <= 0.25).all())
    ((16, 4), dtype('float32'), True)
    """

    layer: str
    a: float = math.sqrt(5)
    mode: str = "fan_in"
    nonlinearity: str = "leaky_relu"
    distribution: str = "uniform"
    transpose_kernel: bool = False

    def __post_init__(self) -> None:
        _check_layer(self.layer)
        if self.distribution not in _DISTRIBUTIONS:
            raise ValueError(f"Expected `distribution` to be one of {_DISTRIBUTIONS}, got {self.distribution!r}")

    def __call__(self, key: jax.Array, shape: Shape, dtype: DType = jnp.float32) -> jax.Array:
        layer = _check_layer(self.layer)
        shape = _flax_shape(layer, shape)
        torch_shape = torch_weight_shape(layer, shape, transpose_kernel=self.transpose_kernel)
        pure = _pure.kaiming_uniform if self.distribution == "uniform" else _pure.kaiming_normal
        w = pure(key, torch_shape, dtype, a=self.a, mode=self.mode, nonlinearity=self.nonlinearity)
        return jnp.transpose(w, _torch_to_flax_perm(layer, len(shape), self.transpose_kernel))


def torch_kernel_init(layer: str, *, a: float = math.sqrt(5), mode: str = "fan_in",
                      nonlinearity: str = "leaky_relu", distribution: str = "uniform",
                      transpose_kernel: bool = False) -> TorchKernelInit:
    r"""A ``(key, shape, dtype)`` initializer giving a Flax kernel torch's Kaiming init.

    :math:`\mathcal{U}(\pm\,\text{gain}\sqrt{3/\text{fan}})` (or
    :math:`\mathcal{N}(0, \text{gain}^2/\text{fan})` for ``distribution='normal'``), with
    torch's fans computed on the torch-layout weight of the Flax kernel for ``layer`` in
    ``('dense', 'linear', 'conv', 'conv_transpose')``. The defaults are torch's Linear/Conv
    default: :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})`.

    >>> init = torch_kernel_init('conv')            # Flax HWIO kernel, fan_in = 3*3*8
    >>> w = init(jax.random.key(0), (3, 3, 8, 16), jnp.bfloat16)
    >>> w.shape, w.dtype, float(abs(w).max()) <= 1 / 72 ** 0.5
    ((3, 3, 8, 16), dtype(bfloat16), True)
    >>> relu = torch_kernel_init('dense', a=0, nonlinearity='relu', distribution='normal')
    >>> relu(jax.random.key(0), (512, 256)).std().round(2)
    Array(0.06, dtype=float32)

    Note: ``transpose_kernel`` must match the Flax ConvTranspose's own flag; the presets in
    :mod:`torchlike_params.flax.linen` / ``.nnx`` set it for you.
    """
    return TorchKernelInit(layer, a, mode, nonlinearity, distribution, transpose_kernel)


@dataclasses.dataclass(frozen=True)
class TorchBiasInit:
    r"""torch's default Linear/Conv bias: :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})` (0 bound if fan_in is 0).

    ``fan_in=None`` is a placeholder that the presets of :mod:`torchlike_params.flax.linen`
    and ``.nnx`` replace with the kernel's torch fan_in; calling it unresolved raises.

    >>> b = TorchBiasInit(4)(jax.random.key(0), (8,))
    >>> b.shape, b.dtype, bool((abs(b) <= 0.5).all())
    ((8,), dtype('float32'), True)
    """

    fan_in: int | None = None

    def __call__(self, key: jax.Array, shape: Shape, dtype: DType = jnp.float32) -> jax.Array:
        if self.fan_in is None:
            raise ValueError("Expected `fan_in` to be an int, got None: use torch_bias_init(fan_in) "
                             "or a torchlike_params.flax preset, which reads it from the kernel")
        return _pure.bias_uniform(key, shape, dtype, fan_in=self.fan_in)


def torch_bias_init(fan_in: int | None = None) -> TorchBiasInit:
    r"""A ``(key, shape, dtype)`` bias initializer: :math:`\mathcal{U}(\pm 1/\sqrt{\text{fan\_in}})`.

    ``fan_in`` is the torch fan_in of the layer's weight (:func:`torch_fan_in`); 0 gives
    zeros, as in torch. Without ``fan_in`` it is the placeholder the presets fill in.

    >>> b = torch_bias_init(16)(jax.random.key(0), (4,), jnp.float16)
    >>> b.shape, b.dtype, float(abs(b).max()) <= 0.25
    ((4,), dtype('float16'), True)
    >>> torch_bias_init(0)(jax.random.key(0), (2,)).tolist()
    [0.0, 0.0]

    Note: torch's bias draw follows the weight draw in one RNG stream; Flax gives each
    parameter its own key, so values match torch in distribution, not bit for bit.
    """
    if fan_in is not None and (isinstance(fan_in, bool) or not isinstance(fan_in, int) or fan_in < 0):
        raise ValueError(f"Expected `fan_in` to be a non-negative int, got {fan_in!r}")
    return TorchBiasInit(fan_in)


def torch_embed_init(*, mean: float = 0.0, std: float = 1.0) -> Initializer:
    r"""torch's ``Embedding`` init on a Flax ``(num_embeddings, features)`` table: :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    The default is torch's N(0, 1); Flax's default has std ``1/sqrt(features)``.

    >>> e = torch_embed_init()(jax.random.key(0), (1000, 64))
    >>> e.shape, e.dtype, 0.95 < float(e.std()) < 1.05
    ((1000, 64), dtype('float32'), True)

    Note: Flax's ``Embed`` has no ``padding_idx``; torch zeroes that row after the draw.
    """
    return functools.partial(_pure.normal, mean=float(mean), std=float(std))


def bind(init: Any, layer: str, kernel_shape: Shape, *, transpose_kernel: bool = False) -> Any:
    """Fill a preset's placeholders: a bias init's fan_in, a conv_transpose kernel init's layout.

    Anything that is not a placeholder comes back unchanged.

    >>> bind(torch_bias_init(), 'conv', (3, 3, 2, 8))
    TorchBiasInit(fan_in=18)
    """
    if isinstance(init, TorchBiasInit) and init.fan_in is None:
        return TorchBiasInit(torch_fan_in(layer, kernel_shape, transpose_kernel=transpose_kernel))
    if isinstance(init, TorchKernelInit) and init.layer == "conv_transpose" == layer:
        return dataclasses.replace(init, transpose_kernel=transpose_kernel)
    return init
