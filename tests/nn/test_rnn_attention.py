"""Recurrent layers, MultiheadAttention, the Transformer modules and their functionals vs torch 2.13.

What the shared registry (``test_layer_registry.py``) cannot express: constructor errors and
warnings, draw order (bit for bit, through a generator that asks torch for every draw),
forward arguments (hidden states, masks, ``need_weights``...), forward errors, the SDPA grid and a
jitted 2-layer LSTM gradient.
"""

from __future__ import annotations

import copy
import re
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp
import torchlike_params.nn.functional as F

RNG = np.random.default_rng(0)


def _f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _np(t):
    return t.detach().numpy()


def _sync(t_mod, m_mod):
    m_mod.load_state_dict({k: _np(v) for k, v in t_mod.state_dict().items()})
    return t_mod, m_mod


def _pair(name, *args, **kwargs):
    return _sync(getattr(torch.nn, name)(*args, **kwargs), getattr(tp.nn, name)(*args, **kwargs))


def _close(ours, theirs, atol=1e-5):
    if theirs is None:
        assert ours is None
        return
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _close(a, b, atol)
        return
    assert tuple(np.shape(ours)) == tuple(theirs.shape)
    np.testing.assert_allclose(np.asarray(ours), _np(theirs), atol=atol, rtol=atol, equal_nan=True)


def _tt(x):
    return torch.from_numpy(x) if isinstance(x, np.ndarray) else x


def _errors_match(make_torch, make_tp):
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as et:
        make_torch()
    with pytest.raises(type(et.value), match=re.escape(str(et.value)) + "$"):
        make_tp()


def _warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message)) for x in w if "oneDNN" not in str(x.message)]


# ---------------------------------------------------------------------------------------------
# Draw order, bit for bit: a generator that asks torch for every request
# ---------------------------------------------------------------------------------------------

class _TorchBacked:
    """A generator (the project's protocol) answering each request with torch's CPU generator."""

    traceable = False

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def uniform(self, shape, dtype, low, high):
        return jnp.asarray(torch.empty(tuple(shape)).uniform_(low, high, generator=self.g).numpy())

    def normal(self, shape, dtype, mean, std):
        return jnp.asarray(torch.empty(tuple(shape)).normal_(mean, std, generator=self.g).numpy())

    def trunc_normal(self, shape, dtype, mean, std, a, b):
        raise NotImplementedError

    def randperms(self, n, count):
        raise NotImplementedError

    def manual_seed(self, seed):
        self.g.manual_seed(seed)
        return self

    def initial_seed(self):
        return self.g.initial_seed()

    def get_state(self):
        return self.g.get_state()

    def set_state(self, state):
        self.g.set_state(state)
        return self


