"""Normalization layers against torch 2.13: constructor and input errors, running statistics over
several training steps (eagerly, through functional_call, under jit), functional errors, dtypes."""

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
    """Both raise the same exception type with the same message."""
    with pytest.raises(Exception) as t_exc:
        torch_fn()
    with pytest.raises(type(t_exc.value)) as p_exc:
        tp_fn()
    assert str(p_exc.value) == str(t_exc.value)


def _copy(mt, mp):
    mp.load_state_dict({k: v.numpy() for k, v in mt.state_dict().items()})


def _close(a, b, atol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b.detach().numpy() if isinstance(b, torch.Tensor) else b),
                               atol=atol, rtol=1e-5)


# -- constructors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, args, kwargs", [
    ("GroupNorm", (3, 4), {}),
    ("GroupNorm", (0, 4), {}),
    ("BatchNorm1d", (-1,), {}),
    ("BatchNorm2d", (-2,), {"affine": False}),
    ("InstanceNorm1d", (-1,), {"affine": True}),
    ("LayerNorm", (-1,), {}),
    ("LayerNorm", ((2, -3),), {}),
    ("RMSNorm", (-1,), {}),
])
def test_constructor_errors_match_torch(name, args, kwargs):
    _raises_like(lambda: getattr(torch.nn, name)(*args, **kwargs), lambda: getattr(tp.nn, name)(*args, **kwargs))


def test_no_allocation_means_no_size_error_as_in_torch():
    # torch allocates nothing for InstanceNorm1d(-1) (no affine, no stats), so it does not raise.
    assert repr(tp.nn.InstanceNorm1d(-1)) == repr(torch.nn.InstanceNorm1d(-1))


@pytest.mark.parametrize("name, args, kwargs", [
    ("BatchNorm1d", (3,), {"momentum": None, "bias": False}),
    ("BatchNorm3d", (2,), {"affine": False, "track_running_stats": False}),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}),
    ("LayerNorm", ([2, 3],), {"elementwise_affine": False, "bias": False}),
    ("RMSNorm", (4,), {"eps": 1e-6, "elementwise_affine": False}),
    ("GroupNorm", (2, 6), {"affine": False}),
    ("LocalResponseNorm", (3, 0.1, 0.5, 2), {}),
])
def test_repr_state_keys_and_dtypes(name, args, kwargs):
    kwargs = kwargs or {}
    mt, mp = getattr(torch.nn, name)(*args, **kwargs), getattr(tp.nn, name)(*args, **kwargs)
    assert repr(mp) == repr(mt)
    sd_t, sd_p = mt.state_dict(), mp.state_dict()
    assert list(sd_p) == list(sd_t)
    for k in sd_t:
        assert tuple(sd_p[k].shape) == tuple(sd_t[k].shape)
        _close(sd_p[k], sd_t[k].float())
    if "num_batches_tracked" in sd_p:
        assert sd_p["num_batches_tracked"].dtype == tp._dtype.canonical(tp._dtype.long)


# -- input checks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, shape", [
    ("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm1d", (3,)), ("BatchNorm2d", (2, 3, 4)),
    ("BatchNorm3d", (2, 3, 4, 4)), ("InstanceNorm1d", (2, 3, 4, 5)), ("InstanceNorm2d", (3, 4)),
    ("InstanceNorm3d", (2, 3, 4, 4, 4, 4)),
])
def test_input_dim_errors_match_torch(name, shape):
    x = np.ones(shape, np.float32)
    _raises_like(lambda: getattr(torch.nn, name)(3)(torch.tensor(x)), lambda: getattr(tp.nn, name)(3)(jnp.asarray(x)))


def test_instance_norm_channel_mismatch_raises_with_affine_and_warns_without():
    x = np.random.default_rng(0).standard_normal((2, 4, 5)).astype(np.float32)
    _raises_like(lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.tensor(x)),
                 lambda: tp.nn.InstanceNorm1d(3, affine=True)(jnp.asarray(x)))
    with pytest.warns(UserWarning) as rec_t:
        yt = torch.nn.InstanceNorm1d(3)(torch.tensor(x))
    with pytest.warns(UserWarning) as rec_p:
        yp = tp.nn.InstanceNorm1d(3)(jnp.asarray(x))
    assert str(rec_p[0].message) == str(rec_t[0].message)
    _close(yp, yt)


