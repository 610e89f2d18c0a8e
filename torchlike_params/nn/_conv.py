"""Convolutions ``Conv1d/2d/3d`` and ``ConvTranspose1d/2d/3d`` with torch's constructors, checks, repr and init."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import jax

from .. import _checks, init
from .._factories import empty
from .._parameter import Parameter
from . import functional as F
from ._module import Module

__all__ = ['Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d']


def _ntuple(n: int):
    def parse(x: Any) -> tuple:
        if isinstance(x, Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(x for _ in range(n))
    return parse


_single, _pair, _triple = _ntuple(1), _ntuple(2), _ntuple(3)


def _reverse_repeat_tuple(t: tuple, n: int) -> tuple:
    return tuple(x for x in reversed(t) for _ in range(n))


class _ConvNd(Module):
    """Shared base of the convolutions: torch's ``_ConvNd`` checks, parameters, init and repr."""

    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding",
                     "in_channels", "out_channels", "kernel_size"]

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple, stride: tuple, padding: Any,
                 dilation: tuple, transposed: bool, output_padding: tuple, groups: int, bias: bool,
                 padding_mode: str, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid_padding_strings = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid_padding_strings}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        valid_padding_modes = {"zeros", "reflect", "replicate", "circular"}
        if padding_mode not in valid_padding_modes:
            raise ValueError(f"padding_mode must be one of {valid_padding_modes}, but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        if isinstance(self.padding, str):
            pads = [0, 0] * len(kernel_size)
            if padding == "same":
                for arg, value in (("kernel_size", kernel_size), ("dilation", dilation)):
                    if not all(_checks.is_int(v) for v in value):
                        raise TypeError(f"Expected `{arg}` to be an int or a tuple of ints, got {value!r}")
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    pads[2 * i] = total // 2
                    pads[2 * i + 1] = total - total // 2
            self._reversed_padding_repeated_twice = pads
        else:
            self._reversed_padding_repeated_twice = list(_reverse_repeat_tuple(self.padding, 2))
        if transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw ``weight`` (kaiming_uniform_, a=sqrt(5)) then ``bias`` (U(±1/sqrt(fan_in))).

        ``fan_in`` is computed on the stored weight, so for the transposed layers it is ``out/groups * prod(k)``.

        >>> import torchlike_params as tp
        >>> tp.nn.Conv2d(2, 2, 3).reset_parameters()
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


class _Conv(_ConvNd):
    """The forward of ``Conv1d/2d/3d``: ``padding_mode`` other than 'zeros' pads with ``F.pad`` first."""

    _n = 0

    def _conv_forward(self, input: Any, weight: Any, bias: Any) -> jax.Array:
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[self._n]
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, (0,) * self._n, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Any) -> jax.Array:
        return self._conv_forward(input, self.weight, self.bias)


def _conv_args(parse, kernel_size: Any, stride: Any, padding: Any, dilation: Any) -> tuple:
    return parse(kernel_size), parse(stride), padding if isinstance(padding, str) else parse(padding), parse(dilation)


class Conv1d(_Conv):
    r"""1-D convolution over ``(N, C_in, L)``: ``out[o] = bias[o] + sum_c weight[o, c] ⋆ input[c]``.

    ``weight (out_channels, in_channels/groups, k)``, ``bias (out_channels)``.
    ``L_out = floor((L + 2*padding - dilation*(k - 1) - 1) / stride) + 1``.

    Default init (torch's): ``kaiming_uniform_(weight, a=sqrt(5))``, i.e. U(±1/sqrt(fan_in)) with
    ``fan_in = in_channels/groups * k``, then ``bias`` ~ U(±1/sqrt(fan_in)).

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size, stride, padding, dilation: ints or 1-tuples; ``padding`` may also be 'valid' or 'same'.
        groups: blocked connections from input to output channels.
        bias: learnable bias if True.
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.
        device: checked as torch does (an unparsable string raises); arrays live on JAX's default device.
        dtype: parameter dtype.

    Shape:
        ``(N, C_in, L)`` or ``(C_in, L)`` -> ``(N, C_out, L_out)`` or ``(C_out, L_out)``.

    Attributes:
        weight: (out_channels, in_channels/groups, kernel_size),
            U(-sqrt(k), sqrt(k)) with k = groups / (in_channels * kernel_size).
        bias: (out_channels,), U(-sqrt(k), sqrt(k)) with the same k; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.Conv1d(4, 8, 3, bias=False)
    >>> m.weight.shape, m(jnp.ones((2, 4, 10))).shape, m(jnp.ones((2, 4, 10))).dtype
    (torch.Size([8, 4, 3]), (2, 8, 8), dtype('float32'))

    Note:
        ``device`` is checked (torch's RuntimeError for a string such as 'bogus') and otherwise ignored.
    """

    _n = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        k, s, p, d = _conv_args(_single, kernel_size, stride, padding, dilation)
        super().__init__(in_channels, out_channels, k, s, p, d, False, _single(0), groups, bias, padding_mode,
                         device, dtype)


