"""Embedding, EmbeddingBag and one_hot against torch 2.13: constructor errors, padding rules,
from_pretrained, max_norm, scale_grad_by_freq, every EmbeddingBag mode, functional errors, jit."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp
import torchlike_params.nn.functional as F


def _raises_like(torch_fn, tp_fn):
    with pytest.raises(Exception) as t_exc:
        torch_fn()
    with pytest.raises(type(t_exc.value)) as p_exc:
        tp_fn()
    assert str(p_exc.value) == str(t_exc.value)


def _close(a, b, atol=1e-5):
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    np.testing.assert_allclose(np.asarray(a), b, atol=atol, rtol=1e-5)


def _pair(name, *args, **kwargs):
    """The torch module and ours, ours holding torch's weight."""
    torch.manual_seed(0)
    mt = getattr(torch.nn, name)(*args, **kwargs)
    mp = getattr(tp.nn, name)(*args, **kwargs)
    mp.load_state_dict({k: v.numpy() for k, v in mt.state_dict().items()})
    return mt, mp


# -- constructors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, args, kwargs", [
    ("Embedding", (3, 2), {"padding_idx": 3}),
    ("Embedding", (3, 2), {"padding_idx": -4}),
    ("EmbeddingBag", (3, 2), {"padding_idx": 3}),
    ("EmbeddingBag", (3, 2), {"padding_idx": -4}),
    ("Embedding", (3, 2), {"_weight": np.ones((2, 2), np.float32)}),
    ("EmbeddingBag", (3, 2), {"_weight": np.ones((3, 3), np.float32)}),
    ("Embedding", (-1, 2), {}),
    ("EmbeddingBag", (3, -2), {}),
])
def test_constructor_errors_match_torch(name, args, kwargs):
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    _raises_like(lambda: getattr(torch.nn, name)(*args, **tkw), lambda: getattr(tp.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("name", ["Embedding", "EmbeddingBag"])
def test_from_pretrained_errors_match_torch(name):
    _raises_like(lambda: getattr(torch.nn, name).from_pretrained(torch.ones(3)),
                 lambda: getattr(tp.nn, name).from_pretrained(jnp.ones(3)))


@pytest.mark.parametrize("padding_idx", [None, 0, 4, -1, -5])
def test_padding_idx_normalised_row_zeroed_and_repr(padding_idx):
    mt, mp = _pair("Embedding", 5, 3, padding_idx=padding_idx)
    tp.manual_seed(0)
    fresh = tp.nn.Embedding(5, 3, padding_idx=padding_idx)
    assert fresh.padding_idx == mt.padding_idx and repr(fresh) == repr(mt)
    if padding_idx is not None:
        assert np.asarray(fresh.weight[mt.padding_idx]).tolist() == [0.0, 0.0, 0.0]
        assert np.count_nonzero(np.asarray(fresh.weight)) == 12
    bag = tp.nn.EmbeddingBag(5, 3, padding_idx=padding_idx, mode="max")
    assert repr(bag) == repr(torch.nn.EmbeddingBag(5, 3, padding_idx=padding_idx, mode="max"))


@pytest.mark.parametrize("name", ["Embedding", "EmbeddingBag"])
@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained(name, freeze):
    w = np.arange(12, dtype=np.float32).reshape(4, 3)
    mt = getattr(torch.nn, name).from_pretrained(torch.tensor(w), freeze=freeze, padding_idx=1)
    mp = getattr(tp.nn, name).from_pretrained(jnp.asarray(w), freeze=freeze, padding_idx=1)
    assert mp.weight.requires_grad == mt.weight.requires_grad == (not freeze)
    assert repr(mp) == repr(mt)
    _close(mp.weight, mt.weight)            # the padding row of a pretrained weight is kept, as in torch


def test_pretrained_weight_draws_nothing():
    tp.manual_seed(3)
    tp.nn.Embedding(4, 2, _weight=jnp.ones((4, 2)))
    a = tp.rand(3)
    tp.manual_seed(3)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(tp.rand(3)))


# -- Embedding forward and gradients -------------------------------------------------------------
_IDX = np.array([[0, 2, 4, 0], [1, 9, 0, 2]])


def _grads(mt, mp, inputs, extra=()):
    """Weight gradients of sum(out * g) in torch and through tp.functional_call."""
    tin = [torch.tensor(a) for a in inputs]
    yt = mt(*tin)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    gt, = torch.autograd.grad(yt, [mt.weight], torch.tensor(g))
    state = {"weight": mp.weight.value}
    loss = lambda s: jnp.sum(tp.functional_call(mp, s, tuple(jnp.asarray(a) for a in inputs)) * g)
    gp = jax.grad(loss)(state)["weight"]
    return yt, gt.to_dense(), gp


def test_padding_row_gets_zero_gradient():
    mt, mp = _pair("Embedding", 10, 3, padding_idx=0)
    yt, gt, gp = _grads(mt, mp, (_IDX,))
    assert np.asarray(gp[0]).tolist() == [0.0, 0.0, 0.0]
    _close(gp, gt)
    _close(mp(jnp.asarray(_IDX)), yt)


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (0.5, 1.0), (0.7, float("inf")), (0.3, 3.0)])
def test_max_norm_forward_and_gradient_match_torch(max_norm, norm_type):
    mt, mp = _pair("Embedding", 10, 4, max_norm=max_norm, norm_type=norm_type)
    w_before = np.asarray(mp.weight).copy()
    yt, gt, gp = _grads(mt, mp, (_IDX,))
    _close(mp(jnp.asarray(_IDX)), yt)
    _close(gp, gt)
    # torch rescaled the looked-up rows of its weight in place; ours is left as it was (documented)
    np.testing.assert_array_equal(np.asarray(mp.weight), w_before)
    assert not np.allclose(mt.weight.detach().numpy(), w_before)