_BIT_EXACT = [
    ("LSTM", (3, 5), {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    ("GRU", (3, 4), {"bias": False, "num_layers": 2}),
    ("RNN", (3, 4), {"nonlinearity": "relu", "bidirectional": True}),
    ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {"bias": False}),
    ("RNNCell", (3, 4), {}),
    ("MultiheadAttention", (16, 4), {"add_bias_kv": True}),
    ("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5, "add_bias_kv": True, "bias": False}),
    ("TransformerEncoderLayer", (8, 2, 16), {}),
    ("TransformerDecoderLayer", (8, 2, 16), {"bias": False}),
    ("Transformer", (8, 2, 2, 2, 16), {}),
]


@pytest.mark.parametrize("name,args,kwargs", _BIT_EXACT, ids=[f"{n}{a}{k}" for n, a, k in _BIT_EXACT])
def test_default_init_draw_order_is_torchs(name, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(7)
        t = getattr(torch.nn, name)(*args, **kwargs)
        with tp.random.default_generator_scope(_TorchBacked(7)):
            m = getattr(tp.nn, name)(*args, **kwargs)
    ts, ms = t.state_dict(), m.state_dict()
    assert list(ms) == list(ts)
    for k in ts:
        np.testing.assert_array_equal(np.asarray(ms[k]), _np(ts[k]), err_msg=k)


def test_encoder_clones_are_deep_copies_and_transformer_reinits_matrices():
    layer = tp.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    enc = tp.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    assert all(layer is not c for c in enc.layers) and "encoder_layer" not in dict(enc.named_modules())
    sd = enc.state_dict()
    for k in dict(layer.named_parameters()):
        for i in (1, 2):
            np.testing.assert_array_equal(np.asarray(sd[f"layers.{i}.{k}"]), np.asarray(sd[f"layers.0.{k}"]))
            assert enc.layers[i].get_parameter(k) is not enc.layers[0].get_parameter(k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tr = tp.nn.Transformer(8, 2, 2, 2, 16)
    sd = tr.state_dict()
    w0, w1 = sd["encoder.layers.0.linear1.weight"], sd["encoder.layers.1.linear1.weight"]
    assert not np.array_equal(np.asarray(w0), np.asarray(w1))      # redrawn per layer
    np.testing.assert_array_equal(np.asarray(sd["encoder.layers.0.linear1.bias"]),
                                  np.asarray(sd["encoder.layers.1.linear1.bias"]))  # biases stay copies


# ---------------------------------------------------------------------------------------------
# Constructor errors and warnings
# ---------------------------------------------------------------------------------------------

_CTOR_ERRORS = [
    ("LSTM", (3, 4), {"dropout": 1.5}),
    ("LSTM", (3, 4), {"dropout": True}),
    ("GRU", (3, 4), {"dropout": "x"}),
    ("LSTM", (3, 4), {"bias": 1}),
    ("LSTM", (3, 4), {"batch_first": None}),
    ("GRU", (3.0, 4), {}),
    ("GRU", (0, 4), {}),
    ("RNN", (3, 4.5), {}),
    ("RNN", (3, -1), {}),
    ("LSTM", (3, 4), {"num_layers": 0}),
    ("LSTM", (3, 4), {"proj_size": -1}),
    ("LSTM", (3, 4), {"proj_size": 4}),
    ("GRU", (3, 4), {"proj_size": 2}),
    ("RNN", (3, 4), {"proj_size": 2}),
    ("RNN", (3, 4), {"nonlinearity": "gelu"}),
    ("RNNCell", (-1, 4), {}),
    ("LSTMCell", (3, -2), {}),
    ("MultiheadAttention", (0, 2), {}),
    ("MultiheadAttention", (8, -1), {}),
    ("MultiheadAttention", (8, 3), {}),
    ("TransformerEncoderLayer", (8, 2), {"activation": "tanh"}),
    ("TransformerDecoderLayer", (8, 2), {"activation": "silu"}),
    ("Transformer", (8, 3), {}),
]


@pytest.mark.parametrize("name,args,kwargs", _CTOR_ERRORS, ids=[f"{n}{a}{k}" for n, a, k in _CTOR_ERRORS])
def test_constructor_errors_match_torch(name, args, kwargs):
    _errors_match(lambda: getattr(torch.nn, name)(*args, **kwargs), lambda: getattr(tp.nn, name)(*args, **kwargs))


def test_constructor_error_for_nonsense_without_torch_check():
    with pytest.raises(TypeError, match=re.escape("Expected `num_layers` to be an int, got 2.0")):
        tp.nn.LSTM(3, 4, num_layers=2.0)
    with pytest.raises(TypeError, match=re.escape("GRU.__init__() got an unexpected keyword argument 'bogus'")):
        tp.nn.GRU(3, 4, bogus=1)


@pytest.mark.parametrize("make", [
    lambda nn: nn.LSTM(3, 4, dropout=0.5),
    lambda nn: nn.GRU(3, 4, num_layers=2, dropout=0.5),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, norm_first=True), 1),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, bias=False), 1),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True,
                                                                activation=lambda x: x), 1),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(9, 3, 16, batch_first=True), 1),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1, enable_nested_tensor=False),
    lambda nn: nn.Transformer(8, 2, 1, 1, 16),
], ids=["lstm-1layer", "gru-2layers", "enc-seq-first", "enc-norm-first", "enc-no-bias", "enc-custom-act",
        "enc-odd-heads", "enc-fast", "enc-no-nested", "transformer"])
def test_constructor_warnings_match_torch(make):
    assert _warnings(lambda: make(tp.nn)) == _warnings(lambda: make(torch.nn))