class Conv2d(_Conv):
    r"""2-D convolution over ``(N, C_in, H, W)``: ``out[o] = bias[o] + sum_c weight[o, c] ⋆ input[c]``.

    ``weight (out_channels, in_channels/groups, kH, kW)``, ``bias (out_channels)``.
    ``H_out = floor((H + 2*padding[0] - dilation[0]*(kH - 1) - 1) / stride[0]) + 1`` (likewise W).

    Default init (torch's): ``kaiming_uniform_(weight, a=sqrt(5))``, i.e. U(±1/sqrt(fan_in)) with
    ``fan_in = in_channels/groups * kH * kW``, then ``bias`` ~ U(±1/sqrt(fan_in)).

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size, stride, padding, dilation: ints or 2-tuples; ``padding`` may also be 'valid' or 'same'.
        groups: blocked connections from input to output channels.
        bias: learnable bias if True.
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.
        device: checked as torch does (an unparsable string raises); arrays live on JAX's default device.
        dtype: parameter dtype.

    Shape:
        ``(N, C_in, H, W)`` or ``(C_in, H, W)`` -> ``(N, C_out, H_out, W_out)`` or ``(C_out, H_out, W_out)``.

    Attributes:
        weight: (out_channels, in_channels/groups, kH, kW) with (kH, kW) = kernel_size,
            U(-sqrt(k), sqrt(k)) with k = groups / (in_channels * kH * kW).
        bias: (out_channels,), U(-sqrt(k), sqrt(k)) with the same k; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.Conv2d(3, 8, 3, padding=1)
    >>> m, m.weight.shape, m(jnp.ones((2, 3, 6, 6))).shape
    (Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)), torch.Size([8, 3, 3, 3]), (2, 8, 6, 6))

    Note:
        ``device`` is checked (torch's RuntimeError for a string such as 'bogus') and otherwise ignored.
    """

    _n = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        k, s, p, d = _conv_args(_pair, kernel_size, stride, padding, dilation)
        super().__init__(in_channels, out_channels, k, s, p, d, False, _pair(0), groups, bias, padding_mode,
                         device, dtype)


class Conv3d(_Conv):
    r"""3-D convolution over ``(N, C_in, D, H, W)``: ``out[o] = bias[o] + sum_c weight[o, c] ⋆ input[c]``.

    ``weight (out_channels, in_channels/groups, kD, kH, kW)``, ``bias (out_channels)``; each output size is
    ``floor((size + 2*padding - dilation*(k - 1) - 1) / stride) + 1``.

    Default init (torch's): ``kaiming_uniform_(weight, a=sqrt(5))``, i.e. U(±1/sqrt(fan_in)) with
    ``fan_in = in_channels/groups * kD * kH * kW``, then ``bias`` ~ U(±1/sqrt(fan_in)).

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size, stride, padding, dilation: ints or 3-tuples; ``padding`` may also be 'valid' or 'same'.
        groups: blocked connections from input to output channels.
        bias: learnable bias if True.
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.
        device: checked as torch does (an unparsable string raises); arrays live on JAX's default device.
        dtype: parameter dtype.

    Shape:
        ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)`` -> ``(N, C_out, D_out, H_out, W_out)`` or unbatched.

    Attributes:
        weight: (out_channels, in_channels/groups, kD, kH, kW) with (kD, kH, kW) = kernel_size,
            U(-sqrt(k), sqrt(k)) with k = groups / (in_channels * kD * kH * kW).
        bias: (out_channels,), U(-sqrt(k), sqrt(k)) with the same k; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.Conv3d(2, 4, 3)
    >>> m.weight.shape, m(jnp.ones((1, 2, 5, 5, 5))).shape
    (torch.Size([4, 2, 3, 3, 3]), (1, 4, 3, 3, 3))

    Note:
        ``device`` is checked (torch's RuntimeError for a string such as 'bogus') and otherwise ignored.
    """

    _n = 3

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        k, s, p, d = _conv_args(_triple, kernel_size, stride, padding, dilation)
        super().__init__(in_channels, out_channels, k, s, p, d, False, _triple(0), groups, bias, padding_mode,
                         device, dtype)


