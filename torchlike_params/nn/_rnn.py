"""Recurrent layers ``RNN``/``LSTM``/``GRU`` and their cells, with torch's constructors, checks,
parameter names, default init and gate layouts; the time loop is one ``jax.lax.scan`` per layer
(both directions of a bidirectional layer run in the same scan, ``vmap``-ed).
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from .. import init
from .._dtype import _TORCH_NAMES
from .._factories import empty
from .._parameter import Parameter
from . import functional as F
from .functional._common import _v
from ._module import Module

# RNNBase and RNNCellBase (public in torch.nn) stay importable from here but are not re-exported:
# they have no forward, so the layer registry could not give them a spec.
__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


# -- the math ----------------------------------------------------------------------------------
def _linear(x: jax.Array, w: jax.Array, b: jax.Array | None) -> jax.Array:
    y = jnp.matmul(x, jnp.swapaxes(w, -1, -2))
    return y if b is None else y + b


def _cell(mode: str, xi: jax.Array, h: jax.Array, c: jax.Array | None, w_hh: jax.Array,
          b_hh: jax.Array | None, w_hr: jax.Array | None) -> tuple[jax.Array, jax.Array | None]:
    """One step given the input projection ``xi = x W_ih^T + b_ih``; returns ``(h', c')``."""
    gh = _linear(h, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = jnp.split(xi + gh, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        if w_hr is not None:
            h = _linear(h, w_hr, None)
        return h, c
    if mode == "GRU":
        xr, xz, xn = jnp.split(xi, 3, axis=-1)
        hr, hz, hn = jnp.split(gh, 3, axis=-1)
        r = jax.nn.sigmoid(xr + hr)
        z = jax.nn.sigmoid(xz + hz)
        n = jnp.tanh(xn + r * hn)
        return (1 - z) * n + z * h, None
    pre = xi + gh
    return (jnp.tanh(pre) if mode == "RNN_TANH" else jax.nn.relu(pre)), None


def _scan_layer(mode: str, x: jax.Array, h0: jax.Array, c0: jax.Array | None,
                params: tuple) -> tuple[jax.Array, jax.Array, jax.Array | None]:
    """One direction of one layer over ``x (T, B, in)``: ``(output (T, B, H_r), h_T, c_T)``."""
    w_ih, w_hh, b_ih, b_hh, w_hr = params
    xi = _linear(x, w_ih, b_ih)  # all time steps at once, as torch does

    def step(carry: tuple, xi_t: jax.Array) -> tuple:
        h, c = _cell(mode, xi_t, carry[0], carry[1], w_hh, b_hh, w_hr)
        return (h, c), h

    (h, c), out = lax.scan(step, (h0, c0), xi)
    return out, h, c


@functools.partial(jax.jit, static_argnames="mode")
def _run_layer(mode: str, x: jax.Array, h0: jax.Array, c0: jax.Array | None, params: list[tuple]) -> tuple:
    """All directions of one layer. ``h0``/``c0`` are ``(D, B, ·)``; ``params`` one tuple per direction.

    Jitted (the scan's body is a fresh closure per call, so eager calls would otherwise retrace and
    recompile every time); inside an outer ``jax.jit`` it is inlined.
    """
    if len(params) == 1:
        out, h, c = _scan_layer(mode, x, h0[0], None if c0 is None else c0[0], params[0])
        return out, h[None], None if c is None else c[None]
    stacked = jax.tree.map(lambda *a: jnp.stack(a), *params)
    xs = jnp.stack([x, jnp.flip(x, 0)])
    out, h, c = jax.vmap(lambda xx, hh, cc, pp: _scan_layer(mode, xx, hh, cc, pp))(xs, h0, c0, stacked)
    return jnp.concatenate([out[0], jnp.flip(out[1], 0)], axis=-1), h, c


def _dtype_name(dtype: Any) -> str:
    return _TORCH_NAMES.get(jnp.dtype(dtype).name, str(dtype))


# -- the stacked layers ------------------------------------------------------------------------
class RNNBase(Module):
    r"""Shared base of ``RNN``, ``LSTM`` and ``GRU``: torch's ``RNNBase`` checks, parameters and init.

    Parameters per layer ``k`` and direction (suffix ``''`` or ``'_reverse'``), registered in this
    order: ``weight_ih_l{k} (G*H, in_k)``, ``weight_hh_l{k} (G*H, H_r)``, ``bias_ih_l{k} (G*H)``,
    ``bias_hh_l{k} (G*H)``, ``weight_hr_l{k} (P, H)`` (LSTM with ``proj_size=P``), where ``G`` is
    1 / 4 / 3 for RNN / LSTM / GRU, ``H_r = P or H`` and ``in_k = input_size`` for ``k = 0``,
    ``H_r * num_directions`` after. Every parameter is drawn from ``U(-1/sqrt(H), 1/sqrt(H))`` in
    that order (torch's ``reset_parameters``).

    Attributes:
        weight_ih_l{k}: (G*H, in_k), U(-1/sqrt(H), 1/sqrt(H)).
        weight_hh_l{k}: (G*H, H_r), U(-1/sqrt(H), 1/sqrt(H)).
        bias_ih_l{k}: (G*H,), U(-1/sqrt(H), 1/sqrt(H)); absent if bias=False.
        bias_hh_l{k}: (G*H,), U(-1/sqrt(H), 1/sqrt(H)); absent if bias=False.
        weight_hr_l{k}: (P, H), U(-1/sqrt(H), 1/sqrt(H)); only for LSTM with proj_size=P > 0.
        *_reverse: the same shapes and init for the reverse direction; only with bidirectional=True.

    Note:
        ``PackedSequence`` inputs are not supported. ``flatten_parameters()`` is a no-op (there is
        no cuDNN buffer to compact). ``mode`` strings are torch's (``'LSTM'``, ``'GRU'``,
        ``'RNN_TANH'``, ``'RNN_RELU'``). Not re-exported from ``torchlike_params.nn`` (torch exports it).

    >>> from torchlike_params.nn._rnn import RNNBase
    >>> [n for n, _ in RNNBase('GRU', 2, 3).named_parameters()]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    """

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1

        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=3)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if not isinstance(num_layers, int):
            raise TypeError(f"Expected `num_layers` to be an int, got {num_layers!r}")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)

        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = {"weight_ih": (gate_size, layer_input_size), "weight_hh": (gate_size, real_hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for stem, shape in shapes.items():
                    name = f"{stem}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def flatten_parameters(self) -> None:
        """A no-op, kept for torch code that calls it (there is no cuDNN weight buffer here).

        >>> import torchlike_params as tp
        >>> tp.nn.LSTM(2, 3).flatten_parameters()
        """

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped per layer and direction, as torch's ``all_weights``."""
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def reset_parameters(self) -> None:
        """Redraw every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))`` in registration order.

        >>> import torchlike_params as tp
        >>> tp.nn.GRU(2, 4).reset_parameters()
        """
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # -- forward helpers ------------------------------------------------------------------------
    def _check_input(self, input: jax.Array) -> None:
        w = self._parameters[self._flat_weights_names[0]]
        if input.dtype != w.dtype:
            wd, xd = _dtype_name(w.dtype), _dtype_name(input.dtype)
            raise ValueError(f"RNN input dtype ({xd}) does not match weight dtype ({wd}). "
                             f"Convert input: input.to({wd}), or convert model: model.to({xd})")
        if input.ndim != 3:
            raise RuntimeError(f"input must have 3 dimensions, got {input.ndim}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")

    def _expected_hidden(self, input: jax.Array, size: int) -> tuple[int, int, int]:
        mini_batch = input.shape[0] if self.batch_first else input.shape[1]
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, size)

    @staticmethod
    def _check_hidden(hx: jax.Array, expected: tuple, msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _layer_params(self, layer: int, direction: int) -> tuple:
        suffix = "_reverse" if direction == 1 else ""
        get = lambda stem: _v(getattr(self, f"{stem}_l{layer}{suffix}", None))  # noqa: E731
        return (get("weight_ih"), get("weight_hh"), get("bias_ih") if self.bias else None,
                get("bias_hh") if self.bias else None, get("weight_hr") if self.proj_size > 0 else None)

    def _run(self, input: jax.Array, h0: jax.Array, c0: jax.Array | None) -> tuple:
        """The stacked layers on time-major ``input (T, B, in)``; ``h0``/``c0`` are ``(L*D, B, ·)``."""
        dirs = 2 if self.bidirectional else 1
        x, hs, cs = input, [], []
        for layer in range(self.num_layers):
            sl = slice(layer * dirs, (layer + 1) * dirs)
            params = [self._layer_params(layer, d) for d in range(dirs)]
            x, h, c = _run_layer(mode=self.mode, x=x, h0=h0[sl], c0=None if c0 is None else c0[sl], params=params)
            hs.append(h)
            cs.append(c)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, p=self.dropout, training=True)
        return x, jnp.concatenate(hs), None if c0 is None else jnp.concatenate(cs)

    def _forward_single_state(self, name: str, input: Any, hx: Any) -> tuple[jax.Array, jax.Array]:
        """RNN and GRU: one hidden state ``h``."""
        x = _v(input)
        if x.ndim not in (2, 3):
            tensor = " tensor" if name == "RNN" else ""
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.ndim}D{tensor} instead")
        is_batched = x.ndim == 3
        batch_dim = 0 if self.batch_first else 1
        h = None if hx is None else _v(hx)
        if not is_batched:
            x = jnp.expand_dims(x, batch_dim)
            if h is not None:
                if h.ndim != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {h.ndim}-D tensor")
                h = h[:, None]
        elif h is not None and h.ndim != 3:
            raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {h.ndim}-D tensor")
        if h is None:
            h = jnp.zeros(self._expected_hidden(x, self.hidden_size), dtype=x.dtype)
        self._check_input(x)
        self._check_hidden(h, self._expected_hidden(x, self.hidden_size))
        xt = jnp.swapaxes(x, 0, 1) if self.batch_first else x
        out, h_n, _ = self._run(xt, h, None)
        out = jnp.swapaxes(out, 0, 1) if self.batch_first else out
        if not is_batched:
            out, h_n = jnp.squeeze(out, batch_dim), h_n[:, 0]
        return out, h_n