def test_reprs_match_torch():
    for name, args, kwargs in _BIT_EXACT + [("RNNCell", (3, 4), {"nonlinearity": "relu", "bias": False}),
                                            ("LSTM", (3, 4), {"dropout": 0.25, "batch_first": True,
                                                              "num_layers": 3})]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert repr(getattr(tp.nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))
    act = tp.nn.TransformerEncoderLayer(8, 2, 16, activation=tp.nn.GELU())
    assert repr(act) == repr(torch.nn.TransformerEncoderLayer(8, 2, 16, activation=torch.nn.GELU()))
    assert act.activation_relu_or_gelu == 2
    assert tp.nn.TransformerEncoderLayer(8, 2, 16, activation="relu").activation_relu_or_gelu == 1


# ---------------------------------------------------------------------------------------------
# Recurrent forward: hidden states, unbatched inputs, errors
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs", [
    ("RNN", {"num_layers": 2, "bidirectional": True, "nonlinearity": "relu"}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 2, "batch_first": True}),
])
def test_recurrent_forward_with_state_and_unbatched(name, kwargs):
    t, m = _pair(name, 3, 4, **kwargs)
    dirs, layers = 2, 2
    hr = kwargs.get("proj_size", 4)
    x = _f32(2, 5, 3) if kwargs.get("batch_first") else _f32(5, 2, 3)
    h0 = _f32(dirs * layers, 2, hr)
    hx = (h0, _f32(dirs * layers, 2, 4)) if name == "LSTM" else h0
    _close(m(x, hx), t(_tt(x), jax.tree.map(_tt, hx)))
    _close(m(x), t(_tt(x)))
    x1 = x[0] if kwargs.get("batch_first") else x[:, 0]        # unbatched: (L, H_in), state (D*layers, H)
    hx1 = jax.tree.map(lambda h: h[:, 0], hx)
    _close(m(x1, hx1), t(_tt(x1), jax.tree.map(_tt, hx1)))
    _close(m(x1), t(_tt(x1)))


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_recurrent_forward_errors_match_torch(name):
    t, m = _pair(name, 3, 4, num_layers=2)
    lstm = name == "LSTM"

    def state(*shape):
        return (_f32(*shape), _f32(*shape)) if lstm else _f32(*shape)

    cases = [
        (_f32(2, 3, 5, 3), None),                 # 4-D input
        (_f32(5, 2, 4), None),                    # wrong input_size
        (_f32(5, 2, 3), state(2, 3, 4)),          # wrong batch in hx
        (_f32(5, 2, 3), state(2, 2, 5)),          # wrong hidden size
        (_f32(5, 2, 3), state(2, 4)),             # 2-D hx for batched input
        (_f32(5, 3), state(2, 1, 4)),             # 3-D hx for unbatched input
    ]
    if lstm:
        cases.append((_f32(5, 2, 3), (_f32(2, 2, 4), _f32(2, 2, 5))))   # wrong cell size
    for x, hx in cases:
        _errors_match(lambda: t(_tt(x), None if hx is None else jax.tree.map(_tt, hx)), lambda: m(x, hx))
    x16 = _f32(5, 2, 3).astype(np.float16)                                  # dtype mismatch
    _errors_match(lambda: t(torch.from_numpy(x16)), lambda: m(jnp.asarray(x16)))


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_with_state_unbatched_and_errors(name):
    t, m = _pair(name, 3, 4)
    lstm = name == "LSTMCell"
    x, h = _f32(2, 3), ((_f32(2, 4), _f32(2, 4)) if lstm else _f32(2, 4))
    _close(m(x, h), t(_tt(x), jax.tree.map(_tt, h)))
    x1, h1 = x[0], jax.tree.map(lambda a: a[0], h)
    _close(m(x1, h1), t(_tt(x1), jax.tree.map(_tt, h1)))
    _close(m(x1), t(_tt(x1)))

    def st(*shape):
        return (_f32(*shape), _f32(*shape)) if lstm else _f32(*shape)

    for xx, hh in [(_f32(2, 2, 3), None), (_f32(2, 5), None), (_f32(2, 3), st(3, 4)), (_f32(2, 3), st(2, 5)),
                   (_f32(2, 3), st(1, 2, 4))]:
        _errors_match(lambda: t(_tt(xx), None if hh is None else jax.tree.map(_tt, hh)), lambda: m(xx, hh))
    if name == "RNNCell":
        t.nonlinearity = m.nonlinearity = "gelu"
        _errors_match(lambda: t(_tt(x)), lambda: m(x))