def test_scale_grad_by_freq_matches_torch():
    mt, mp = _pair("Embedding", 10, 3, scale_grad_by_freq=True, padding_idx=4)
    idx = np.array([[1, 1, 1, 2], [3, 2, 4, 4]])
    yt, gt, gp = _grads(mt, mp, (idx,))
    _close(gp, gt)


def test_sparse_flag_gives_dense_gradient_equal_to_torch():
    mt, mp = _pair("Embedding", 10, 3, sparse=True)
    yt, gt, gp = _grads(mt, mp, (_IDX,))
    assert repr(mp) == repr(mt)
    _close(gp, gt)


def test_functional_embedding_errors_and_negative_padding():
    w = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    _raises_like(lambda: torch.nn.functional.embedding(torch.tensor([1.0]), torch.tensor(w)),
                 lambda: F.embedding(jnp.array([1.0]), jnp.asarray(w)))
    _raises_like(lambda: torch.nn.functional.embedding(torch.tensor([1], dtype=torch.int16), torch.tensor(w)),
                 lambda: F.embedding(jnp.array([1], jnp.int16), jnp.asarray(w)))
    _raises_like(lambda: torch.nn.functional.embedding(torch.tensor([1]), torch.tensor(w), padding_idx=5),
                 lambda: F.embedding(jnp.array([1]), jnp.asarray(w), padding_idx=5))
    g = jax.grad(lambda w: F.embedding(jnp.array([4, 3]), w, padding_idx=-1).sum())(jnp.asarray(w))
    assert np.asarray(g[4]).tolist() == [0.0, 0.0] and np.asarray(g[3]).tolist() == [1.0, 1.0]


def test_out_of_range_index_gives_nan_rows():
    out = F.embedding(jnp.array([0, 5, -1]), jnp.ones((5, 2)))
    assert np.asarray(out[0]).tolist() == [1.0, 1.0]
    assert np.isnan(np.asarray(out[1:])).all()


def test_embedding_fresh_and_closed_over_under_jit():
    idx = jnp.asarray(_IDX)

    def build(key, idx):
        with tp.key_scope(key):
            return tp.nn.Embedding(10, 3, padding_idx=0)(idx)

    out = jax.jit(build)(jax.random.key(0), idx)
    assert out.shape == (2, 4, 3) and np.asarray(out[0, 0]).tolist() == [0.0, 0.0, 0.0]
    m = tp.nn.Embedding(10, 3, max_norm=1.0)
    np.testing.assert_allclose(np.asarray(jax.jit(lambda i: m(i))(idx)), np.asarray(m(idx)), rtol=1e-6)