class _ConvTransposeNd(_ConvNd):
    """Shared base of the transposed convolutions: only 'zeros' padding, and ``output_size=`` in forward."""

    _n = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple, stride: tuple, padding: tuple,
                 dilation: tuple, transposed: bool, output_padding: tuple, groups: int, bias: bool,
                 padding_mode: str, device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {self.__class__.__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                         output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input: Any, output_size: Any, stride: tuple, padding: tuple, kernel_size: tuple,
                        num_spatial_dims: int, dilation: tuple | None = None) -> list[int]:
        """torch's rule: ``output_padding``, or the one that makes the output ``output_size`` (with its errors)."""
        if output_size is None:
            return list(_single(self.output_padding))
        shape = tuple(input.shape)
        output_size = list(output_size)
        has_batch_dim = len(shape) == num_spatial_dims + 2
        num_non_spatial_dims = 2 if has_batch_dim else 1
        if len(output_size) == num_non_spatial_dims + num_spatial_dims:
            output_size = output_size[num_non_spatial_dims:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(
                f"ConvTranspose{num_spatial_dims}D: for {len(shape)}D input, output_size must have {num_spatial_dims} "
                f"or {num_non_spatial_dims + num_spatial_dims} elements (got {len(output_size)})")
        min_sizes, max_sizes = [], []
        for d in range(num_spatial_dims):
            dim_size = ((shape[d + num_non_spatial_dims] - 1) * stride[d] - 2 * padding[d]
                        + (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1) + 1)
            min_sizes.append(dim_size)
            max_sizes.append(min_sizes[d] + stride[d] - 1)
        for size, lo, hi in zip(output_size, min_sizes, max_sizes):
            if size < lo or size > hi:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range "
                    f"from {min_sizes} to {max_sizes} (for an input of torch.Size({list(shape[2:])}))")
        return [output_size[d] - min_sizes[d] for d in range(num_spatial_dims)]

    def forward(self, input: Any, output_size: Any = None) -> jax.Array:
        n = self._n
        if self.padding_mode != "zeros":
            raise ValueError(f"Only `zeros` padding mode is supported for {type(self).__name__}")
        output_padding = self._output_padding(input, output_size, self.stride, self.padding, self.kernel_size,
                                              n, self.dilation)
        conv = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[n]
        return conv(input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
                    self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    r"""1-D transposed convolution (the gradient of ``conv1d``) over ``(N, C_in, L)``.

    ``weight (in_channels, out_channels/groups, k)`` (torch's transposed layout), ``bias (out_channels)``.
    ``L_out = (L - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1``.

    Default init (torch's, on the transposed weight): ``kaiming_uniform_(weight, a=sqrt(5))`` with
    ``fan_in = weight.size(1) * k = out_channels/groups * k``, then ``bias`` ~ U(±1/sqrt(fan_in)).

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size, stride, padding, output_padding, dilation: ints or 1-tuples.
        groups: blocked connections from input to output channels.
        bias: learnable bias if True.
        padding_mode: only 'zeros' (torch's check).
        device: checked as torch does (an unparsable string raises); arrays live on JAX's default device.
        dtype: parameter dtype.

    Shape:
        ``(N, C_in, L)`` or ``(C_in, L)`` -> ``(N, C_out, L_out)`` or ``(C_out, L_out)``.
        ``forward(input, output_size=None)``: ``output_size`` picks the output padding as torch does.

    Attributes:
        weight: (in_channels, out_channels/groups, kernel_size),
            U(-sqrt(k), sqrt(k)) with k = groups / (out_channels * kernel_size).
        bias: (out_channels,), U(-sqrt(k), sqrt(k)) with the same k; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.ConvTranspose1d(4, 6, 3, stride=2, output_padding=1)
    >>> m.weight.shape, m(jnp.ones((2, 4, 5))).shape, m(jnp.ones((2, 4, 5)), output_size=[11]).shape
    (torch.Size([4, 6, 3]), (2, 6, 12), (2, 6, 11))

    Note:
        ``device`` is checked (torch's RuntimeError for a string such as 'bogus') and otherwise ignored.
    """

    _n = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _single(kernel_size), _single(stride), _single(padding),
                         _single(dilation), True, _single(output_padding), groups, bias, padding_mode, device, dtype)