def test_rnn_inter_layer_dropout_only_in_training():
    m = tp.nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = jnp.asarray(_f32(5, 2, 3))
    m.eval()
    a, b = m(x)[0], m(x)[0]
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    m.train()
    with tp.key_scope(jax.random.key(0)):
        c = m(x)[0]
    with tp.key_scope(jax.random.key(1)):
        d = m(x)[0]
    assert not np.allclose(np.asarray(c), np.asarray(d))
    single = tp.nn.GRU(3, 4, num_layers=1).train()       # no dropout after the last layer
    np.testing.assert_array_equal(np.asarray(single(x)[0]), np.asarray(single(x)[0]))


def test_jitted_two_layer_lstm_forward_and_backward_match_torch():
    t, m = _pair("LSTM", 3, 5, num_layers=2, bidirectional=True)
    x, h0, c0 = _f32(7, 2, 3), _f32(4, 2, 5), _f32(4, 2, 5)
    w = _f32(7, 2, 10)

    def loss(params, x, h0, c0):
        out, (h, c) = tp.functional_call(m, params, (x, (h0, c0)))
        return (out * w).sum() + h.sum() + 2 * c.sum()

    params = {k: v.value for k, v in m.named_parameters()}
    val, (gp, gx) = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))(params, x, h0, c0)

    xt = torch.from_numpy(x).requires_grad_()
    out, (h, c) = t(xt, (torch.from_numpy(h0), torch.from_numpy(c0)))
    tl = (out * torch.from_numpy(w)).sum() + h.sum() + 2 * c.sum()
    tl.backward()
    np.testing.assert_allclose(float(val), tl.item(), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(gx), _np(xt.grad), atol=1e-4, rtol=1e-4)
    for k, p in t.named_parameters():
        np.testing.assert_allclose(np.asarray(gp[k]), _np(p.grad), atol=1e-4, rtol=1e-4, err_msg=k)
    # the time loop is one scan per layer, not unrolled
    jaxpr = jax.make_jaxpr(lambda p, x: loss(p, x, h0, c0))(params, x)
    assert str(jaxpr).count("scan[") == 2


# ---------------------------------------------------------------------------------------------
# MultiheadAttention: masks, need_weights, unbatched, errors, warnings
# ---------------------------------------------------------------------------------------------

_MHA_CONFIGS = [{}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True, "add_zero_attn": True, "batch_first": True},
                {"bias": False, "batch_first": True}]


@pytest.mark.parametrize("cfg", _MHA_CONFIGS, ids=[str(c) for c in _MHA_CONFIGS])
def test_mha_masks_and_weights_match_torch(cfg):
    t, m = _pair("MultiheadAttention", 8, 2, **cfg)
    t.eval(), m.eval()
    bf = cfg.get("batch_first", False)
    N, L, S = 2, 3, 4
    kd, vd = cfg.get("kdim", 8), cfg.get("vdim", 8)
    q, k, v = (_f32(N, L, 8), _f32(N, S, kd), _f32(N, S, vd)) if bf else (_f32(L, N, 8), _f32(S, N, kd), _f32(S, N, vd))
    kpm = np.zeros((N, S), bool)
    kpm[1, 2:] = True
    am = np.triu(np.ones((L, S), bool), 2)
    grid = [
        {},
        {"key_padding_mask": kpm},
        {"key_padding_mask": np.where(kpm, -np.inf, 0).astype(np.float32)},
        {"attn_mask": am},
        {"attn_mask": _f32(L, S)},
        {"attn_mask": _f32(N * 2, L, S)},
        {"attn_mask": RNG.random((N * 2, L, S)) < 0.3, "key_padding_mask": kpm},
        {"attn_mask": am, "key_padding_mask": kpm, "need_weights": False},
        {"attn_mask": np.where(am, -np.inf, 0).astype(np.float32), "need_weights": False, "is_causal": True},
        {"attn_mask": am, "is_causal": True},                       # need_weights: the mask is used
        {"average_attn_weights": False, "key_padding_mask": kpm},
        {"need_weights": False},
    ]
    for fk in grid:
        want = t(_tt(q), _tt(k), _tt(v), **{a: _tt(b) for a, b in fk.items()})
        _close(m(q, k, v, **fk), want)
    # unbatched
    q1, k1, v1 = (q[0], k[0], v[0]) if bf else (q[:, 0], k[:, 0], v[:, 0])
    for fk in [{}, {"key_padding_mask": kpm[1]}, {"attn_mask": _f32(2, L, S), "average_attn_weights": False},
               {"attn_mask": am, "need_weights": False}]:
        _close(m(q1, k1, v1, **fk), t(_tt(q1), _tt(k1), _tt(v1), **{a: _tt(b) for a, b in fk.items()}))


