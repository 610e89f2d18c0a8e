"""Pooling layers: ``MaxPool``, ``AvgPool``, ``AdaptiveAvgPool`` (1-3 d) and ``AdaptiveMaxPool`` (1-3 d).

Arguments are stored exactly as torch stores them (MaxPool and AvgPool2d/3d keep what was passed,
AvgPool1d turns them into 1-tuples), so ``repr`` matches. The math is in ``F.*pool*``.
"""

from __future__ import annotations

from typing import Any

import jax

from . import functional as F
from ._module import Module

__all__ = ['MaxPool1d', 'MaxPool2d', 'MaxPool3d', 'AvgPool1d', 'AvgPool2d', 'AvgPool3d',
           'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveAvgPool3d',
           'AdaptiveMaxPool1d', 'AdaptiveMaxPool2d', 'AdaptiveMaxPool3d']


def _single(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


class _MaxPoolNd(Module):
    """Shared constructor and repr of ``MaxPool1d/2d/3d``."""

    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"]
    _fn = staticmethod(F.max_pool1d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Any) -> Any:
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                              ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}"
                ", dilation={dilation}, ceil_mode={ceil_mode}".format(**self.__dict__))


class MaxPool1d(_MaxPoolNd):
    r"""1-D max pooling: ``out[n, c, l] = max_{j < k} x[n, c, l*stride - padding + j*dilation]``.

    ``L_out = floor((L + 2*padding - dilation*(k - 1) - 1)/stride + 1)`` (``ceil`` with ``ceil_mode``,
    dropping a last window that would start in the right padding). Padding is ``-inf``.

    Args:
        kernel_size, stride (default ``kernel_size``), padding (at most ``k // 2``), dilation.
        return_indices: also return the argmax's flat index into each input plane (as torch does).
        ceil_mode: round the output size up.

    Shape:
        ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, L_out)`` or ``(C, L_out)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.MaxPool1d(3, stride=2, ceil_mode=True)
    >>> m, m(jnp.ones((2, 4, 10))).shape
    (MaxPool1d(kernel_size=3, stride=2, padding=0, dilation=1, ceil_mode=True), (2, 4, 5))

    Note:
        Indices are int32 unless ``jax_enable_x64`` is on (torch: int64).
    """

    _fn = staticmethod(F.max_pool1d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, dilation, return_indices, ceil_mode)


class MaxPool2d(_MaxPoolNd):
    r"""2-D max pooling over ``(N, C, H, W)``: the max of each (dilated) ``kH x kW`` window.

    ``H_out = floor((H + 2*padding[0] - dilation[0]*(kH - 1) - 1)/stride[0] + 1)`` (likewise W; ``ceil``
    with ``ceil_mode``).

    Args:
        kernel_size, stride (default ``kernel_size``), padding (at most half the kernel), dilation.
        return_indices: also return the flat index ``h*W + w`` of each max in its input plane.
        ceil_mode: round the output size up.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> y, i = tp.nn.MaxPool2d(2, return_indices=True)(jnp.arange(16.0).reshape(1, 1, 4, 4))
    >>> y.shape, i.tolist()
    ((1, 1, 2, 2), [[[[5, 7], [13, 15]]]])

    Note:
        Indices are int32 unless ``jax_enable_x64`` is on (torch: int64).
    """

    _fn = staticmethod(F.max_pool2d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, dilation, return_indices, ceil_mode)


class MaxPool3d(_MaxPoolNd):
    r"""3-D max pooling over ``(N, C, D, H, W)``: the max of each (dilated) ``kD x kH x kW`` window.

    Each output size is ``floor((size + 2*padding - dilation*(k - 1) - 1)/stride + 1)`` (``ceil`` with ``ceil_mode``).

    Args:
        kernel_size, stride (default ``kernel_size``), padding, dilation, return_indices, ceil_mode.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)`` -> ``(N, C, D_out, H_out, W_out)`` or unbatched.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.MaxPool3d(2, stride=1)(jnp.ones((1, 2, 4, 4, 4))).shape
    (1, 2, 3, 3, 3)

    Note:
        Indices are int32 unless ``jax_enable_x64`` is on (torch: int64).
    """

    _fn = staticmethod(F.max_pool3d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, dilation, return_indices, ceil_mode)


