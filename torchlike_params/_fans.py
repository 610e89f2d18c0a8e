"""Fans, gains and the float64 scale arithmetic of ``torch.nn.init``.

Everything here works on shapes (torch layout: ``(out, in, *kernel)``) and Python floats,
so the pure and in-place faces compute bit-identical bounds and standard deviations.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Sequence

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d")


def shape_of(x: Any) -> tuple[int, ...]:
    """The shape of a box, an array, or a shape given directly.

    >>> shape_of((3, 4)), shape_of([2])
    ((3, 4), (2,))
    >>> shape_of("a")
    Traceback (most recent call last):
    ...
    TypeError: Expected `tensor` to be a Tensor or a shape, got str
    """
    dims = x if isinstance(x, (tuple, list)) else getattr(x, "shape", None)
    if dims is None or isinstance(dims, str):
        raise TypeError(f"Expected `tensor` to be a Tensor or a shape, got {type(x).__name__}")
    try:
        return tuple(operator.index(d) for d in dims)
    except TypeError:
        raise TypeError(f"Expected `tensor` to be a Tensor or a shape, got {x!r}") from None


def calculate_gain(nonlinearity: str, param: Any = None) -> float | int:
    r"""Return the recommended gain for a nonlinearity, exactly as ``torch.nn.init.calculate_gain``.

    ================= ====================================================
    nonlinearity      gain
    ================= ====================================================
    Linear / Identity :math:`1`
    Conv{1,2,3}D      :math:`1`
    Sigmoid           :math:`1`
    Tanh              :math:`\frac{5}{3}`
    ReLU              :math:`\sqrt{2}`
    Leaky Relu        :math:`\sqrt{\frac{2}{1 + \text{negative\_slope}^2}}`
    SELU              :math:`\frac{3}{4}`
    ================= ====================================================

    ``param`` is the leaky_relu slope (default 0.01) and is ignored for the other names.

    >>> calculate_gain('relu'), calculate_gain('linear'), calculate_gain('leaky_relu', 0.2)
    (1.4142135623730951, 1, 1.3867504905630728)
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def calculate_fan_in_and_fan_out(tensor: Any) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a torch-layout tensor or shape: ``in * receptive``, ``out * receptive``.

    ``receptive`` is the product of ``shape[2:]``; zero-size dimensions give zero fans.

    >>> calculate_fan_in_and_fan_out((16, 8, 3, 3))
    (72, 144)
    """
    shape = shape_of(tensor)
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def calculate_correct_fan(tensor: Any, mode: str) -> int:
    """``fan_in`` or ``fan_out`` by ``mode`` (case-insensitive, validated before the fans).

    >>> calculate_correct_fan((16, 8, 3, 3), 'FAN_OUT')
    144
    """
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def kaiming_std(shape: Sequence[int], a: float = 0, mode: str = "fan_in",
                nonlinearity: str = "leaky_relu") -> float:
    """``gain / sqrt(fan)`` in float64, in torch's order (mode, fan, then gain).

    >>> kaiming_std((4, 5), a=math.sqrt(5)) * math.sqrt(3.0)
    0.44721359549995787
    """
    fan = calculate_correct_fan(shape, mode)
    gain = calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def xavier_std(shape: Sequence[int], gain: float = 1.0) -> float:
    """``gain * sqrt(2 / (fan_in + fan_out))`` in float64.

    >>> xavier_std((3, 5))
    0.5
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(shape)
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def bias_bound(fan_in: int) -> float:
    """torch's default bias bound for Linear/Conv: ``1 / sqrt(fan_in)``, 0 when ``fan_in == 0``.

    >>> bias_bound(4)
    0.5
    """
    return 1 / math.sqrt(fan_in) if fan_in > 0 else 0