def test_mha_fully_masked_rows_follow_torch():
    t, m = _pair("MultiheadAttention", 8, 2)
    x = _f32(3, 2, 8)
    kpm = np.zeros((2, 3), bool)
    kpm[1] = True                   # every key of batch 1 masked: NaN with weights, zeros through SDPA
    for nw in (True, False):
        _close(m(x, x, x, key_padding_mask=kpm, need_weights=nw),
               t(*(_tt(x),) * 3, key_padding_mask=_tt(kpm), need_weights=nw))


def test_mha_forward_errors_and_warnings_match_torch():
    t, m = _pair("MultiheadAttention", 8, 2)
    q, k = _f32(3, 2, 8), _f32(4, 2, 8)
    cases = [
        ((_f32(3, 2, 2, 8), k, k), {}),
        ((q, _f32(4, 8), k), {}),
        ((q, k, k), {"key_padding_mask": np.zeros(4, bool)}),
        ((q, k, k), {"attn_mask": np.zeros((1, 1, 3, 4), bool)}),
        ((q, k, k), {"attn_mask": np.zeros((3, 5), bool)}),
        ((q, k, k), {"attn_mask": np.zeros((3, 3, 4), bool)}),
        ((q, k, k), {"key_padding_mask": np.zeros((3, 4), bool)}),
        ((q, k, k), {"key_padding_mask": np.zeros((2, 5), bool)}),
        ((q, k, k), {"attn_mask": np.zeros((3, 4), np.int64)}),
        ((q, k, k), {"is_causal": True}),
        ((_f32(3, 2, 6), k, k), {}),
        ((q, k, _f32(5, 2, 8)), {}),
        ((q[:, 0], k[:, 0], k[:, 0]), {"attn_mask": np.zeros((3, 3, 4), bool)}),
    ]
    for args, fk in cases:
        _errors_match(lambda: t(*map(_tt, args), **{a: _tt(b) for a, b in fk.items()}), lambda: m(*args, **fk))
    mixed = {"key_padding_mask": np.zeros((2, 4), bool), "attn_mask": np.zeros((3, 4), np.float32)}
    assert _warnings(lambda: m(q, k, k, **mixed)) == _warnings(
        lambda: t(_tt(q), _tt(k), _tt(k), **{a: _tt(b) for a, b in mixed.items()}))
    assert _warnings(lambda: m(q, k, k, **mixed))


def test_mha_functional_directly_with_static_kv_matches_torch():
    t, _ = _pair("MultiheadAttention", 8, 2)
    q, k = _f32(3, 2, 8), _f32(4, 2, 8)
    sk, sv = _f32(4, 6, 4), _f32(4, 6, 4)
    common = (8, 2, t.in_proj_weight, t.in_proj_bias, None, None, False, 0.0, t.out_proj.weight, t.out_proj.bias)
    ours_common = tuple(_np(a) if isinstance(a, torch.Tensor) else a for a in common)
    want = torch.nn.functional.multi_head_attention_forward(
        _tt(q), _tt(k), _tt(k), *common, training=False, static_k=_tt(sk), static_v=_tt(sv))
    got = F.multi_head_attention_forward(q, k, k, *ours_common, training=False, static_k=sk, static_v=sv)
    _close(got, want)