# -- EmbeddingBag -------------------------------------------------------------------------------------
_BAG = np.array([1, 2, 4, 4, 3, 0, 7, 9])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("inputs, kwargs", [
    ((_IDX,), {}),
    ((_BAG, np.array([0, 2, 2, 5])), {}),
    ((_BAG, np.array([0, 3, 8])), {"include_last_offset": True}),
    ((_BAG, np.array([0, 3, 5])), {"padding_idx": 4}),
    ((_IDX,), {"padding_idx": 0}),
    ((_BAG, np.array([0, 1, 4])), {"max_norm": 1.0}),
], ids=["2d", "offsets-empty-bag", "include_last_offset", "padding-1d", "padding-2d", "max_norm"])
def test_embedding_bag_matches_torch(mode, inputs, kwargs):
    mt, mp = _pair("EmbeddingBag", 10, 3, mode=mode, **kwargs)
    yt, gt, gp = _grads(mt, mp, inputs)
    _close(mp(*(jnp.asarray(a) for a in inputs)), yt)
    _close(gp, gt)


def test_embedding_bag_include_last_offset_ignores_trailing_entries():
    # torch's forward ignores entries after the last offset (its CPU backward reads garbage for them)
    mt, mp = _pair("EmbeddingBag", 10, 3, mode="sum", include_last_offset=True)
    off = np.array([0, 2, 2, 5])
    _close(mp(jnp.asarray(_BAG), jnp.asarray(off)), mt(torch.tensor(_BAG), torch.tensor(off)))
    g = jax.grad(lambda s: tp.functional_call(mp, s, (jnp.asarray(_BAG), jnp.asarray(off))).sum())(
        {"weight": mp.weight.value})["weight"]
    assert np.asarray(g[jnp.array([0, 7, 9])]).tolist() == [[0.0] * 3] * 3


def test_embedding_bag_per_sample_weights_match_torch():
    mt, mp = _pair("EmbeddingBag", 10, 3, mode="sum")
    psw = np.random.default_rng(4).standard_normal(8).astype(np.float32)
    off = np.array([0, 3, 3, 6])
    pt = torch.tensor(psw, requires_grad=True)
    yt = mt(torch.tensor(_BAG), torch.tensor(off), pt)
    yt.sum().backward()
    f = lambda w, p: tp.functional_call(mp, {"weight": w}, (jnp.asarray(_BAG), jnp.asarray(off), p)).sum()
    gw, gpsw = jax.grad(f, argnums=(0, 1))(mp.weight.value, jnp.asarray(psw))
    _close(mp(jnp.asarray(_BAG), jnp.asarray(off), jnp.asarray(psw)), yt)
    _close(gw, mt.weight.grad)
    _close(gpsw, pt.grad)


def test_embedding_bag_scale_grad_by_freq_follows_the_documented_rule():
    # torch 2.13's CPU embedding_bag divides some rows by another index's count (pytorch#190063); the
    # documented rule (each row's gradient divided by its frequency) is F.embedding's, which we follow.
    w = np.random.default_rng(5).standard_normal((10, 3)).astype(np.float32)
    idx = np.array([[0, 2, 4, 0], [1, 9, 0, 3]])
    wt = torch.tensor(w, requires_grad=True)
    torch.nn.functional.embedding(torch.tensor(idx), wt, scale_grad_by_freq=True).mean(1).sum().backward()
    g = jax.grad(lambda w: F.embedding_bag(jnp.asarray(idx), w, mode="mean", scale_grad_by_freq=True).sum())(
        jnp.asarray(w))
    _close(g, wt.grad)


def test_embedding_bag_empty_offsets():
    for kwargs, off in (({}, np.zeros(0, np.int64)), ({"include_last_offset": True}, np.array([0]))):
        mt, mp = _pair("EmbeddingBag", 10, 3, mode="sum", **kwargs)
        assert mp(jnp.asarray(_BAG), jnp.asarray(off)).shape == tuple(mt(torch.tensor(_BAG), torch.tensor(off)).shape)