class ConvTranspose2d(_ConvTransposeNd):
    r"""2-D transposed convolution (the gradient of ``conv2d``) over ``(N, C_in, H, W)``.

    ``weight (in_channels, out_channels/groups, kH, kW)`` (torch's transposed layout), ``bias (out_channels)``.
    ``H_out = (H - 1)*stride[0] - 2*padding[0] + dilation[0]*(kH - 1) + output_padding[0] + 1`` (likewise W).

    Default init (torch's, on the transposed weight): ``kaiming_uniform_(weight, a=sqrt(5))`` with
    ``fan_in = out_channels/groups * kH * kW``, then ``bias`` ~ U(±1/sqrt(fan_in)).

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size, stride, padding, output_padding, dilation: ints or 2-tuples.
        groups: blocked connections from input to output channels.
        bias: learnable bias if True.
        padding_mode: only 'zeros' (torch's check).
        device: checked as torch does (an unparsable string raises); arrays live on JAX's default device.
        dtype: parameter dtype.

    Shape:
        ``(N, C_in, H, W)`` or ``(C_in, H, W)`` -> ``(N, C_out, H_out, W_out)`` or unbatched.
        ``forward(input, output_size=None)``: ``output_size`` picks the output padding as torch does.

    Attributes:
        weight: (in_channels, out_channels/groups, kH, kW) with (kH, kW) = kernel_size,
            U(-sqrt(k), sqrt(k)) with k = groups / (out_channels * kH * kW).
        bias: (out_channels,), U(-sqrt(k), sqrt(k)) with the same k; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, groups=2)
    >>> m, m.weight.shape, m(jnp.ones((1, 4, 5, 5))).shape
    (ConvTranspose2d(4, 8, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), groups=2), torch.Size([4, 4, 3, 3]), (1, 8, 9, 9))

    Note:
        ``device`` is checked (torch's RuntimeError for a string such as 'bogus') and otherwise ignored.
    """

    _n = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _pair(kernel_size), _pair(stride), _pair(padding),
                         _pair(dilation), True, _pair(output_padding), groups, bias, padding_mode, device, dtype)


class ConvTranspose3d(_ConvTransposeNd):
    r"""3-D transposed convolution (the gradient of ``conv3d``) over ``(N, C_in, D, H, W)``.

    ``weight (in_channels, out_channels/groups, kD, kH, kW)``, ``bias (out_channels)``; each output size is
    ``(size - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1``.

    Default init (torch's, on the transposed weight): ``kaiming_uniform_(weight, a=sqrt(5))`` with
    ``fan_in = out_channels/groups * kD * kH * kW``, then ``bias`` ~ U(±1/sqrt(fan_in)).

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size, stride, padding, output_padding, dilation: ints or 3-tuples.
        groups: blocked connections from input to output channels.
        bias: learnable bias if True.
        padding_mode: only 'zeros' (torch's check).
        device: checked as torch does (an unparsable string raises); arrays live on JAX's default device.
        dtype: parameter dtype.

    Shape:
        ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)`` -> ``(N, C_out, D_out, H_out, W_out)`` or unbatched.
        ``forward(input, output_size=None)``: ``output_size`` picks the output padding as torch does.

    Attributes:
        weight: (in_channels, out_channels/groups, kD, kH, kW) with (kD, kH, kW) = kernel_size,
            U(-sqrt(k), sqrt(k)) with k = groups / (out_channels * kD * kH * kW).
        bias: (out_channels,), U(-sqrt(k), sqrt(k)) with the same k; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> m = tp.nn.ConvTranspose3d(2, 4, 2, stride=2)
    >>> m.weight.shape, m(jnp.ones((1, 2, 3, 3, 3))).shape
    (torch.Size([2, 4, 2, 2, 2]), (1, 4, 6, 6, 6))

    Note:
        ``device`` is checked (torch's RuntimeError for a string such as 'bogus') and otherwise ignored.
    """

    _n = 3

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, _triple(kernel_size), _triple(stride), _triple(padding),
                         _triple(dilation), True, _triple(output_padding), groups, bias, padding_mode, device, dtype)