def test_mha_under_jit_and_grad():
    m = tp.nn.MultiheadAttention(8, 2, batch_first=True)
    x = jnp.asarray(_f32(2, 5, 8))
    mask = jnp.asarray(np.triu(np.ones((5, 5), bool), 1))
    out = jax.jit(lambda x: m(x, x, x, attn_mask=mask, need_weights=False)[0])(x)
    np.testing.assert_allclose(np.asarray(out), np.asarray(m(x, x, x, attn_mask=mask)[0]), atol=1e-6)
    g = jax.grad(lambda s: tp.functional_call(m, s, (x, x, x))[0].sum())(
        {k: v.value for k, v in m.named_parameters()})
    assert set(g) == {"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"}


# ---------------------------------------------------------------------------------------------
# scaled_dot_product_attention over a grid
# ---------------------------------------------------------------------------------------------

_SDPA_GRID = [
    dict(hk=4, mask=None, causal=False, scale=None, gqa=False),
    dict(hk=4, mask=None, causal=True, scale=None, gqa=False),
    dict(hk=4, mask=None, causal=True, scale=0.3, gqa=False, L=5, S=3),
    dict(hk=4, mask="bool", causal=False, scale=None, gqa=False),
    dict(hk=4, mask="float", causal=False, scale=2.0, gqa=False),
    dict(hk=4, mask="bool-broadcast", causal=False, scale=None, gqa=False),
    dict(hk=2, mask=None, causal=False, scale=None, gqa=True),
    dict(hk=1, mask="float", causal=False, scale=None, gqa=True),
    dict(hk=2, mask=None, causal=True, scale=0.5, gqa=True),
    dict(hk=2, mask="dead-row", causal=False, scale=None, gqa=True),
]


@pytest.mark.parametrize("case", _SDPA_GRID, ids=[str(c) for c in _SDPA_GRID])
def test_sdpa_matches_torch(case):
    L, S = case.get("L", 3), case.get("S", 5)
    q, k, v = _f32(2, 4, L, 8), _f32(2, case["hk"], S, 8), _f32(2, case["hk"], S, 6)
    mask = None
    if case["mask"] == "bool":
        mask = RNG.random((2, 4, L, S)) < 0.7
    elif case["mask"] == "float":
        mask = _f32(L, S)
    elif case["mask"] == "bool-broadcast":
        mask = RNG.random((1, 1, L, S)) < 0.7
    elif case["mask"] == "dead-row":
        mask = np.ones((L, S), bool)
        mask[1] = False                 # a row that attends to nothing: zeros, as torch's math path
    kw = dict(is_causal=case["causal"], scale=case["scale"], enable_gqa=case["gqa"])
    want = torch.nn.functional.scaled_dot_product_attention(_tt(q), _tt(k), _tt(v), attn_mask=_tt(mask), **kw)
    _close(F.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kw), want)
    jitted = jax.jit(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kw))(q, k, v)
    _close(jitted, want)


def test_sdpa_errors_and_dropout():
    q, k = _f32(2, 4, 3, 8), _f32(2, 3, 5, 8)
    tf = torch.nn.functional.scaled_dot_product_attention
    _errors_match(lambda: tf(_tt(q), _tt(k), _tt(k), enable_gqa=True),
                  lambda: F.scaled_dot_product_attention(q, k, k, enable_gqa=True))
    for mask in (RNG.random((3, 5)) < 0.7, _f32(2, 1, 3, 5)):      # torch's fused CPU path applies both
        kv = _f32(2, 4, 5, 8)
        _close(F.scaled_dot_product_attention(q, kv, kv, attn_mask=mask, is_causal=True),
               tf(_tt(q), _tt(kv), _tt(kv), attn_mask=_tt(mask), is_causal=True))
    with tp.key_scope(jax.random.key(0)):
        a = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
        b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert a.shape == (2, 4, 3, 8) and not np.allclose(np.asarray(a), np.asarray(b))


