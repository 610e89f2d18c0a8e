"""The built-in layout rules, one per layer family (registered on import).

==================================== ============================================ ===========================
torch layer                          Flax variables                               Flax layer
==================================== ============================================ ===========================
``Linear``                           ``kernel (in, out)``, ``bias``               ``Dense`` / ``nnx.Linear``
``Conv1d/2d/3d``                     ``kernel (*k, in/g, out)``, ``bias``         ``Conv``
``ConvTranspose1d/2d/3d``            ``kernel (*k, out, in)`` (block-diagonal     ``ConvTranspose(
                                     for groups), ``bias``                        transpose_kernel=True)``
``Embedding``                        ``embedding (num, dim)``                     ``Embed``
``LayerNorm`` / ``GroupNorm``        ``scale``, ``bias``                          ``LayerNorm`` / ``GroupNorm``
``RMSNorm``                          ``scale``                                    ``RMSNorm``
``BatchNorm1d/2d/3d``                params ``scale``, ``bias``; batch_stats      ``BatchNorm``
                                     ``mean``, ``var``; torch_counters
                                     ``num_batches_tracked``
``MultiheadAttention``               ``query/key/value`` ``kernel (in, h, d)``,   ``MultiHeadDotProductAttention``
                                     ``bias (h, d)``; ``out`` ``kernel (h, d, E)``
``LSTMCell``                         ``ii/if/ig/io`` ``kernel``; ``hi/hf/hg/ho``  ``LSTMCell`` (nnx: ``if_``; or
                                     ``kernel``, ``bias = b_ih + b_hh``           ``OptimizedLSTMCell``)
``GRUCell``                          ``ir/iz/in`` ``kernel``, ``bias``;           ``GRUCell``
                                     ``hr/hz`` ``kernel``; ``hn`` ``kernel, bias``
``LSTM`` / ``GRU``                   ``layers_{k}/cell`` (nnx ``layers/{k}/cell``) ``RNN`` per layer,
                                     bidirectional: ``forward_rnn``/``backward_rnn`` ``Bidirectional``
no twin (``PReLU``, ``Bilinear``,    torch's names and layouts, params in         (none)
``EmbeddingBag``, ``InstanceNorm*``, ``params``, buffers in ``batch_stats``
``RNN``, ``RNNCell``, ...)
==================================== ============================================ ===========================
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .. import nn
from ..nn._loss import _Loss
from . import _layouts as L
from ._registry import TORCH_LAYOUT, Context, Rule, register_rule

Array = Any


def _p(tensors: Mapping[str, Array], mapping: Mapping[str, Any]) -> dict:
    """``{flax name: value}`` for the torch tensors present (optional biases may be None)."""
    return {k: v for k, v in mapping.items() if v is not None}


# -- Linear, Embedding, norms -------------------------------------------------------------------

def _linear_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    return {"params": _p(t, {"kernel": L.dense_kernel(t["weight"]), "bias": t.get("bias")})}


def _linear_from(layer: Any, v: dict, ctx: Context) -> dict:
    out_f, in_f = ctx.current["weight"].shape
    out = {"weight": L.dense_weight(ctx.take(v, "params", "kernel", shape=(in_f, out_f)))}
    if "bias" in ctx.current:
        out["bias"] = ctx.take(v, "params", "bias", shape=(out_f,))
    return out


def _embedding_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    return {"params": {"embedding": t["weight"]}}


def _embedding_from(layer: Any, v: dict, ctx: Context) -> dict:
    return {"weight": ctx.take(v, "params", "embedding", shape=ctx.current["weight"].shape)}


def _affine_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    flat = ctx.api == "nnx"          # nnx.LayerNorm/RMSNorm hold a (num_features,) scale
    return {"params": _p(t, {k: (None if v is None else v.reshape(-1) if flat else v)
                             for k, v in (("scale", t.get("weight")), ("bias", t.get("bias")))})}


def _affine_from(layer: Any, v: dict, ctx: Context) -> dict:
    names = {"weight": "scale", "bias": "bias"}
    out = {}
    for n in ("weight", "bias"):
        if n in ctx.current:
            shape = tuple(ctx.current[n].shape)
            flax_shape = (int(np.prod(shape)),) if ctx.api == "nnx" else shape
            out[n] = ctx.take(v, "params", names[n], shape=flax_shape).reshape(shape)
    return out


# -- BatchNorm ----------------------------------------------------------------------------------

def _counters_kept(ctx: Context) -> bool:
    mode = ctx.options.get("num_batches_tracked", "keep")
    if mode not in ("keep", "drop"):
        raise ValueError(f"Expected `num_batches_tracked` to be 'keep' or 'drop', got {mode!r}")
    return mode == "keep"


def _batchnorm_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    out = _affine_to(layer, t, ctx)
    if "running_mean" in t:
        out["batch_stats"] = {"mean": t["running_mean"], "var": t["running_var"]}
    if "num_batches_tracked" in t and _counters_kept(ctx):
        out["torch_counters"] = {"num_batches_tracked": t["num_batches_tracked"]}
    return out


def _batchnorm_from(layer: Any, v: dict, ctx: Context) -> dict:
    out = _affine_from(layer, v, ctx)
    cur = ctx.current
    if "running_mean" in cur:
        out["running_mean"] = ctx.take(v, "batch_stats", "mean", shape=cur["running_mean"].shape)
        out["running_var"] = ctx.take(v, "batch_stats", "var", shape=cur["running_var"].shape)
    if "num_batches_tracked" in cur:        # absent (a Flax-made tree, or 'drop'): the module's count stays
        has = ctx.has(v, "torch_counters", "num_batches_tracked")
        out["num_batches_tracked"] = (ctx.take(v, "torch_counters", "num_batches_tracked", shape=())
                                      if has else cur["num_batches_tracked"])
    return out


# -- convolutions -------------------------------------------------------------------------------

def _conv_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    return {"params": _p(t, {"kernel": L.conv_kernel(t["weight"]), "bias": t.get("bias")})}


def _conv_from(layer: Any, v: dict, ctx: Context) -> dict:
    w = ctx.current["weight"]
    shape = tuple(w.shape[2:]) + (w.shape[1], w.shape[0])
    out = {"weight": L.conv_weight(ctx.take(v, "params", "kernel", shape=shape))}
    if "bias" in ctx.current:
        out["bias"] = ctx.take(v, "params", "bias", shape=(w.shape[0],))
    return out


def _conv_transpose_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    kernel = L.conv_transpose_kernel(t["weight"], layer.groups)
    return {"params": _p(t, {"kernel": kernel, "bias": t.get("bias")})}


def _conv_transpose_from(layer: Any, v: dict, ctx: Context) -> dict:
    w = ctx.current["weight"]            # (in, out/g, *k)
    g = layer.groups
    shape = tuple(w.shape[2:]) + (w.shape[1] * g, w.shape[0])
    kernel = ctx.take(v, "params", "kernel", shape=shape)
    weight, off = L.conv_transpose_weight(kernel, g)
    if off is not None:
        ctx.check_zero(off, f"Expected `{ctx.where('params', 'kernel')}` to be block-diagonal over "
                            f"groups={g} (torch's grouped ConvTranspose), got non-zero entries off the blocks")
    out = {"weight": weight}
    if "bias" in ctx.current:
        out["bias"] = ctx.take(v, "params", "bias", shape=(w.shape[1] * g,))
    return out


# -- MultiheadAttention -------------------------------------------------------------------------

def _mha_check(layer: Any, ctx: Context) -> None:
    if layer.bias_k is not None or layer.add_zero_attn:
        raise ctx.error("MultiheadAttention with add_bias_kv=True or add_zero_attn=True has no Flax twin "
                        "(MultiHeadDotProductAttention has neither)")


def _mha_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    _mha_check(layer, ctx)
    e, h = layer.embed_dim, layer.num_heads
    if "in_proj_weight" in t:
        w = t["in_proj_weight"]
        ws = [w[:e], w[e:2 * e], w[2 * e:]]
    else:
        ws = [t["q_proj_weight"], t["k_proj_weight"], t["v_proj_weight"]]
    b = t.get("in_proj_bias")
    params: dict = {}
    for j, name in enumerate(("query", "key", "value")):
        params[name] = {"kernel": L.heads_kernel(ws[j], h)}
        if b is not None:
            params[name]["bias"] = b[j * e:(j + 1) * e].reshape(h, e // h)
    params["out"] = _p(t, {"kernel": L.heads_out_kernel(t["out_proj.weight"], h), "bias": t.get("out_proj.bias")})
    return {"params": params}


def _mha_from(layer: Any, v: dict, ctx: Context) -> dict:
    _mha_check(layer, ctx)
    e, h = layer.embed_dim, layer.num_heads
    d = e // h
    dims = {"query": e, "key": layer.kdim, "value": layer.vdim}
    ws, bs = [], []
    for name in ("query", "key", "value"):
        ws.append(L.heads_weight(ctx.take(v, "params", name, "kernel", shape=(dims[name], h, d))))
        if "in_proj_bias" in ctx.current:
            bs.append(ctx.take(v, "params", name, "bias", shape=(h, d)).reshape(e))
    mod = L.xp(ws[0])
    out: dict = {}
    if "in_proj_weight" in ctx.current:
        out["in_proj_weight"] = mod.concatenate(ws, axis=0)
    else:
        out.update(q_proj_weight=ws[0], k_proj_weight=ws[1], v_proj_weight=ws[2])
    if bs:
        out["in_proj_bias"] = mod.concatenate(bs, axis=0)
    out["out_proj.weight"] = L.heads_out_weight(ctx.take(v, "params", "out", "kernel", shape=(h, d, e)))
    if "out_proj.bias" in ctx.current:
        out["out_proj.bias"] = ctx.take(v, "params", "out", "bias", shape=(e,))
    return out


# -- recurrent cells ----------------------------------------------------------------------------

_LSTM_GATES = ("i", "f", "g", "o")
_GRU_GATES = ("r", "z", "n")


def _lstm_style(ctx: Context) -> str:
    style = ctx.options.get("lstm_cell", "LSTMCell")
    if style not in ("LSTMCell", "OptimizedLSTMCell"):
        raise ValueError(f"Expected `lstm_cell` to be 'LSTMCell' or 'OptimizedLSTMCell', got {style!r}")
    return style


def _chunks(a: Array, n: int) -> list:
    size = a.shape[0] // n
    return [a[j * size:(j + 1) * size] for j in range(n)]


def _cell_to(t: Mapping[str, Array], ctx: Context, kind: str, sfx: str = "") -> dict:
    """One cell's Flax params from torch's ``weight_ih{sfx}``, ``weight_hh``, ``bias_ih``, ``bias_hh``."""
    w_ih, w_hh = t["weight_ih" + sfx], t["weight_hh" + sfx]
    m = L.xp(w_ih)
    hidden = w_hh.shape[1]
    b_ih, b_hh = t.get("bias_ih" + sfx), t.get("bias_hh" + sfx)
    if b_ih is None:
        b_ih = b_hh = m.zeros(w_ih.shape[0], w_ih.dtype)
    if kind == "LSTM":
        folded = b_ih + b_hh
        if ctx.api == "nnx" and _lstm_style(ctx) == "OptimizedLSTMCell":
            return {"dense_i": {"kernel": L.dense_kernel(w_ih)},
                    "dense_h": {"kernel": L.dense_kernel(w_hh), "bias": folded}}
        out: dict = {}
        for gate, wi, wh, b in zip(_LSTM_GATES, _chunks(w_ih, 4), _chunks(w_hh, 4), _chunks(folded, 4)):
            out[ctx.key("i" + gate, "if_" if gate == "f" else "i" + gate)] = {"kernel": L.dense_kernel(wi)}
            out["h" + gate] = {"kernel": L.dense_kernel(wh), "bias": b}
        return out
    # GRU: r and z take the folded bias on the input side; n keeps b_in and b_hn apart.
    (bir, biz, bin_), (bhr, bhz, bhn) = _chunks(b_ih, 3), _chunks(b_hh, 3)
    if ctx.api == "nnx":
        ctx.check_zero(bhn, f"flax.nnx.GRUCell has no hidden-side bias for the n gate: `bias_hh{sfx}`"
                            f"[{2 * hidden}:] must be zeros to convert")
        return {"dense_i": {"kernel": L.dense_kernel(w_ih), "bias": m.concatenate([bir + bhr, biz + bhz, bin_])},
                "dense_h": {"kernel": L.dense_kernel(w_hh)}}
    wi, wh = _chunks(w_ih, 3), _chunks(w_hh, 3)
    return {"ir": {"kernel": L.dense_kernel(wi[0]), "bias": bir + bhr},
            "iz": {"kernel": L.dense_kernel(wi[1]), "bias": biz + bhz},
            "in": {"kernel": L.dense_kernel(wi[2]), "bias": bin_},
            "hr": {"kernel": L.dense_kernel(wh[0])},
            "hz": {"kernel": L.dense_kernel(wh[1])},
            "hn": {"kernel": L.dense_kernel(wh[2]), "bias": bhn}}


def _cell_from(v: dict, ctx: Context, kind: str, keys: tuple, sfx: str = "") -> dict:
    """Inverse of :func:`_cell_to`; ``keys`` is the cell's path inside the layer's variables."""
    cur = ctx.current
    w_ih, w_hh = cur["weight_ih" + sfx], cur["weight_hh" + sfx]
    gh, n_in = w_ih.shape
    hidden = w_hh.shape[1]
    has_bias = ("bias_ih" + sfx) in cur

    def take(*k: Any, shape: tuple) -> Array:
        return ctx.take(v, "params", *keys, *k, shape=shape)

    nnx_fused = ctx.api == "nnx" and (kind == "GRU" or _lstm_style(ctx) == "OptimizedLSTMCell")
    if nnx_fused:
        weight_ih = L.dense_weight(take("dense_i", "kernel", shape=(n_in, gh)))
        weight_hh = L.dense_weight(take("dense_h", "kernel", shape=(hidden, gh)))
        m = L.xp(weight_ih)
        if kind == "LSTM":
            folded, b_hn = take("dense_h", "bias", shape=(gh,)), None
        else:
            folded, b_hn = take("dense_i", "bias", shape=(gh,)), m.zeros(hidden, weight_ih.dtype)
    else:
        gates = _LSTM_GATES if kind == "LSTM" else _GRU_GATES
        wi, wh, bias = [], [], []
        for gate in gates:
            ikey = ctx.key("i" + gate, "if_" if gate == "f" else "i" + gate) if kind == "LSTM" else "i" + gate
            wi.append(L.dense_weight(take(ikey, "kernel", shape=(n_in, hidden))))
            wh.append(L.dense_weight(take("h" + gate, "kernel", shape=(hidden, hidden))))
            if kind == "LSTM":
                bias.append(take("h" + gate, "bias", shape=(hidden,)))
            else:
                bias.append(take(ikey, "bias", shape=(hidden,)))
        b_hn = take("hn", "bias", shape=(hidden,)) if kind == "GRU" else None
        m = L.xp(wi[0])
        weight_ih, weight_hh, folded = m.concatenate(wi), m.concatenate(wh), m.concatenate(bias)
    out = {"weight_ih" + sfx: weight_ih, "weight_hh" + sfx: weight_hh}
    if kind == "LSTM":
        if has_bias:
            out["bias_ih" + sfx], out["bias_hh" + sfx] = L.split_bias(folded, cur["bias_ih" + sfx],
                                                                      cur["bias_hh" + sfx])
        else:
            ctx.check_zero(folded, f"Expected the Flax gate biases of `{ctx.where('params', *keys)}` to be zeros "
                                   f"(the torch layer has bias=False)")
        return out
    n = 2 * hidden
    if has_bias:
        b_ih, b_hh = cur["bias_ih" + sfx], cur["bias_hh" + sfx]
        rz_ih, rz_hh = L.split_bias(folded[:n], b_ih[:n], b_hh[:n])
        mm = L.xp(rz_ih)
        out["bias_ih" + sfx] = mm.concatenate([rz_ih, folded[n:].astype(rz_ih.dtype)])
        out["bias_hh" + sfx] = mm.concatenate([rz_hh, b_hn.astype(rz_hh.dtype)])
    else:
        ctx.check_zero(folded, f"Expected the Flax gate biases of `{ctx.where('params', *keys)}` to be zeros "
                               f"(the torch layer has bias=False)")
        ctx.check_zero(b_hn, f"Expected `{ctx.where('params', *keys, 'hn', 'bias')}` to be zeros "
                             f"(the torch layer has bias=False)")
    return out


def _kind(layer: Any) -> str:
    if isinstance(layer, (nn.LSTM, nn.LSTMCell)):
        return "LSTM"
    return "GRU"


def _rnncell_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    return {"params": _cell_to(t, ctx, _kind(layer))}


def _rnncell_from(layer: Any, v: dict, ctx: Context) -> dict:
    return _cell_from(v, ctx, _kind(layer), ())


def _stack_keys(layer: Any, k: int, reverse: bool, ctx: Context) -> tuple:
    layer_key: tuple = ("layers", k) if ctx.api == "nnx" else (f"layers_{k}",)
    if layer.bidirectional:
        layer_key += ("backward_rnn" if reverse else "forward_rnn",)
    return layer_key + ("cell",)


def _rnn_check(layer: Any, ctx: Context) -> None:
    if getattr(layer, "proj_size", 0):
        raise ctx.error("LSTM with proj_size > 0 has no Flax twin")


def _rnn_to(layer: Any, t: Mapping[str, Array], ctx: Context) -> dict:
    _rnn_check(layer, ctx)
    params: dict = {}
    for k in range(layer.num_layers):
        for reverse in ((False, True) if layer.bidirectional else (False,)):
            sfx = f"_l{k}" + ("_reverse" if reverse else "")
            node = params
            *path, leaf = _stack_keys(layer, k, reverse, ctx)
            for p in path:
                node = node.setdefault(p, {})
            node[leaf] = _cell_to(t, ctx, _kind(layer), sfx)
    return {"params": params}


def _rnn_from(layer: Any, v: dict, ctx: Context) -> dict:
    _rnn_check(layer, ctx)
    out: dict = {}
    for k in range(layer.num_layers):
        for reverse in ((False, True) if layer.bidirectional else (False,)):
            sfx = f"_l{k}" + ("_reverse" if reverse else "")
            out.update(_cell_from(v, ctx, _kind(layer), _stack_keys(layer, k, reverse, ctx), sfx))
    return out


LINEAR = Rule(_linear_to, _linear_from, "linear")
EMBEDDING = Rule(_embedding_to, _embedding_from, "embedding")
NORM = Rule(_affine_to, _affine_from, "norm")
BATCHNORM = Rule(_batchnorm_to, _batchnorm_from, "batchnorm")
CONV = Rule(_conv_to, _conv_from, "conv")
CONV_TRANSPOSE = Rule(_conv_transpose_to, _conv_transpose_from, "conv_transpose")
MULTIHEAD_ATTENTION = Rule(_mha_to, _mha_from, "multihead_attention")
RNN_CELL = Rule(_rnncell_to, _rnncell_from, "rnn_cell")
RNN = Rule(_rnn_to, _rnn_from, "rnn")

for _cls, _rule in [
    (nn.Linear, LINEAR), (nn.Embedding, EMBEDDING),
    (nn.LayerNorm, NORM), (nn.RMSNorm, NORM), (nn.GroupNorm, NORM),
    (nn.BatchNorm1d, BATCHNORM), (nn.BatchNorm2d, BATCHNORM), (nn.BatchNorm3d, BATCHNORM),
    (nn.Conv1d, CONV), (nn.Conv2d, CONV), (nn.Conv3d, CONV),
    (nn.ConvTranspose1d, CONV_TRANSPOSE), (nn.ConvTranspose2d, CONV_TRANSPOSE),
    (nn.ConvTranspose3d, CONV_TRANSPOSE),
    (nn.MultiheadAttention, MULTIHEAD_ATTENTION),
    (nn.LSTMCell, RNN_CELL), (nn.GRUCell, RNN_CELL), (nn.LSTM, RNN), (nn.GRU, RNN),
    # No Flax twin: torch's names and layouts.
    (nn.PReLU, TORCH_LAYOUT), (nn.Bilinear, TORCH_LAYOUT), (nn.EmbeddingBag, TORCH_LAYOUT),
    (nn.InstanceNorm1d, TORCH_LAYOUT), (nn.InstanceNorm2d, TORCH_LAYOUT), (nn.InstanceNorm3d, TORCH_LAYOUT),
    (nn.RNN, TORCH_LAYOUT), (nn.RNNCell, TORCH_LAYOUT),
    (nn.ParameterList, TORCH_LAYOUT), (nn.ParameterDict, TORCH_LAYOUT), (_Loss, TORCH_LAYOUT),
]:
    register_rule(_cls, _rule)
