"""Linear, Conv1d/2d/3d, Identity and activations against torch 2.13: structure, repr, errors,
default-init distributions and forward outputs."""

import math

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats
import torch

import torchlike_params as tp

LAYERS = [
    ("Linear", (3, 4), {}),
    ("Linear", (5, 2), {"bias": False}),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1}),
    ("Conv2d", (3, 8, 3), {}),
    ("Conv2d", (4, 8, (3, 5)), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "bias": False}),
    ("Conv2d", (3, 8, 3), {"padding": "same", "padding_mode": "reflect"}),
    ("Conv2d", (3, 8, 3), {"padding": "valid"}),
    ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "circular"}),
    ("Conv3d", (2, 4, 3), {"padding": (1, 0, 1), "padding_mode": "replicate"}),
    ("Conv1d", (4, 8, 3), {"padding": "same"}),
    ("Identity", (54,), {"unused": 1}),
    ("ReLU", (), {}),
    ("ReLU", (), {"inplace": True}),
    ("Tanh", (), {}),
    ("Sigmoid", (), {}),
    ("GELU", (), {"approximate": "tanh"}),
]


@pytest.mark.parametrize("name,args,kwargs", LAYERS)
def test_structure_and_repr_match_torch(name, args, kwargs):
    t = getattr(torch.nn, name)(*args, **kwargs)
    m = getattr(tp.nn, name)(*args, **kwargs)
    assert repr(m) == repr(t)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in t.named_parameters()]
    assert list(m.state_dict()) == list(t.state_dict())
    for attr in ("in_features", "out_features", "in_channels", "out_channels", "kernel_size", "stride",
                 "padding", "dilation", "groups", "padding_mode", "_reversed_padding_repeated_twice"):
        if hasattr(t, attr):
            assert getattr(m, attr) == (list(getattr(t, attr)) if attr.startswith("_rev") else getattr(t, attr))


BAD = [
    ("Conv2d", (3, 8, 3), {"groups": 0}),
    ("Conv2d", (3, 8, 3), {"groups": 2}),
    ("Conv2d", (4, 6, 3), {"groups": 4}),
    ("Conv2d", (3, 8, 3), {"padding": "full"}),
    ("Conv2d", (3, 8, 3), {"padding": "same", "stride": 2}),
    ("Conv1d", (3, 8, 3), {"padding_mode": "mirror"}),
]


@pytest.mark.parametrize("name,args,kwargs", BAD)
def test_constructor_errors_match_torch(name, args, kwargs):
    with pytest.raises(Exception) as te:
        getattr(torch.nn, name)(*args, **kwargs)
    with pytest.raises(Exception) as me:
        getattr(tp.nn, name)(*args, **kwargs)
    assert type(me.value) is type(te.value)
    assert _sorted_sets(str(me.value)) == _sorted_sets(str(te.value))


def _sorted_sets(msg):
    """torch's messages embed a Python set repr, whose order can vary between set objects."""
    import re
    return re.sub(r"\{[^}]*\}", lambda m: str(sorted(m.group(0)[1:-1].split(", "))), msg)


def _copy(t_mod, m_mod):
    m_mod.load_state_dict({k: v.detach().numpy() for k, v in t_mod.state_dict().items()})


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("Linear", (3, 4), {}, (2, 3)),
    ("Linear", (3, 4), {}, (5, 2, 3)),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1}, (2, 4, 9)),
    ("Conv1d", (4, 6, 3), {}, (4, 9)),
    ("Conv2d", (4, 8, (3, 5)), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}, (2, 4, 11, 13)),
    ("Conv2d", (3, 8, 4), {"padding": "same", "padding_mode": "reflect", "dilation": 2}, (1, 3, 10, 9)),
    ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "circular"}, (1, 2, 6, 6)),
    ("Conv3d", (2, 4, 3), {"padding": (1, 0, 1), "padding_mode": "replicate"}, (1, 2, 5, 6, 7)),
    ("ReLU", (), {}, (3, 4)),
    ("Tanh", (), {}, (3, 4)),
    ("GELU", (), {}, (3, 4)),
    ("GELU", (), {"approximate": "tanh"}, (3, 4)),
])
def test_forward_matches_torch(name, args, kwargs, shape):
    torch.manual_seed(0)
    t = getattr(torch.nn, name)(*args, **kwargs)
    m = getattr(tp.nn, name)(*args, **kwargs)
    _copy(t, m)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    expected = t(torch.from_numpy(x)).detach().numpy()
    got = np.asarray(m(jnp.asarray(x)))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("make", [
    lambda nn: nn.Linear(64, 32),
    lambda nn: nn.Conv2d(16, 32, 3),
    lambda nn: nn.Conv2d(16, 32, 3, groups=4),
    lambda nn: nn.Conv1d(8, 16, 5),
])
def test_default_init_distribution_matches_torch(make):
    """KS test of weight and bias against torch's own layers, pooled to >= 50k samples."""
    tw, tb, mw, mb = [], [], [], []
    torch.manual_seed(0)
    tp.manual_seed(0)
    while sum(w.size for w in tw) < 50_000:
        t, m = make(torch.nn), make(tp.nn)
        tw.append(t.weight.detach().numpy().ravel())
        tb.append(t.bias.detach().numpy().ravel())
        mw.append(np.asarray(m.weight).ravel())
        mb.append(np.asarray(m.bias).ravel())
    tw, tb, mw, mb = map(np.concatenate, (tw, tb, mw, mb))
    fan_in = math.prod(t.weight.shape[1:])
    bound = 1 / math.sqrt(fan_in)          # kaiming_uniform(a=sqrt(5)) == U(±1/sqrt(fan_in))
    assert np.abs(mw).max() <= bound and np.abs(mw).max() > 0.999 * bound
    assert np.abs(mb).max() <= bound
    assert scipy.stats.ks_2samp(mw, tw).pvalue > 1e-3
    assert scipy.stats.ks_2samp(mb, tb).pvalue > 1e-3
    assert abs(mw.std() / tw.std() - 1) < 0.015


def test_rng_order_weight_then_bias():
    """Linear draws weight then bias: with key=, the same values as the pure initializers."""
    g = tp.Generator().manual_seed(7)
    with tp.key_scope(g):
        m = tp.nn.Linear(6, 5)
    g2 = tp.Generator().manual_seed(7)
    w = tp.initializers.kaiming_uniform(g2.next_key(), (5, 6), a=math.sqrt(5))
    b = tp.initializers.bias_uniform(g2.next_key(), (5,), fan_in=6)
    np.testing.assert_array_equal(np.asarray(m.weight), np.asarray(w))
    np.testing.assert_array_equal(np.asarray(m.bias), np.asarray(b))


def test_zero_in_features_warns_like_torch():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        torch.nn.Linear(0, 3)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        m = tp.nn.Linear(0, 3)
    assert np.asarray(m.bias).tolist() == [0.0, 0.0, 0.0]


def test_dtype_argument():
    m = tp.nn.Linear(3, 4, dtype=tp.bfloat16)
    assert m.weight.dtype == jnp.bfloat16 and m.bias.dtype == jnp.bfloat16