_FUNCTIONAL_ERRORS = [
    ("batch_norm", lambda m, x: m.batch_norm(x((2, 3)), x((4,)), x((3,)))),
    ("batch_norm", lambda m, x: m.batch_norm(x((2, 3)), None, None)),
    ("batch_norm", lambda m, x: m.batch_norm(x((2, 3)), x((3,)), None)),
    ("batch_norm", lambda m, x: m.batch_norm(x((2, 3)), x((3,)), x((3,)), x((4,)))),
    ("batch_norm", lambda m, x: m.batch_norm(x((2, 3)), None, None, bias=x((2,)), training=True)),
    ("batch_norm", lambda m, x: m.batch_norm(x((1, 3)), None, None, training=True)),
    ("batch_norm", lambda m, x: m.batch_norm(x((1, 3, 1)), None, None, training=True)),
    ("batch_norm", lambda m, x: m.batch_norm(x((2, 3)), None, None, training=True, eps=0.0)),
    ("batch_norm", lambda m, x: m.batch_norm(x((2, 3)), x((3,)), x((3,)), eps=-1.0)),
    ("instance_norm", lambda m, x: m.instance_norm(x((2, 3, 1)))),
    ("instance_norm", lambda m, x: m.instance_norm(x((2, 3, 4)), use_input_stats=False)),
    ("instance_norm", lambda m, x: m.instance_norm(x((2, 3, 4)), x((4,)), x((3,)))),
    ("instance_norm", lambda m, x: m.instance_norm(x((2, 3, 4)), weight=x((4,)))),
    ("layer_norm", lambda m, x: m.layer_norm(x((2, 3)), (5,))),
    ("layer_norm", lambda m, x: m.layer_norm(x((2, 3)), (2, 3, 4))),
    ("layer_norm", lambda m, x: m.layer_norm(x((2, 3)), (3,), x((4,)))),
    ("layer_norm", lambda m, x: m.layer_norm(x((2, 3)), (3,), None, x((4,)))),
    ("layer_norm", lambda m, x: m.layer_norm(x((2, 3)), [])),
    ("layer_norm", lambda m, x: m.layer_norm(x((2, 3)), 3)),
    ("rms_norm", lambda m, x: m.rms_norm(x((2, 3)), (5,))),
    ("rms_norm", lambda m, x: m.rms_norm(x((2, 3)), (2, 4))),
    ("rms_norm", lambda m, x: m.rms_norm(x((2, 3)), (3,), x((4,)))),
    ("group_norm", lambda m, x: m.group_norm(x((2,)), 2)),
    ("group_norm", lambda m, x: m.group_norm(x((2, 5, 3)), 2)),
    ("group_norm", lambda m, x: m.group_norm(x((2, 4, 3)), 2, x((3,)))),
    ("group_norm", lambda m, x: m.group_norm(x((1, 2, 1)), 2)),
    ("local_response_norm", lambda m, x: m.local_response_norm(x((2, 3)), 2)),
    ("local_response_norm", lambda m, x: m.local_response_norm(x((2, 3, 4)), 0)),
]


@pytest.mark.parametrize("case", range(len(_FUNCTIONAL_ERRORS)))
def test_functional_errors_match_torch(case):
    _, call = _FUNCTIONAL_ERRORS[case]
    _raises_like(lambda: call(torch.nn.functional, lambda s: torch.ones(s)),
                 lambda: call(F, lambda s: jnp.ones(s)))


# -- BatchNorm running statistics -----------------------------------------------------------------
_BN_CASES = [
    ("BatchNorm1d", {}, (6, 3)),
    ("BatchNorm1d", {"momentum": None}, (4, 3, 5)),
    ("BatchNorm1d", {"affine": False, "momentum": 0.3}, (5, 3)),
    ("BatchNorm2d", {"momentum": None, "eps": 1e-3}, (2, 3, 3, 4)),
    ("BatchNorm3d", {}, (2, 3, 2, 2, 3)),
    ("BatchNorm2d", {"track_running_stats": False}, (2, 3, 2, 2)),
]


def _batches(shape, n=3, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(shape) * (i + 1) + i).astype(np.float32) for i in range(n)]