# ---------------------------------------------------------------------------------------------
# Transformer modules: masks, causal hints, errors
# ---------------------------------------------------------------------------------------------

def test_encoder_decoder_stacks_with_masks_match_torch():
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
    ml = tp.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
    _sync(tl, ml)
    te = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8), enable_nested_tensor=False)
    me = tp.nn.TransformerEncoder(ml, 2, norm=tp.nn.LayerNorm(8), enable_nested_tensor=False)
    _sync(te, me)
    x = _f32(5, 2, 8)
    causal = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    kpm = np.zeros((2, 5), bool)
    kpm[0, 3:] = True
    for fk in [{}, {"mask": causal}, {"mask": causal, "is_causal": True}, {"mask": causal, "is_causal": False},
               {"src_key_padding_mask": kpm}, {"mask": causal < 0, "src_key_padding_mask": kpm}]:
        _close(me(x, **fk), te(_tt(x), **{a: _tt(b) for a, b in fk.items()}))
    _close(me(x[:, 0]), te(_tt(x[:, 0])))
    _errors_match(lambda: te(_tt(x), is_causal=True), lambda: me(x, is_causal=True))

    td_layer = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    md_layer = tp.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    _sync(td_layer, md_layer)
    td, md = _sync(torch.nn.TransformerDecoder(td_layer, 2), tp.nn.TransformerDecoder(md_layer, 2))
    tgt, mem = _f32(2, 5, 8), _f32(2, 4, 8)
    mkpm = np.array([[False] * 4, [False, True, True, True]])
    for fk in [{}, {"tgt_mask": causal}, {"tgt_mask": causal, "tgt_is_causal": True},
               {"memory_key_padding_mask": mkpm, "tgt_key_padding_mask": kpm},
               {"memory_mask": _f32(5, 4)}]:
        _close(md(tgt, mem, **fk), td(_tt(tgt), _tt(mem), **{a: _tt(b) for a, b in fk.items()}))


def test_transformer_forward_errors_and_mask_helper():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, m = _pair("Transformer", 8, 2, 1, 1, 16, 0.0)
    _errors_match(lambda: t(torch.zeros(5, 2, 8), torch.zeros(4, 3, 8)), lambda: m(jnp.zeros((5, 2, 8)),
                                                                                    jnp.zeros((4, 3, 8))))
    _errors_match(lambda: t(torch.zeros(5, 2, 8), torch.zeros(4, 2, 6)), lambda: m(jnp.zeros((5, 2, 8)),
                                                                                    jnp.zeros((4, 2, 6))))
    np.testing.assert_array_equal(np.asarray(tp.nn.Transformer.generate_square_subsequent_mask(4)),
                                  _np(torch.nn.Transformer.generate_square_subsequent_mask(4)))
    src, tgt = _f32(6, 2, 8), _f32(5, 2, 8)
    mask = tp.nn.Transformer.generate_square_subsequent_mask(5)
    want = t(_tt(src), _tt(tgt), tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(5),
             tgt_is_causal=True)
    _close(m(src, tgt, tgt_mask=mask, tgt_is_causal=True), want)
    _close(jax.jit(lambda s, t_: m(s, t_, tgt_mask=mask))(src, tgt), want)


def test_transformer_layer_dropout_draws_from_the_key_in_training():
    m = tp.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = jnp.asarray(_f32(5, 2, 8))
    state = m.state_dict()
    f = jax.jit(lambda s, x, key: tp.functional_call(m, s, (x,), key=key))
    a, b = f(state, x, jax.random.key(0)), f(state, x, jax.random.key(1))
    assert not np.allclose(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(f(state, x, jax.random.key(0))))
    m.eval()
    np.testing.assert_allclose(np.asarray(jax.jit(lambda x: m(x))(x)), np.asarray(m(x)), atol=1e-6)


def test_deepcopy_of_a_fresh_layer_copies_its_values():
    """Deep-copying a layer whose values were never read (lazy fills) gives the same values."""
    layer = tp.nn.TransformerEncoderLayer(8, 2, 16)
    clone = copy.deepcopy(layer)
    for (k, a), (_, b) in zip(layer.state_dict().items(), clone.state_dict().items()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=k)
