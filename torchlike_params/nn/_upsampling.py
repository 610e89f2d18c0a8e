"""Upsampling layers: ``Upsample`` (with the ``UpsamplingNearest2d``/``UpsamplingBilinear2d`` aliases),
``PixelShuffle`` and ``PixelUnshuffle``."""

from __future__ import annotations

from typing import Any

import jax

from . import functional as F
from ._module import Module

__all__ = ['Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d', 'PixelShuffle', 'PixelUnshuffle']


class Upsample(Module):
    r"""Resize ``(N, C, *spatial)`` by ``F.interpolate``: to ``size``, or to ``floor(in * scale_factor)``.

    Modes: 'nearest', 'nearest-exact', 'linear' (3-D), 'bilinear'/'bicubic' (4-D), 'trilinear' (5-D), 'area'.
    Interpolating modes map output index ``o`` to source ``o * (in-1)/(out-1)`` with ``align_corners=True``,
    else ``(o + 0.5) * scale - 0.5`` clamped at 0 (``scale = 1/scale_factor`` or ``in/out``).

    Args:
        size: output spatial size (int or tuple).
        scale_factor: multiplier (float or tuple), stored as floats as torch does.
        mode: the interpolation mode.
        align_corners: only for the interpolating modes.
        recompute_scale_factor: compute the output size first, then interpolate with ``in/out``.

    Shape:
        ``(N, C, *in)`` -> ``(N, C, *out)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
    >>> m, m(jnp.ones((1, 3, 4, 5))).shape
    (Upsample(scale_factor=2.0, mode='bilinear'), (1, 3, 8, 10))

    Note:
        ``antialias`` and 'lanczos' are not available (``NotImplementedError``).
    """

    __constants__ = ["size", "scale_factor", "mode", "align_corners", "name", "recompute_scale_factor"]

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Any) -> jax.Array:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        info += ", mode=" + repr(self.mode)
        return info


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` (torch's deprecated 2-D alias).

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.UpsamplingNearest2d(scale_factor=2)(jnp.ones((1, 1, 2, 3))).shape
    (1, 1, 4, 6)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)`` (torch's deprecated 2-D alias).

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.UpsamplingBilinear2d(size=(3, 3))(jnp.ones((1, 1, 2, 2))).shape
    (1, 1, 3, 3)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """Rearrange ``(*, C*r^2, H, W)`` into ``(*, C, H*r, W*r)`` (sub-pixel convolution's upscaling).

    ``out[c, h*r + i, w*r + j] = in[c*r^2 + i*r + j, h, w]``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.PixelShuffle(3)
    >>> m, m(jnp.ones((1, 9, 4, 4))).shape
    (PixelShuffle(upscale_factor=3), (1, 1, 12, 12))
    """

    __constants__ = ["upscale_factor"]

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Any) -> jax.Array:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange ``(*, C, H*r, W*r)`` into ``(*, C*r^2, H, W)``, the inverse of ``PixelShuffle``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.PixelUnshuffle(2)
    >>> m, m(jnp.ones((1, 1, 4, 6))).shape
    (PixelUnshuffle(downscale_factor=2), (1, 4, 2, 3))
    """

    __constants__ = ["downscale_factor"]

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Any) -> jax.Array:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