@pytest.mark.parametrize("name, kwargs, shape", _BN_CASES)
def test_batchnorm_three_training_steps_eagerly_match_torch(name, kwargs, shape):
    mt, mp = getattr(torch.nn, name)(3, **kwargs), getattr(tp.nn, name)(3, **kwargs)
    for x in _batches(shape):
        _close(mp(jnp.asarray(x)), mt(torch.tensor(x)))
    sd_t, sd_p = mt.state_dict(), mp.state_dict()
    assert list(sd_p) == list(sd_t)
    for k in sd_t:
        _close(sd_p[k], sd_t[k].double().numpy())
    if "num_batches_tracked" in sd_t:
        assert int(mp.num_batches_tracked) == 3
    mt.eval(), mp.eval()
    x = _batches(shape, 1, seed=1)[0]
    _close(mp(jnp.asarray(x)), mt(torch.tensor(x)))


@pytest.mark.parametrize("name, kwargs, shape", _BN_CASES)
@pytest.mark.parametrize("jit", [False, True])
def test_batchnorm_three_training_steps_through_functional_call(name, kwargs, shape, jit):
    mt, mp = getattr(torch.nn, name)(3, **kwargs), getattr(tp.nn, name)(3, **kwargs)
    state = {k: v.value for k, v in mp.state_dict(keep_vars=True).items()}
    before = {k: np.asarray(v) for k, v in state.items()}

    def step(state, x):
        return tp.functional_call(mp, state, (x,), return_buffers=True)

    step = jax.jit(step) if jit else step
    for x in _batches(shape):
        out, buffers = step(state, jnp.asarray(x))
        _close(out, mt(torch.tensor(x)))
        state = {**state, **buffers}
    for k, v in mt.state_dict().items():
        _close(state[k], v.double().numpy())
    # the module itself is untouched
    for k, v in mp.state_dict().items():
        np.testing.assert_array_equal(np.asarray(v), before[k])


def test_batchnorm_gradient_through_functional_call_matches_torch():
    x = _batches((4, 3, 2), 1)[0]
    mt, mp = torch.nn.BatchNorm1d(3), tp.nn.BatchNorm1d(3)
    with torch.no_grad():
        mt.weight.uniform_(0.5, 1.5), mt.bias.uniform_(-1, 1)
    _copy(mt, mp)
    xt = torch.tensor(x, requires_grad=True)
    (mt(xt) ** 2).sum().backward()
    state = {k: v for k, v in mp.state_dict().items() if k in ("weight", "bias")}
    loss = lambda s, x: jnp.sum(tp.functional_call(mp, s, (x,)) ** 2)
    gs, gx = jax.grad(loss, argnums=(0, 1))(state, jnp.asarray(x))
    _close(gs["weight"], mt.weight.grad, 1e-4)
    _close(gs["bias"], mt.bias.grad, 1e-4)
    _close(gx, xt.grad, 1e-4)


def test_batchnorm_training_under_jit_of_closed_over_module_raises_clearly():
    m = tp.nn.BatchNorm1d(3)
    with pytest.raises(RuntimeError, match="functional_call"):
        jax.jit(lambda x: m(x))(jnp.ones((4, 3)))
    assert int(m.num_batches_tracked) == 0
    m.eval()       # eval mode writes nothing, so it jits
    np.testing.assert_allclose(np.asarray(jax.jit(lambda x: m(x))(jnp.ones((4, 3)))), np.ones((4, 3)) / np.sqrt(1 + 1e-5),
                               rtol=1e-6)


def test_batchnorm_fresh_module_in_jit_eval():
    x = jnp.asarray(_batches((4, 3), 1)[0])
    y = jax.jit(lambda x: tp.nn.BatchNorm1d(3).eval()(x))(x)
    _close(y, torch.nn.BatchNorm1d(3).eval()(torch.tensor(np.asarray(x))))


def test_batchnorm_load_old_checkpoint_without_num_batches_tracked():
    m = tp.nn.BatchNorm1d(3)
    sd = {k: np.asarray(v) for k, v in m.state_dict().items() if k != "num_batches_tracked"}
    res = m.load_state_dict(sd)            # no version metadata: the counter is filled, not missing
    assert not res.missing_keys and not res.unexpected_keys