def _check_kwargs(kwargs: dict, cls: str) -> None:
    if "proj_size" in kwargs:
        raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
    if kwargs:
        raise TypeError(f"{cls}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")


class RNN(RNNBase):
    r"""Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ReLU), stacked ``num_layers`` deep.

    Args:
        input_size, hidden_size: features of ``x`` and ``h``.
        num_layers: stacked layers (layer ``k > 0`` reads layer ``k-1``'s output).
        nonlinearity: ``'tanh'`` or ``'relu'``.
        bias: whether to use ``bias_ih`` and ``bias_hh``.
        batch_first: inputs/outputs are ``(N, L, H_in)`` instead of ``(L, N, H_in)``.
        dropout: dropout on each layer's output except the last, in training mode.
        bidirectional: add a reverse direction (``*_reverse`` parameters).

    Shape:
        input ``(L, N, H_in)`` (``(N, L, H_in)`` with ``batch_first``) or unbatched ``(L, H_in)``;
        ``hx (D*num_layers, N, H)`` or ``(D*num_layers, H)``. Returns ``(output (L, N, D*H), h_n)``.

    Attributes:
        weight_ih_l{k}: (hidden_size, input_size) for k = 0, else (hidden_size, D*hidden_size) with
            D = 2 if bidirectional else 1; U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
        weight_hh_l{k}: (hidden_size, hidden_size), U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
        bias_ih_l{k}: (hidden_size,), U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); absent if bias=False.
        bias_hh_l{k}: (hidden_size,), U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); absent if bias=False.
        *_reverse: the same shapes and init for the reverse direction; only with bidirectional=True.

    Note:
        ``PackedSequence`` inputs are not supported. ``proj_size=`` raises torch's ``ValueError``;
        other unknown keywords raise ``TypeError``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> out, h = tp.nn.RNN(3, 4, num_layers=2)(jnp.ones((5, 2, 3)))
    >>> out.shape, h.shape, out.dtype
    ((5, 2, 4), (2, 2, 4), dtype('float32'))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        _check_kwargs(kwargs, "RNN")
        self.nonlinearity = nonlinearity
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device=device, dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> tuple[jax.Array, jax.Array]:
        return self._forward_single_state("RNN", input, hx)


class GRU(RNNBase):
    r"""Gated recurrent unit, torch's gate order ``r, z, n``:

    ``r = σ(W_ir x + b_ir + W_hr h + b_hr)``, ``z = σ(W_iz x + b_iz + W_hz h + b_hz)``,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Args: as :class:`RNN` (no ``nonlinearity``). Shape: as :class:`RNN`, with ``G = 3``.

    Attributes:
        weight_ih_l{k}: (3*hidden_size, input_size) = (W_ir|W_iz|W_in) for k = 0, else (3*hidden_size, D*hidden_size)
            with D = 2 if bidirectional else 1; U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
        weight_hh_l{k}: (3*hidden_size, hidden_size) = (W_hr|W_hz|W_hn),
            U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
        bias_ih_l{k}: (3*hidden_size,), U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); absent if bias=False.
        bias_hh_l{k}: (3*hidden_size,), U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); absent if bias=False.
        *_reverse: the same shapes and init for the reverse direction; only with bidirectional=True.

    Note:
        ``PackedSequence`` inputs are not supported. ``proj_size=`` raises torch's ``ValueError``.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> out, h = tp.nn.GRU(3, 4, batch_first=True, bidirectional=True)(jnp.ones((2, 5, 3)))
    >>> out.shape, h.shape, out.dtype
    ((2, 5, 8), (2, 2, 4), dtype('float32'))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        _check_kwargs(kwargs, "GRU")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device=device, dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> tuple[jax.Array, jax.Array]:
        return self._forward_single_state("GRU", input, hx)


