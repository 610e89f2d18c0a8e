"""Dropout layers: torch's checks, warnings and errors; mask rates, scaling and alpha-dropout
constants (seeded statistical checks against torch); eval identity; jit with a key scope."""

from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats
import torch

import torchlike_params as tp
import torchlike_params.nn.functional as F

_CLASSES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
_FUNCS = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


def _raises_like(torch_fn, tp_fn):
    with pytest.raises(Exception) as t_exc:
        torch_fn()
    with pytest.raises(type(t_exc.value)) as p_exc:
        tp_fn()
    assert str(p_exc.value) == str(t_exc.value)


@pytest.fixture(autouse=True)
def _seeded():
    tp.manual_seed(0)
    torch.manual_seed(0)


@pytest.mark.parametrize("name", _CLASSES)
@pytest.mark.parametrize("p", [-0.1, 1.5, 2])
def test_bad_p_matches_torch(name, p):
    _raises_like(lambda: getattr(torch.nn, name)(p), lambda: getattr(tp.nn, name)(p))


@pytest.mark.parametrize("fn", _FUNCS)
def test_functional_bad_p_matches_torch(fn):
    _raises_like(lambda: getattr(torch.nn.functional, fn)(torch.ones(2, 3, 4, 4), 1.01),
                 lambda: getattr(F, fn)(jnp.ones((2, 3, 4, 4)), 1.01))


@pytest.mark.parametrize("name", _CLASSES)
@pytest.mark.parametrize("kwargs", [{}, {"p": 0.25, "inplace": True}, {"p": True}])
def test_repr_matches_torch(name, kwargs):
    assert repr(getattr(tp.nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


@pytest.mark.parametrize("name, shape", [("Dropout", (3, 4)), ("Dropout1d", (2, 3, 4)), ("Dropout2d", (2, 3, 2, 2)),
                                         ("Dropout3d", (2, 3, 2, 2, 2)), ("AlphaDropout", (3, 4)),
                                         ("FeatureAlphaDropout", (2, 3, 4))])
def test_eval_and_p0_are_identity(name, shape):
    x = jnp.asarray(np.random.default_rng(0).standard_normal(shape), jnp.float32)
    m = getattr(tp.nn, name)(0.5).eval()
    np.testing.assert_array_equal(np.asarray(m(x)), np.asarray(x))
    np.testing.assert_array_equal(np.asarray(getattr(tp.nn, name)(0.0)(x)), np.asarray(x))
    y1 = getattr(tp.nn, name)(1.0)(x)
    yt = getattr(torch.nn, name)(1.0)(torch.tensor(np.asarray(x)))
    np.testing.assert_array_equal(np.asarray(y1), yt.numpy())      # zeros for every kind, as torch


def test_eval_draws_nothing_so_jit_needs_no_key():
    m = tp.nn.Dropout(0.5).eval()
    x = jnp.ones(5)
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda x: m(x))(x)), np.ones(5))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_mask_rate_and_scaling(p):
    n = 200_000
    y = np.asarray(F.dropout(jnp.ones(n), p))
    zeros = np.count_nonzero(y == 0)
    z = (zeros - n * p) / math.sqrt(n * p * (1 - p))
    assert abs(z) < 5, z
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 1 / (1 - p), rtol=1e-6)


def test_kept_values_distribution_matches_torch_ks():
    p = 0.3
    x = np.random.default_rng(1).standard_normal(20_000).astype(np.float32)
    yp = np.asarray(F.dropout(jnp.asarray(x), p))
    yt = torch.nn.functional.dropout(torch.tensor(x), p).numpy()
    assert scipy.stats.ks_2samp(yp, yt).pvalue > 1e-3
    np.testing.assert_allclose(yp[yp != 0], x[yp != 0] / (1 - p), rtol=1e-6)


@pytest.mark.parametrize("fn, shape", [("dropout1d", (64, 32, 7)), ("dropout1d", (32, 7)),
                                       ("dropout2d", (64, 32, 3, 3)), ("dropout3d", (64, 32, 2, 2, 2)),
                                       ("dropout3d", (32, 2, 2, 2)), ("feature_alpha_dropout", (64, 32, 5))])
def test_feature_masks_are_per_channel(fn, shape):
    p = 0.4
    kwargs = {"training": True} if "alpha" in fn else {}
    y = np.asarray(getattr(F, fn)(jnp.ones(shape), p, **kwargs))
    batched = len(shape) in (3, 4, 5) and not (fn == "dropout3d" and len(shape) == 4) and not (
        fn == "dropout1d" and len(shape) == 2)
    per_channel = y.reshape(shape[:2] + (-1,)) if batched else y.reshape(shape[:1] + (-1,))
    assert (per_channel == per_channel[..., :1]).all()            # constant over the spatial axes
    dropped = per_channel[..., 0] != (1 / (1 - p) if "alpha" not in fn else per_channel[..., 0].max())
    rate = dropped.mean()
    n = dropped.size
    assert abs(rate - p) < 5 * math.sqrt(p * (1 - p) / n), rate