_BAG_ERRORS = [
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, t([0, 1]), mode="mean", per_sample_weights=t([1.0, 1.0])),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, t([0]), mode="sum", per_sample_weights=t([1.0])),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, t([0]), mode="foo"),
    lambda m, t, w: m.embedding_bag(t([[1, 2]]), w, t([0]), mode="sum"),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, mode="sum"),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, t([[0]]), mode="sum"),
    lambda m, t, w: m.embedding_bag(t([[[1, 2]]]), w, mode="sum"),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w[0], t([0]), mode="sum"),
    lambda m, t, w: m.embedding_bag(t([1.0, 2.0]), w, t([0]), mode="sum"),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, t([0]), mode="max", scale_grad_by_freq=True),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, t([0]), mode="max", sparse=True),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, t([0]), mode="sum", padding_idx=5),
    lambda m, t, w: m.embedding_bag(t([1, 2]), w, t([0]), mode="sum", padding_idx=-6),
]


@pytest.mark.parametrize("case", range(len(_BAG_ERRORS)))
def test_functional_embedding_bag_errors_match_torch(case):
    w = np.ones((5, 2), np.float32)
    call = _BAG_ERRORS[case]
    with pytest.raises(Exception) as t_exc:
        call(torch.nn.functional, torch.tensor, torch.tensor(w))
    with pytest.raises(type(t_exc.value)) as p_exc:
        call(F, jnp.asarray, jnp.asarray(w))
    # the offending offsets' type is named as given (a jax array here, a torch.Tensor there)
    assert str(p_exc.value).replace(str(jax.Array), "").replace(str(type(jnp.ones(1))), "") == str(
        t_exc.value).replace(str(torch.Tensor), "")


def test_embedding_bag_negative_padding_idx_matches_torch():
    w = np.random.default_rng(6).standard_normal((5, 2)).astype(np.float32)
    idx, off = np.array([1, 4, 4, 2]), np.array([0, 2])
    _close(F.embedding_bag(jnp.asarray(idx), jnp.asarray(w), jnp.asarray(off), mode="mean", padding_idx=-1),
           torch.nn.functional.embedding_bag(torch.tensor(idx), torch.tensor(w), torch.tensor(off), mode="mean",
                                             padding_idx=-1))


def test_embedding_bag_under_jit():
    m = tp.nn.EmbeddingBag(10, 3, mode="max")
    f = jax.jit(lambda i, o: m(i, o))
    np.testing.assert_allclose(np.asarray(f(jnp.asarray(_BAG), jnp.array([0, 2, 2, 5]))),
                               np.asarray(m(jnp.asarray(_BAG), jnp.array([0, 2, 2, 5]))), rtol=1e-6)


# -- one_hot --------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, num_classes", [([0, 2, 1], -1), ([[1, 0], [3, 3]], 5), ([3], -1),
                                                 ([], 3), ([[1]], 2)])
def test_one_hot_matches_torch(values, num_classes):
    yt = torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.long), num_classes)
    yp = F.one_hot(jnp.asarray(np.array(values, np.int64)), num_classes)
    assert yp.shape == tuple(yt.shape) and yp.dtype == tp._dtype.canonical(tp._dtype.long)
    np.testing.assert_array_equal(np.asarray(yp), yt.numpy())


@pytest.mark.parametrize("values, num_classes, dtype", [
    ([1.0], -1, "float32"), ([-1, 1], -1, "int64"), ([], -1, "int64"), ([], 0, "int64"), ([1, 2], -2, "int64"),
    ([1, 2], 0, "int64")])
def test_one_hot_errors_match_torch(values, num_classes, dtype):
    _raises_like(lambda: torch.nn.functional.one_hot(torch.tensor(values, dtype=getattr(torch, dtype)), num_classes),
                 lambda: F.one_hot(jnp.asarray(np.array(values, dtype)), num_classes))


def test_one_hot_under_jit():
    x = jnp.array([0, 3, 1])
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda x: F.one_hot(x, 4))(x)), np.eye(4, dtype=int)[[0, 3, 1]])
    with pytest.raises(RuntimeError, match="num_classes explicitly"):
        jax.jit(lambda x: F.one_hot(x))(x)


def test_no_warnings_on_plain_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tp.nn.Embedding(4, 2)(jnp.array([1, 2]))
        tp.nn.EmbeddingBag(4, 2)(jnp.array([[1, 2]]))
