"""Convolutions ``Conv1d``/``Conv2d``/``Conv3d`` with torch's constructors, checks, repr and default init."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import jax

from .. import init
from .._factories import empty
from .._parameter import Parameter
from . import functional as F
from ._module import Module

__all__ = ['Conv1d', 'Conv2d', 'Conv3d']


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
    """Shared base of the convolutions: torch's ``_ConvNd`` checks, parameters and init."""

    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding",
                     "in_channels", "out_channels", "kernel_size"]
    _n = 0

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
        self.weight = Parameter(empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw ``weight`` (kaiming_uniform_, a=sqrt(5)) then ``bias`` (U(±1/sqrt(fan_in))).

        >>> import torchlike_params as tp
        >>> tp.nn.Conv2d(2, 2, 3).reset_parameters()
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
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

    def _conv_forward(self, input: Any, weight: Any, bias: Any) -> jax.Array:
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[self._n]
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, (0,) * self._n, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Any) -> jax.Array:
        return self._conv_forward(input, self.weight, self.bias)


def _conv_class(n: int, parse, name: str, layout: str):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        _ConvNd.__init__(self, in_channels, out_channels, parse(kernel_size), parse(stride),
                         padding if isinstance(padding, str) else parse(padding), parse(dilation),
                         False, parse(0), groups, bias, padding_mode, device, dtype)

    doc = f"""{n}-D convolution over ``{layout}`` input; ``weight (out, in/groups, *kernel)``.

    Default init (torch's): ``kaiming_uniform_(weight, a=sqrt(5))`` (U(±1/sqrt(fan_in)),
    ``fan_in = in/groups * prod(kernel)``), then ``bias`` ~ U(±1/sqrt(fan_in)).
    Checks and messages are torch's; ``padding`` may be an int, a tuple, 'valid' or 'same'.

    >>> import torchlike_params as tp
    >>> tp.nn.{name}(4, 8, 3, bias=False).weight.shape
    torch.Size({[8, 4] + [3] * n})
    """
    return type(name, (_ConvNd,), {"__init__": __init__, "__doc__": doc, "_n": n, "__module__": __name__})


Conv1d = _conv_class(1, _single, "Conv1d", "(N, C, L)")
Conv2d = _conv_class(2, _pair, "Conv2d", "(N, C, H, W)")
Conv3d = _conv_class(3, _triple, "Conv3d", "(N, C, D, H, W)")