@pytest.mark.parametrize("fn", ["alpha_dropout", "feature_alpha_dropout"])
def test_alpha_dropout_constants_match_torch(fn):
    p = 0.3
    x = np.random.default_rng(2).standard_normal((400, 50, 3)).astype(np.float32)
    yp = np.asarray(getattr(F, fn)(jnp.asarray(x), p, training=True))
    yt = getattr(torch.nn.functional, fn)(torch.tensor(x), p, training=True).numpy()
    # dropped units take one constant value, kept ones an affine map of x: the same in both
    alpha = 1.7580993408473766
    a = 1 / math.sqrt((alpha ** 2 * p + 1) * (1 - p))
    kept_p, kept_t = np.isclose(yp, x * a + alpha * a * p), np.isclose(yt, x * a + alpha * a * p)
    np.testing.assert_allclose(np.unique(yp[~kept_p]), np.unique(yt[~kept_t]), rtol=1e-6)
    assert abs(kept_p.mean() - kept_t.mean()) < 0.02
    # SELU's fixed point: zero mean, unit variance in and out
    assert abs(yp.mean()) < 0.02 and abs(yp.std() - 1) < 0.02


def test_dropout_gradient_is_mask_over_keep():
    x = jnp.asarray(np.random.default_rng(3).standard_normal(1000), jnp.float32)
    def f(x, key):
        with tp.key_scope(key):          # a traced key: the draws may happen under the trace
            return F.dropout(x, 0.25)

    y = jax.jit(f)(x, jax.random.key(7))
    g = jax.jit(jax.grad(lambda x, key: f(x, key).sum()))(x, jax.random.key(7))
    np.testing.assert_allclose(np.asarray(g), np.where(np.asarray(y) != 0, 1 / 0.75, 0), rtol=1e-6)


def test_dropout_under_jit_with_key_scope():
    def f(key, x):
        with tp.key_scope(key):
            return tp.nn.Dropout(0.5)(x)

    g = jax.jit(f)
    x = jnp.ones(1000)
    a, b, c = g(jax.random.key(0), x), g(jax.random.key(0), x), g(jax.random.key(1), x)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))
    assert 350 < int((a == 0).sum()) < 650


def test_closed_over_dropout_module_under_jit_with_key_scope():
    m = tp.nn.Dropout2d(0.5)

    @jax.jit
    def f(key, x):
        with tp.key_scope(key):
            return m(x)

    y = f(jax.random.key(3), jnp.ones((4, 8, 2, 2)))
    assert set(np.unique(np.asarray(y)).tolist()) <= {0.0, 2.0}


def test_dropout_under_jit_without_key_raises_clearly():
    with pytest.raises(RuntimeError, match="key_scope"):
        jax.jit(lambda x: F.dropout(x, 0.5))(jnp.ones(3))


def test_eager_draws_follow_the_default_generator_seed():
    tp.manual_seed(5)
    a = F.dropout(jnp.ones(64), 0.5)
    tp.manual_seed(5)
    b = F.dropout(jnp.ones(64), 0.5)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4, 5, 6), (2, 3, 4)])
def test_dropout2d_warnings_match_torch(shape):
    with warnings.catch_warnings(record=True) as rec_t:
        warnings.simplefilter("always")
        torch.nn.functional.dropout2d(torch.ones(shape), 0.5)
    with warnings.catch_warnings(record=True) as rec_p:
        warnings.simplefilter("always")
        F.dropout2d(jnp.ones(shape), 0.5)
    assert [str(w.message) for w in rec_p] == [str(w.message) for w in rec_t]
    assert rec_t


def test_dropout3d_warning_matches_torch():
    with warnings.catch_warnings(record=True) as rec_t:
        warnings.simplefilter("always")
        torch.nn.functional.dropout3d(torch.ones(2, 3, 4), 0.5)
    with warnings.catch_warnings(record=True) as rec_p:
        warnings.simplefilter("always")
        F.dropout3d(jnp.ones((2, 3, 4)), 0.5)
    assert [str(w.message) for w in rec_p] == [str(w.message) for w in rec_t]


@pytest.mark.parametrize("call", [
    lambda m, x: m.dropout1d(x((2, 3, 4, 5)), 0.5),
    lambda m, x: m.dropout1d(x((3,)), 0.5),
    lambda m, x: m.dropout2d(x((3,)), 0.5),
    lambda m, x: m.feature_alpha_dropout(x((3,)), 0.5, True),
])
def test_dim_errors_match_torch(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_like(lambda: call(torch.nn.functional, torch.ones), lambda: call(F, jnp.ones))


def test_dtype_kept_and_nan_propagates_like_torch():
    x = jnp.asarray([jnp.nan] * 64, jnp.bfloat16)
    y = F.dropout(x, 0.5)
    assert y.dtype == jnp.bfloat16 and bool(jnp.isnan(y).all())    # torch: NaN * 0 = NaN