def test_functional_batch_norm_updates_boxes_only():
    x = jnp.asarray(_batches((4, 3), 1)[0])
    rm, rv = tp.zeros(3), tp.ones(3)
    F.batch_norm(x, rm, rv, training=True, momentum=0.5)
    rmt, rvt = torch.zeros(3), torch.ones(3)
    torch.nn.functional.batch_norm(torch.tensor(np.asarray(x)), rmt, rvt, training=True, momentum=0.5)
    _close(rm, rmt), _close(rv, rvt)
    arr = jnp.zeros(3)
    F.batch_norm(x, arr, jnp.ones(3), training=True)
    assert np.asarray(arr).tolist() == [0.0, 0.0, 0.0]
    out, new_mean, new_var = F._normalization._batch_norm(x, arr, jnp.ones(3), training=True, momentum=0.5)
    _close(new_mean, rmt), _close(new_var, rvt)


# -- InstanceNorm running statistics -------------------------------------------------------------
@pytest.mark.parametrize("name, shape, kwargs", [
    ("InstanceNorm1d", (2, 3, 5), {"track_running_stats": True}),
    ("InstanceNorm2d", (2, 3, 3, 3), {"track_running_stats": True, "affine": True, "momentum": 0.4}),
    ("InstanceNorm1d", (3, 5), {"track_running_stats": True}),
])
def test_instance_norm_running_stats_match_torch(name, shape, kwargs):
    mt, mp = getattr(torch.nn, name)(3, **kwargs), getattr(tp.nn, name)(3, **kwargs)
    for x in _batches(shape):
        _close(mp(jnp.asarray(x)), mt(torch.tensor(x)))
    for k, v in mt.state_dict().items():
        _close(mp.state_dict()[k], v.double().numpy())
    mt.eval(), mp.eval()
    x = _batches(shape, 1, seed=2)[0]
    _close(mp(jnp.asarray(x)), mt(torch.tensor(x)))


# -- numerics -------------------------------------------------------------------------------------
def test_rms_norm_default_eps_is_finfo_eps():
    x = np.full((2, 4), 1e-4, np.float32)   # mean square 1e-8 < eps: the eps term shows
    _close(F.rms_norm(jnp.asarray(x), (4,)), torch.nn.functional.rms_norm(torch.tensor(x), (4,)), 1e-6)
    _close(tp.nn.RMSNorm(4)(jnp.asarray(x)), torch.nn.RMSNorm(4)(torch.tensor(x)), 1e-6)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.layer_norm(x, (4,)),
    lambda m, x: m.group_norm(x, 1),
    lambda m, x: m.rms_norm(x, (4,)),
    lambda m, x: m.local_response_norm(x, 2),
])
def test_bfloat16_keeps_dtype_and_matches_torch(fn):
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    yp = fn(F, jnp.asarray(x, jnp.bfloat16))
    yt = fn(torch.nn.functional, torch.tensor(x, dtype=torch.bfloat16))
    assert yp.dtype == jnp.bfloat16
    np.testing.assert_allclose(np.asarray(yp.astype(jnp.float32)), yt.float().numpy(), atol=3e-2, rtol=3e-2)


def test_local_response_norm_values_match_torch():
    x = np.random.default_rng(3).standard_normal((2, 7, 3, 2)).astype(np.float32)
    for size in (1, 2, 3, 5, 9):
        _close(F.local_response_norm(jnp.asarray(x), size, 0.3, 0.6, 1.5),
               torch.nn.functional.local_response_norm(torch.tensor(x), size, 0.3, 0.6, 1.5))


def test_norm_layers_jit_and_vmap():
    x = jnp.asarray(_batches((2, 4, 3), 1)[0])
    for m in (tp.nn.LayerNorm(3), tp.nn.GroupNorm(2, 4), tp.nn.LocalResponseNorm(2)):
        eager = m(x)
        np.testing.assert_allclose(np.asarray(jax.jit(lambda x: m(x))(x)), np.asarray(eager), atol=1e-6)
    m = tp.nn.InstanceNorm1d(4)
    np.testing.assert_allclose(np.asarray(jax.vmap(m)(x)), np.asarray(m(x)), atol=1e-5)   # unbatched (C, L) rows


def test_warnings_are_not_raised_for_matching_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tp.nn.InstanceNorm1d(3)(jnp.ones((2, 3, 4)))


def test_local_response_norm_gradient_under_jit_matches_torch():
    x = np.random.default_rng(4).standard_normal((2, 5, 3)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.local_response_norm(xt, 3, 0.5, 0.75, 1.0).sum().backward()
    g = jax.jit(jax.grad(lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.0).sum()))(jnp.asarray(x))
    _close(g, xt.grad, 1e-4)