class _AvgPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    r"""1-D average pooling: ``out[l] = sum_{j<k} x[l*stride - padding + j] / divisor``.

    The divisor is the window clipped to the padded input (``count_include_pad=True``) or to the input.

    Args:
        kernel_size, stride (default ``kernel_size``), padding (at most ``k // 2``): ints or 1-tuples.
        ceil_mode: round the output size up.
        count_include_pad: count zero padding in the divisor.

    Shape:
        ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, L_out)`` or ``(C, L_out)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.AvgPool1d(3, stride=2)
    >>> m, m(jnp.ones((1, 4, 7))).shape
    (AvgPool1d(kernel_size=(3,), stride=(2,), padding=(0,)), (1, 4, 3))
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Any) -> jax.Array:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AvgPool23(_AvgPoolNd):
    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"]
    _fn = staticmethod(F.avg_pool2d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Any) -> jax.Array:
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                              self.count_include_pad, self.divisor_override)


class AvgPool2d(_AvgPool23):
    r"""2-D average pooling over ``(N, C, H, W)``: each ``kH x kW`` window's sum over torch's divisor.

    Divisor: ``divisor_override`` if given, else the window clipped to the padded input
    (``count_include_pad=True``) or to the input itself.

    Args:
        kernel_size, stride (default ``kernel_size``), padding, ceil_mode, count_include_pad, divisor_override.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.AvgPool2d(2)
    >>> m, m(jnp.ones((1, 3, 4, 4))).shape
    (AvgPool2d(kernel_size=2, stride=2, padding=0), (1, 3, 2, 2))
    """

    _fn = staticmethod(F.avg_pool2d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


class AvgPool3d(_AvgPool23):
    r"""3-D average pooling over ``(N, C, D, H, W)``: each window's sum over torch's divisor.

    Args:
        kernel_size, stride (default ``kernel_size``), padding, ceil_mode, count_include_pad, divisor_override.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)`` -> ``(N, C, D_out, H_out, W_out)`` or unbatched.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.AvgPool3d(2, ceil_mode=True)(jnp.ones((1, 2, 5, 5, 5))).shape
    (1, 2, 3, 3, 3)
    """

    _fn = staticmethod(F.avg_pool3d)

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


class _AdaptiveAvgPoolNd(Module):
    __constants__ = ["output_size"]
    _fn = staticmethod(F.adaptive_avg_pool1d)

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Any) -> jax.Array:
        return type(self)._fn(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    r"""Average over ``out`` windows ``[floor(o*L/out), ceil((o+1)*L/out))`` of the last dim.

    Shape: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, out)`` or ``(C, out)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.AdaptiveAvgPool1d(3)
    >>> m, m(jnp.ones((2, 4, 10))).shape
    (AdaptiveAvgPool1d(output_size=3), (2, 4, 3))
    """

    _fn = staticmethod(F.adaptive_avg_pool1d)

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    r"""Adaptive average pooling to ``(H_out, W_out)``; a ``None`` entry keeps the input size.

    Shape: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)`` or unbatched.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.AdaptiveAvgPool2d((1, None))(jnp.ones((2, 3, 5, 7))).shape
    (2, 3, 1, 7)
    """

    _fn = staticmethod(F.adaptive_avg_pool2d)

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    r"""Adaptive average pooling to ``(D_out, H_out, W_out)``; a ``None`` entry keeps the input size.

    Shape: ``(N, C, D, H, W)`` or ``(C, D, H, W)`` -> ``(N, C, D_out, H_out, W_out)`` or unbatched.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.AdaptiveAvgPool3d(2)(jnp.ones((1, 3, 5, 5, 5))).shape
    (1, 3, 2, 2, 2)
    """

    _fn = staticmethod(F.adaptive_avg_pool3d)

    def __init__(self, output_size: Any) -> None:
        super().__init__(output_size)


class _AdaptiveMaxPoolNd(Module):
    __constants__ = ["output_size", "return_indices"]
    _fn = staticmethod(F.adaptive_max_pool1d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Any) -> Any:
        return type(self)._fn(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    r"""Max over ``out`` windows ``[floor(o*L/out), ceil((o+1)*L/out))``; optionally with flat indices.

    Shape: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, out)`` or ``(C, out)``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.AdaptiveMaxPool1d(2, return_indices=True)
    >>> m, m(jnp.array([[[1.0, 5.0, 2.0, 4.0, 3.0]]]))[1].tolist()
    (AdaptiveMaxPool1d(output_size=2), [[[1, 3]]])

    Note:
        Indices are int32 unless ``jax_enable_x64`` is on (torch: int64).
    """

    _fn = staticmethod(F.adaptive_max_pool1d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size, return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    r"""Adaptive max pooling to ``(H_out, W_out)`` (``None`` keeps the input size); indices index each plane.

    Shape: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)`` or unbatched.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.AdaptiveMaxPool2d((2, 3))(jnp.ones((1, 3, 5, 7))).shape
    (1, 3, 2, 3)

    Note:
        Indices are int32 unless ``jax_enable_x64`` is on (torch: int64).
    """

    _fn = staticmethod(F.adaptive_max_pool2d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size, return_indices)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    r"""Adaptive max pooling to ``(D_out, H_out, W_out)``; indices index each ``D*H*W`` plane.

    Shape: ``(N, C, D, H, W)`` or ``(C, D, H, W)`` -> ``(N, C, D_out, H_out, W_out)`` or unbatched.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> tp.nn.AdaptiveMaxPool3d(2)(jnp.ones((1, 3, 5, 5, 5))).shape
    (1, 3, 2, 2, 2)

    Note:
        Indices are int32 unless ``jax_enable_x64`` is on (torch: int64).
    """

    _fn = staticmethod(F.adaptive_max_pool3d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size, return_indices)