class LSTM(RNNBase):
    r"""Long short-term memory, torch's gate order ``i, f, g, o``:

    ``i, f, o = σ(·)``, ``g = tanh(·)`` of ``x W_ih^T + b_ih + h W_hh^T + b_hh``;
    ``c' = f * c + i * g``, ``h' = o * tanh(c')``, then ``h' = h' W_hr^T`` when ``proj_size > 0``.

    Args: as :class:`GRU`, plus ``proj_size`` (``0 <= proj_size < hidden_size``).

    Shape:
        input as :class:`RNN`; ``hx = (h_0 (D*num_layers, N, H_out), c_0 (D*num_layers, N, H))`` with
        ``H_out = proj_size or hidden_size``. Returns ``(output (L, N, D*H_out), (h_n, c_n))``.

    Attributes:
        weight_ih_l{k}: (4*hidden_size, input_size) = (W_ii|W_if|W_ig|W_io) for k = 0, else (4*hidden_size, D*H_out)
            with D = 2 if bidirectional else 1; U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
        weight_hh_l{k}: (4*hidden_size, H_out) = (W_hi|W_hf|W_hg|W_ho),
            U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
        bias_ih_l{k}: (4*hidden_size,), U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); absent if bias=False.
        bias_hh_l{k}: (4*hidden_size,), U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); absent if bias=False.
        weight_hr_l{k}: (proj_size, hidden_size), U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)); proj_size > 0 only.
        *_reverse: the same shapes and init for the reverse direction; only with bidirectional=True.

    Note:
        ``PackedSequence`` inputs are not supported.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> out, (h, c) = tp.nn.LSTM(3, 4, num_layers=2, proj_size=2)(jnp.ones((5, 3)))
    >>> out.shape, h.shape, c.shape, out.dtype
    ((5, 2), (2, 2), (2, 4), dtype('float32'))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
        x = _v(input)
        if x.ndim not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {x.ndim}D instead")
        is_batched = x.ndim == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            x = jnp.expand_dims(x, batch_dim)
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h = jnp.zeros(self._expected_hidden(x, real_hidden), dtype=x.dtype)
            c = jnp.zeros(self._expected_hidden(x, self.hidden_size), dtype=x.dtype)
        else:
            h, c = _v(hx[0]), _v(hx[1])
            want = 3 if is_batched else 2
            if h.ndim != want or c.ndim != want:
                kind = "batched 3-D" if is_batched else "unbatched 2-D"
                raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                   f"({h.ndim}-D, {c.ndim}-D) tensors")
            if not is_batched:
                h, c = h[:, None], c[:, None]
        self._check_input(x)
        self._check_hidden(h, self._expected_hidden(x, real_hidden), "Expected hidden[0] size {}, got {}")
        self._check_hidden(c, self._expected_hidden(x, self.hidden_size), "Expected hidden[1] size {}, got {}")
        xt = jnp.swapaxes(x, 0, 1) if self.batch_first else x
        out, h_n, c_n = self._run(xt, h, c)
        out = jnp.swapaxes(out, 0, 1) if self.batch_first else out
        if not is_batched:
            out, h_n, c_n = jnp.squeeze(out, batch_dim), h_n[:, 0], c_n[:, 0]
        return out, (h_n, c_n)


# -- the cells ---------------------------------------------------------------------------------
class RNNCellBase(Module):
    r"""Shared base of the cells: ``weight_ih (G*H, in)``, ``weight_hh (G*H, H)``, ``bias_ih``, ``bias_hh``,
    all drawn from ``U(-1/sqrt(H), 1/sqrt(H))`` in that order.

    Attributes:
        weight_ih: (num_chunks*hidden_size, input_size), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size.
        weight_hh: (num_chunks*hidden_size, hidden_size), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size.
        bias_ih: (num_chunks*hidden_size,), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size; None if bias=False.
        bias_hh: (num_chunks*hidden_size,), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size; None if bias=False.

    Note: not re-exported from ``torchlike_params.nn`` (torch exports it).

    >>> from torchlike_params.nn._rnn import RNNCellBase
    >>> RNNCellBase(2, 3, True, num_chunks=4).weight_ih.shape
    torch.Size([12, 2])
    """

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        for name, n in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(n, int):
                raise TypeError(f"Expected `{name}` to be an int, got {n!r}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        """Redraw every parameter from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))`` in registration order.

        >>> import torchlike_params as tp
        >>> tp.nn.GRUCell(2, 4).reset_parameters()
        """
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, name: str, input: Any, states: tuple, labels: tuple[str, ...]) -> tuple:
        """torch's cell checks; returns ``(x (B, in), states as (B, H), is_batched)``."""
        x = _v(input)
        if x.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {x.ndim}D instead")
        states = tuple(None if s is None else _v(s) for s in states)
        for label, s in zip(labels, states):
            if s is not None and s.ndim not in (1, 2):
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {s.ndim}D instead")
        is_batched = x.ndim == 2
        if not is_batched:
            x = x[None]
            states = tuple(None if s is None else s[None] for s in states)
        states = tuple(jnp.zeros((x.shape[0], self.hidden_size), x.dtype) if s is None else s for s in states)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}")
        for i, s in enumerate(states):
            if x.shape[0] != s.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{i} batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {s.shape[1]}, "
                                   f"expected {self.hidden_size}")
        return x, states, is_batched

    def _step(self, mode: str, x: jax.Array, h: jax.Array, c: jax.Array | None) -> tuple:
        b_ih = None if self.bias_ih is None else _v(self.bias_ih)
        b_hh = None if self.bias_hh is None else _v(self.bias_hh)
        xi = _linear(x, _v(self.weight_ih), b_ih)
        return _cell(mode, xi, h, c, _v(self.weight_hh), b_hh, None)


class RNNCell(RNNCellBase):
    r"""One Elman step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU).

    Args:
        input_size, hidden_size: features of ``x`` and ``h``.
        bias: whether to use ``bias_ih`` and ``bias_hh``.
        nonlinearity: ``'tanh'`` or ``'relu'`` (like torch, checked only in ``forward``).

    Shape: input ``(N, H_in)`` or ``(H_in)``, ``hx`` ``(N, H)`` or ``(H)`` (zeros if omitted); returns ``h'``.

    Attributes:
        weight_ih: (hidden_size, input_size), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size.
        weight_hh: (hidden_size, hidden_size), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size.
        bias_ih: (hidden_size,), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size; None if bias=False.
        bias_hh: (hidden_size,), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> h = tp.nn.RNNCell(3, 4, nonlinearity='relu')(jnp.ones((2, 3)))
    >>> h.shape, h.dtype
    ((2, 4), dtype('float32'))
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Any = None) -> jax.Array:
        x, (h,), is_batched = self._prepare("RNNCell", input, (hx,), ("hidden",))
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h, _ = self._step(mode, x, h, None)
        return h if is_batched else h[0]


class LSTMCell(RNNCellBase):
    r"""One LSTM step (gate order ``i, f, g, o``): ``c' = σ(f) c + σ(i) tanh(g)``, ``h' = σ(o) tanh(c')``.

    Args: ``input_size``, ``hidden_size``, ``bias`` as :class:`RNNCell`.

    Shape: input ``(N, H_in)`` or ``(H_in)``; ``hx = (h, c)`` each ``(N, H)`` or ``(H)``; returns ``(h', c')``.

    Attributes:
        weight_ih: (4*hidden_size, input_size) = (W_ii|W_if|W_ig|W_io), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size.
        weight_hh: (4*hidden_size, hidden_size) = (W_hi|W_hf|W_hg|W_ho), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size.
        bias_ih: (4*hidden_size,), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size; None if bias=False.
        bias_hh: (4*hidden_size,), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> h, c = tp.nn.LSTMCell(3, 4)(jnp.ones(3))
    >>> h.shape, c.shape, h.dtype
    ((4,), (4,), dtype('float32'))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> tuple[jax.Array, jax.Array]:
        states = (None, None) if hx is None else tuple(hx)
        x, (h, c), is_batched = self._prepare("LSTMCell", input, states, ("hx[0]", "hx[1]"))
        h, c = self._step("LSTM", x, h, c)
        return (h, c) if is_batched else (h[0], c[0])


class GRUCell(RNNCellBase):
    r"""One GRU step (gate order ``r, z, n``): ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``,
    ``h' = (1 - z) * n + z * h``.

    Args: ``input_size``, ``hidden_size``, ``bias`` as :class:`RNNCell`.

    Shape: as :class:`RNNCell`.

    Attributes:
        weight_ih: (3*hidden_size, input_size) = (W_ir|W_iz|W_in), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size.
        weight_hh: (3*hidden_size, hidden_size) = (W_hr|W_hz|W_hn), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size.
        bias_ih: (3*hidden_size,), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size; None if bias=False.
        bias_hh: (3*hidden_size,), U(-sqrt(k), sqrt(k)) with k = 1/hidden_size; None if bias=False.

    >>> import torchlike_params as tp, jax.numpy as jnp
    >>> h = tp.nn.GRUCell(3, 4, bias=False)(jnp.ones((2, 3)), jnp.zeros((2, 4)))
    >>> h.shape, h.dtype
    ((2, 4), dtype('float32'))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> jax.Array:
        x, (h,), is_batched = self._prepare("GRUCell", input, (hx,), ("hidden",))
        h, _ = self._step("GRU", x, h, None)
        return h if is_batched else h[0]
