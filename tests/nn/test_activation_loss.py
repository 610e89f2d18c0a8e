"""Activations, losses and the linear family against torch 2.13: constructor and forward errors,
warnings, functional values and gradients over grids (with edge cases), Bilinear's default init."""

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as TF

import torchlike_params as tp
import torchlike_params.nn.functional as F


def _raises_like(tfn, mfn, exact=True):
    """Both raise; same exception type and (first line of the) message."""
    with pytest.raises(Exception) as te:
        tfn()
    with pytest.raises(Exception) as me:
        mfn()
    assert type(me.value) is type(te.value), (me.value, te.value)
    tmsg, mmsg = str(te.value), str(me.value)
    if not exact:   # torch appends a C++ backtrace to some messages
        tmsg, mmsg = tmsg.split("\nException raised from")[0], mmsg.split("\nException raised from")[0]
    assert mmsg == tmsg


def _t(a, dtype=None):
    a = np.asarray(a)
    return torch.tensor(a, dtype=dtype) if dtype is not None else torch.from_numpy(a.copy())


# ----------------------------------------------------------------------------- constructors

CTOR_ERRORS = [
    ("Hardtanh", (1.0, 1.0), {}),
    ("Hardtanh", (2, 1), {}),
    ("Hardtanh", (), {"min_value": 3.0}),
    ("Bilinear", (0, 2, 3), {}),
    ("Bilinear", (-1, 2, 3), {}),
    ("Unflatten", (1, 5), {}),
    ("Unflatten", (1, (2.0, 3)), {}),
    ("Unflatten", (1, ("a", 3)), {}),
    ("Unflatten", (1, {2, 3}), {}),
    ("HuberLoss", (), {"delta": "a"}),
    ("PReLU", (-1,), {}),
    ("Linear", (-1, 3), {}),
]


@pytest.mark.parametrize("name,args,kwargs", CTOR_ERRORS)
def test_constructor_errors_match_torch(name, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_like(lambda: getattr(torch.nn, name)(*args, **kwargs), lambda: getattr(tp.nn, name)(*args, **kwargs))


REPRS = [
    ("Hardtanh", (), {"min_value": -3}), ("Hardtanh", (-2, 2, True), {}), ("ReLU6", (True,), {}),
    ("Softmax", (), {}), ("Softmin", (None,), {}), ("LogSoftmax", (0,), {}), ("Softshrink", (1,), {}),
    ("Hardshrink", (), {}), ("Threshold", (0.1, 20), {"inplace": True}), ("GELU", ("foo",), {}),
    ("Softshrink", (-1.0,), {}), ("PReLU", (0,), {}), ("LeakyReLU", (1,), {}), ("ELU", (), {"alpha": 1}),
    ("Hardswish", (True,), {}), ("Hardsigmoid", (True,), {}), ("SELU", (True,), {}), ("CELU", (0.0,), {}),
    ("Softplus", (2, 10), {}), ("GLU", (0,), {}), ("Mish", (True,), {}), ("SiLU", (True,), {}),
    ("Unflatten", (1, [2, 3]), {}), ("Unflatten", (1, (True, 3)), {}), ("Flatten", (0, 2), {}),
    ("Bilinear", (2, 0, 0), {"bias": False}), ("MSELoss", (), {"reduction": "bad"}),
    ("CrossEntropyLoss", (), {"label_smoothing": 0.1, "ignore_index": 3}), ("KLDivLoss", (), {"log_target": True}),
    ("HuberLoss", (), {"delta": 2}), ("SmoothL1Loss", (), {"beta": 0.5}), ("NLLLoss", (), {}),
    ("BCELoss", (), {}), ("BCEWithLogitsLoss", (), {}), ("L1Loss", (), {}),
]


@pytest.mark.parametrize("name,args,kwargs", REPRS)
def test_repr_and_attributes_match_torch(name, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, m = getattr(torch.nn, name)(*args, **kwargs), getattr(tp.nn, name)(*args, **kwargs)
    assert repr(m) == repr(t)
    for attr in ("min_val", "max_val", "inplace", "dim", "lambd", "reduction", "ignore_index", "label_smoothing",
                 "beta", "delta", "log_target", "alpha", "negative_slope", "threshold", "value", "num_parameters",
                 "unflattened_size", "start_dim", "end_dim", "in1_features", "in2_features", "out_features"):
        if hasattr(t, attr):
            assert getattr(m, attr) == getattr(t, attr), attr


def test_hardtanh_deprecated_keywords_warn_like_torch():
    with pytest.warns(FutureWarning, match="keyword argument `max_value` is deprecated and renamed to `max_val`"):
        m = tp.nn.Hardtanh(max_value=3.0)
    assert (m.min_val, m.max_val) == (-1.0, 3.0)


def test_legacy_loss_arguments_map_like_torch():
    for sa, red in [(None, False), (False, None), (False, True), (True, False), (True, True)]:
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter("always")
            t = torch.nn.NLLLoss(size_average=sa, reduce=red)
        with warnings.catch_warnings(record=True) as mw:
            warnings.simplefilter("always")
            m = tp.nn.NLLLoss(size_average=sa, reduce=red)
        assert m.reduction == t.reduction
        assert [str(w.message) for w in mw] == [str(w.message) for w in tw]


def test_weights_are_buffers_like_torch():
    w = np.array([1.0, 2.0, 3.0], np.float32)
    for name, kw in [("CrossEntropyLoss", {"weight": w}), ("NLLLoss", {"weight": w}), ("BCELoss", {"weight": w}),
                     ("BCEWithLogitsLoss", {"weight": w, "pos_weight": w}), ("BCEWithLogitsLoss", {"pos_weight": w}),
                     ("CrossEntropyLoss", {})]:
        t = getattr(torch.nn, name)(**{k: torch.from_numpy(v) for k, v in kw.items()})
        m = getattr(tp.nn, name)(**{k: jnp.asarray(v) for k, v in kw.items()})
        assert list(m.state_dict()) == list(t.state_dict())
        assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
        assert list(m.parameters()) == []
        for k, v in t.state_dict().items():
            np.testing.assert_array_equal(np.asarray(m.state_dict()[k]), v.numpy())


# ----------------------------------------------------------------------------- forward errors

X23 = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)

FORWARD_ERRORS = [
    # (torch call, tp call) built from a function of the namespace and an array constructor
    lambda F_, a: F_.linear(a(np.ones((2, 4))), a(np.ones((5, 3)))),
    lambda F_, a: F_.linear(a(np.ones((7, 2, 4))), a(np.ones((5, 3))), a(np.ones(5))),
    lambda F_, a: F_.linear(a(np.ones(4)), a(np.ones((5, 3)))),
    lambda F_, a: F_.linear(a(np.ones((2, 3))), a(np.ones((5, 3))), a(np.ones(4))),
    lambda F_, a: F_.linear(a(np.ones((7, 2, 3))), a(np.ones((5, 3))), a(np.ones(4))),
    lambda F_, a: F_.linear(a(np.ones(())), a(np.ones((5, 3)))),
    lambda F_, a: F_.linear(a(np.ones((2, 3))), a(np.ones(4))),
    lambda F_, a: F_.linear(a(np.ones((2, 3))), a(np.ones((2, 3, 4)))),
    lambda F_, a: F_.bilinear(a(np.ones((5, 2))), a(np.ones((4, 3))), a(np.ones((4, 2, 3)))),
    lambda F_, a: F_.bilinear(a(np.ones((5, 3))), a(np.ones((5, 3))), a(np.ones((4, 2, 3)))),
    lambda F_, a: F_.bilinear(a(np.ones((5, 2))), a(np.ones((5, 2))), a(np.ones((4, 2, 3)))),
    lambda F_, a: F_.bilinear(a(np.ones((7, 5, 2))), a(np.ones((5, 3))), a(np.ones((4, 2, 3)))),
    lambda F_, a: F_.bilinear(a(np.ones((5, 2))), a(np.ones((5, 3))), a(np.ones((4, 2, 3))), a(np.ones(3))),
    lambda F_, a: F_.glu(a(np.ones((2, 3)))),
    lambda F_, a: F_.glu(a(np.ones((2, 4))), 2),
    lambda F_, a: F_.glu(a(np.ones(()))),
    lambda F_, a: F_.prelu(a(np.ones((2, 3))), a(np.ones(2))),
    lambda F_, a: F_.prelu(a(np.ones(3)), a(np.ones(3))),
    lambda F_, a: F_.prelu(a(np.ones((2, 3))), a(np.ones((1, 3)))),
    lambda F_, a: F_.softshrink(a(X23), -1.0),
    lambda F_, a: F_.softshrink(a(X23), -0.25),
    lambda F_, a: F_.gelu(a(X23), approximate="foo"),
    lambda F_, a: F_.celu(a(X23), 0.0),
    lambda F_, a: F_.hardtanh(a(X23), 2.0, 1.0),
    lambda F_, a: F_.softmax(a(X23), 2),
    lambda F_, a: F_.log_softmax(a(X23), -3),
    lambda F_, a: F_.mse_loss(a(X23), a(X23), reduction="foo"),
    lambda F_, a: F_.l1_loss(a(X23), a(X23), reduction="bad"),
    lambda F_, a: F_.smooth_l1_loss(a(X23), a(X23), reduction="bad"),
    lambda F_, a: F_.huber_loss(a(X23), a(X23), reduction="bad"),
    lambda F_, a: F_.kl_div(a(X23), a(X23), reduction="bad"),
    lambda F_, a: F_.binary_cross_entropy(a(X23), a(X23), reduction="bad"),
    lambda F_, a: F_.binary_cross_entropy_with_logits(a(X23), a(X23), reduction="bad"),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.array([0, 1]), "i"), reduction="bad"),
    lambda F_, a: F_.nll_loss(a(X23), a(np.array([0, 1]), "i"), reduction="bad"),
    lambda F_, a: F_.mse_loss(a(X23), a(X23), reduction="bad", weight=a(np.ones((2, 3)))),
    lambda F_, a: F_.mse_loss(a(X23), a(X23), weight=a(np.ones(3))),
    lambda F_, a: F_.l1_loss(a(X23), a(X23), weight=a(np.ones((3, 2)))),
    lambda F_, a: F_.mse_loss(a(X23), a(np.ones(4))),
    lambda F_, a: F_.smooth_l1_loss(a(X23), a(X23), beta=-1.0),
    lambda F_, a: F_.huber_loss(a(X23), a(X23), delta=0.0),
    lambda F_, a: F_.huber_loss(a(X23), a(X23), delta=-1.0),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.array([0, 1]), "i"), label_smoothing=1.5),
    lambda F_, a: F_.cross_entropy(a(X23), a(X23), label_smoothing=1.1),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.array([0, 1, 2]), "i")),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.array([[0, 1]]), "i")),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.array([0.0, 1.0]))),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.ones((2, 4)))),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.ones((2, 3)), "i32")),
    lambda F_, a: F_.cross_entropy(a(X23), a(X23), ignore_index=1),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.array([0, 1]), "i"), weight=a(np.ones(4))),
    lambda F_, a: F_.cross_entropy(a(X23), a(X23), weight=a(np.ones(4))),
    lambda F_, a: F_.cross_entropy(a(np.ones((2, 5, 3, 4))), a(np.zeros((2, 3, 5)), "i")),
    lambda F_, a: F_.cross_entropy(a(np.ones((2, 5, 3, 4))), a(np.zeros((2, 3)), "i")),
    lambda F_, a: F_.cross_entropy(a(np.ones((2, 5, 3, 4))), a(np.zeros((3, 3, 4)), "i")),
    lambda F_, a: F_.nll_loss(a(np.ones((2, 5, 3))), a(np.zeros((2, 4)), "i")),
    lambda F_, a: F_.nll_loss(a(np.ones((2, 5, 3, 2, 2))), a(np.zeros((2, 3, 2, 1)), "i")),
    lambda F_, a: F_.nll_loss(a(np.ones(5)), a(np.zeros(3), "i")),
    lambda F_, a: F_.nll_loss(a(np.ones((3, 5))), a(np.zeros(()), "i")),
    lambda F_, a: F_.nll_loss(a(np.ones((3, 5))), a(np.zeros(3), "i"), weight=a(np.ones((5, 1)))),
    lambda F_, a: F_.nll_loss(a(np.ones(())), a(np.zeros(()), "i")),
    lambda F_, a: F_.binary_cross_entropy(a(np.full(3, 0.5)), a(np.full(2, 0.5))),
    lambda F_, a: F_.binary_cross_entropy(a(np.full((3, 2), 0.5)), a(np.full((3, 2), 0.5)), weight=a(np.ones(3))),
    lambda F_, a: F_.binary_cross_entropy_with_logits(a(np.ones(3)), a(np.ones(2))),
    lambda F_, a: F_.binary_cross_entropy_with_logits(a(np.ones((3, 2))), a(np.ones((3, 2))), pos_weight=a(np.ones(3))),
]


def _torch_arr(x, kind=None):
    x = np.asarray(x)
    dtype = {"i": np.int64, "i32": np.int32}.get(kind, np.float32)
    return torch.from_numpy(x.astype(dtype))


def _jax_arr(x, kind=None):
    x = np.asarray(x)
    return jnp.asarray(x.astype(np.int32) if kind in ("i", "i32") else x.astype(np.float32))


@pytest.mark.parametrize("call", FORWARD_ERRORS)
def test_forward_errors_match_torch(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_like(lambda: call(TF, _torch_arr), lambda: call(F, _jax_arr))


MODULE_FORWARD_ERRORS = [
    ("Flatten", (2, 1), (2, 3, 4)), ("Flatten", (1, 5), (2, 3, 4)), ("Flatten", (-5,), (2, 3, 4)),
    ("Flatten", (1,), (2,)), ("Flatten", (1, -1), ()),
    ("Unflatten", (1, (4, -1)), (4, 6)), ("Unflatten", (1, (2, 2)), (4, 6)), ("Unflatten", (3, (2, 3)), (4, 6)),
    ("Unflatten", (1, (-1, -1)), (4, 6)), ("Unflatten", (1, (-2, -3)), (4, 6)), ("Unflatten", (1, (0, -1)), (4, 0)),
    ("Unflatten", (1, ()), (4, 1)), ("Unflatten", (1, (2, 3)), (4,)), ("Unflatten", (0, (1,)), ()),
    ("Softshrink", (-1.0,), (2, 3)), ("GELU", ("foo",), (2, 3)), ("Softmax2d", (), (2, 3)),
    ("Linear", (3, 5), (2, 4)), ("Linear", (3, 5), (7, 2, 4)), ("PReLU", (3,), (2, 4)), ("CELU", (0.0,), (2, 3)),
]


@pytest.mark.parametrize("name,args,shape", MODULE_FORWARD_ERRORS)
def test_module_forward_errors_match_torch(name, args, shape):
    x = np.ones(shape, np.float32)
    t, m = getattr(torch.nn, name)(*args), getattr(tp.nn, name)(*args)
    _raises_like(lambda: t(torch.from_numpy(x)), lambda: m(jnp.asarray(x)), exact=False)


def test_linear_error_wording():
    with pytest.raises(RuntimeError, match=r"^mat1 and mat2 shapes cannot be multiplied \(2x4 and 3x5\)$"):
        tp.nn.Linear(3, 5)(jnp.ones((2, 4)))
    with pytest.raises(RuntimeError, match=r"\(14x4 and 3x5\)"):   # batch dims flattened, as torch reports
        tp.nn.Linear(3, 5)(jnp.ones((7, 2, 4)))


# ----------------------------------------------------------------------------- warnings

def _warnings(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return out, [(x.category, str(x.message)) for x in w]


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_implicit_softmax_dim_matches_torch(name, shape):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    t, tw = _warnings(lambda: getattr(TF, name)(torch.from_numpy(x)))
    m, mw = _warnings(lambda: getattr(F, name)(jnp.asarray(x)))
    assert mw == tw and len(tw) == 1
    np.testing.assert_allclose(np.asarray(m), t.numpy(), rtol=1e-6, atol=1e-6)
    mod_cls = {"softmax": "Softmax", "log_softmax": "LogSoftmax", "softmin": "Softmin"}[name]
    t2, tw2 = _warnings(lambda: getattr(torch.nn, mod_cls)()(torch.from_numpy(x)))
    m2, mw2 = _warnings(lambda: getattr(tp.nn, mod_cls)()(jnp.asarray(x)))
    assert mw2 == tw2
    np.testing.assert_allclose(np.asarray(m2), t2.numpy(), rtol=1e-6, atol=1e-6)


def test_softmax_dtype_argument_and_integer_input():
    x = np.arange(4, dtype=np.float32)
    assert F.softmax(jnp.asarray(x), 0, dtype=jnp.float16).dtype == jnp.float16
    _raises_like(lambda: TF.softmax(torch.ones(3, dtype=torch.int32), 0),
                 lambda: F.softmax(jnp.ones(3, dtype=jnp.int32), 0))


LOSS_WARNINGS = [
    lambda F_, a: F_.kl_div(a(X23), a(X23)),
    lambda F_, a: F_.kl_div(a(X23), a(X23), size_average=False),
    lambda F_, a: F_.mse_loss(a(X23), a(X23[0])),
    lambda F_, a: F_.l1_loss(a(X23), a(X23[:, :1])),
    lambda F_, a: F_.smooth_l1_loss(a(X23), a(X23[0])),
    lambda F_, a: F_.huber_loss(a(X23), a(X23[0])),
    lambda F_, a: F_.mse_loss(a(X23), a(X23), reduction="elementwise_mean"),
    lambda F_, a: F_.nll_loss(a(X23), a(np.array([0, 1]), "i"), reduce=False),
    lambda F_, a: F_.cross_entropy(a(X23), a(np.array([0, 1]), "i"), size_average=False),
    lambda F_, a: F_.binary_cross_entropy(a(np.full(3, 0.5)), a(np.full(3, 0.5)), size_average=True, reduce=True),
]


@pytest.mark.parametrize("call", LOSS_WARNINGS)
def test_loss_warnings_and_values_match_torch(call):
    t, tw = _warnings(lambda: call(TF, _torch_arr))
    m, mw = _warnings(lambda: call(F, _jax_arr))
    assert mw == tw and tw
    np.testing.assert_allclose(np.asarray(m), t.numpy(), rtol=1e-5, atol=1e-6)


def test_kl_div_module_warns_like_torch():
    _, tw = _warnings(lambda: torch.nn.KLDivLoss()(torch.zeros(2, 3), torch.ones(2, 3)))
    _, mw = _warnings(lambda: tp.nn.KLDivLoss()(jnp.zeros((2, 3)), jnp.ones((2, 3))))
    assert mw == tw and len(tw) == 1


# ----------------------------------------------------------------------------- activation values and gradients

EDGE = np.array([-1000.0, -100.0, -50.0, -20.5, -20.0, -3.0, -2.0, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 2.0,
                 3.0, 9.5, 10.0, 20.0, 20.5, 50.0, 100.0, 1000.0], np.float32)

ACTIVATIONS = [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.3}), ("elu", {}),
    ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}), ("celu", {"alpha": 2.5}), ("gelu", {}),
    ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}), ("hardswish", {}), ("hardsigmoid", {}),
    ("hardtanh", {}), ("hardtanh", {"min_val": -2.0, "max_val": 0.5}), ("softplus", {}),
    ("softplus", {"beta": 2.0, "threshold": 10.0}), ("softplus", {"beta": 0.5, "threshold": 5.0}), ("softsign", {}),
    ("tanh", {}), ("sigmoid", {}), ("logsigmoid", {}), ("threshold", {"threshold": 0.5, "value": -3.0}),
    ("tanhshrink", {}), ("softshrink", {}), ("softshrink", {"lambd": 2.0}), ("hardshrink", {}),
    ("hardshrink", {"lambd": 1.0}),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=[f"{n}-{k}" for n, k in ACTIVATIONS])
def test_activation_values_and_gradients_match_torch(name, kwargs):
    rng = np.random.default_rng(2)
    x = np.concatenate([EDGE, (3 * rng.standard_normal(41)).astype(np.float32)])
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    ty = getattr(TF, name)(tx, **kwargs)
    g = rng.standard_normal(x.shape).astype(np.float32)
    (tg,) = torch.autograd.grad(ty, tx, torch.from_numpy(g))
    fn = lambda v: getattr(F, name)(v, **kwargs)  # noqa: E731
    y, vjp = jax.vjp(fn, jnp.asarray(x))
    (jg,) = vjp(jnp.asarray(g))
    np.testing.assert_allclose(np.asarray(y), ty.detach().numpy(), rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(np.asarray(jg), tg.numpy(), rtol=1e-5, atol=1e-5)
    assert np.isfinite(np.asarray(jg)).all()


@pytest.mark.parametrize("name,dim,shape", [("softmax", 1, (3, 5)), ("log_softmax", -1, (2, 3, 4)),
                                            ("softmin", 0, (4, 2)), ("glu", 1, (2, 6, 3)), ("glu", -1, (3, 4))])
def test_dim_activations_match_torch(name, dim, shape):
    rng = np.random.default_rng(3)
    x = (5 * rng.standard_normal(shape)).astype(np.float32)
    tx = torch.from_numpy(x.copy()).requires_grad_(True)
    ty = getattr(TF, name)(tx, dim=dim)
    g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    (tg,) = torch.autograd.grad(ty, tx, torch.from_numpy(g))
    y, vjp = jax.vjp(lambda v: getattr(F, name)(v, dim=dim), jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(y), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(vjp(jnp.asarray(g))[0]), tg.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("xshape,wshape", [((2, 3, 4), (3,)), ((2, 3), (1,)), ((5,), (1,)), ((), (1,)), ((2, 3), ()),
                                           ((2, 4, 3, 3), (4,))])
def test_prelu_values_and_gradients_match_torch(xshape, wshape):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(xshape).astype(np.float32)
    w = rng.uniform(0, 0.5, wshape).astype(np.float32)
    tx, tw = (torch.from_numpy(a.copy()).requires_grad_(True) for a in (x, w))
    ty = TF.prelu(tx, tw)
    g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    tgx, tgw = torch.autograd.grad(ty, (tx, tw), torch.from_numpy(g))
    y, vjp = jax.vjp(F.prelu, jnp.asarray(x), jnp.asarray(w))
    gx, gw = vjp(jnp.asarray(g))
    np.testing.assert_allclose(np.asarray(y), ty.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(gx), tgx.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(gw), tgw.numpy(), rtol=1e-5, atol=1e-5)


def test_activations_jit_and_inplace_is_a_no_op():
    x = jnp.asarray(EDGE)
    for m in (tp.nn.ReLU(True), tp.nn.Hardtanh(-2, 2, True), tp.nn.Softplus(), tp.nn.ELU(inplace=True)):
        y = jax.jit(lambda v: m(v))(x)
        np.testing.assert_array_equal(np.asarray(x), EDGE)   # input untouched
        np.testing.assert_allclose(np.asarray(y), np.asarray(m(x)), rtol=1e-6)


# ----------------------------------------------------------------------------- linear family

@pytest.mark.parametrize("s1,s2", [((5, 2), (5, 3)), ((2,), (3,)), ((4, 5, 2), (4, 5, 3))])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_values_and_gradients_match_torch(s1, s2, bias):
    rng = np.random.default_rng(5)
    torch.manual_seed(0)
    t, m = torch.nn.Bilinear(2, 3, 4, bias=bias), tp.nn.Bilinear(2, 3, 4, bias=bias)
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    x1, x2 = rng.standard_normal(s1).astype(np.float32), rng.standard_normal(s2).astype(np.float32)
    tx1, tx2 = (torch.from_numpy(a.copy()).requires_grad_(True) for a in (x1, x2))
    ty = t(tx1, tx2)
    g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    tgrads = torch.autograd.grad(ty, (tx1, tx2, t.weight), torch.from_numpy(g))
    y, vjp = jax.vjp(lambda a, b, w: F.bilinear(a, b, w, None if m.bias is None else m.bias),
                     jnp.asarray(x1), jnp.asarray(x2), jnp.asarray(m.weight))
    np.testing.assert_allclose(np.asarray(y), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    for a, b in zip(vjp(jnp.asarray(g)), tgrads):
        np.testing.assert_allclose(np.asarray(a), b.numpy(), rtol=1e-4, atol=1e-5)


def test_bilinear_default_init_matches_torch():
    """weight and bias ~ U(±1/sqrt(in1_features)): KS test against torch's own layers."""
    torch.manual_seed(0)
    tp.manual_seed(0)
    tw, tb, mw, mb = [], [], [], []
    while sum(w.size for w in tw) < 30_000:
        t, m = torch.nn.Bilinear(9, 7, 40), tp.nn.Bilinear(9, 7, 40)
        tw.append(t.weight.detach().numpy().ravel())
        tb.append(t.bias.detach().numpy().ravel())
        mw.append(np.asarray(m.weight).ravel())
        mb.append(np.asarray(m.bias).ravel())
    tw, tb, mw, mb = map(np.concatenate, (tw, tb, mw, mb))
    bound = 1 / math.sqrt(9)
    assert np.abs(mw).max() <= bound and np.abs(mw).max() > 0.999 * bound and np.abs(mb).max() <= bound
    assert scipy.stats.ks_2samp(mw, tw).pvalue > 1e-3
    assert scipy.stats.ks_2samp(mb, tb).pvalue > 1e-3


def test_bilinear_draws_weight_then_bias():
    g = tp.Generator().manual_seed(11)
    with tp.key_scope(g):
        m = tp.nn.Bilinear(4, 3, 2)
    g2 = tp.Generator().manual_seed(11)
    bound = 1 / math.sqrt(4)
    w = tp.initializers.uniform(g2.next_key(), (2, 4, 3), a=-bound, b=bound)
    b = tp.initializers.uniform(g2.next_key(), (2,), a=-bound, b=bound)
    np.testing.assert_array_equal(np.asarray(m.weight), np.asarray(w))
    np.testing.assert_array_equal(np.asarray(m.bias), np.asarray(b))


@pytest.mark.parametrize("args,shape", [((), (2, 3, 4)), ((0, -1), (2, 3)), ((1, 1), (2, 3)), ((-2,), (2, 3, 4, 5)),
                                        ((0, -1), ()), ((0, 0), (3,))])
def test_flatten_matches_torch(args, shape):
    x = np.arange(math.prod(shape), dtype=np.float32).reshape(shape)
    np.testing.assert_array_equal(np.asarray(tp.nn.Flatten(*args)(jnp.asarray(x))),
                                  torch.nn.Flatten(*args)(torch.from_numpy(x)).numpy())


@pytest.mark.parametrize("args,shape", [((1, (2, 3)), (4, 6)), ((-1, [2, -1]), (4, 6)), ((0, (1, -1, 2)), (6,)),
                                        ((1, (1,)), (2, 1, 3)), ((-2, (3, 1, 2)), (5, 6, 2))])
def test_unflatten_matches_torch(args, shape):
    x = np.arange(math.prod(shape), dtype=np.float32).reshape(shape)
    np.testing.assert_array_equal(np.asarray(tp.nn.Unflatten(*args)(jnp.asarray(x))),
                                  torch.nn.Unflatten(*args)(torch.from_numpy(x)).numpy())


# ----------------------------------------------------------------------------- losses: values and gradients

def _compare_loss(tcall, mcall, arrays, grad_args, atol=1e-5, rtol=1e-5, grad_atol=1e-5):
    """Run ``tcall(*torch tensors)`` and ``mcall(*jax arrays)``; compare values and the gradients of
    ``sum(out * g)`` w.r.t. the arrays at ``grad_args``."""
    targs = [torch.from_numpy(np.array(a)) for a in arrays]
    for i in grad_args:
        targs[i].requires_grad_(True)
    tout = tcall(*targs)
    g = np.random.default_rng(9).standard_normal(tuple(tout.shape)).astype(np.float32)
    tgrads = torch.autograd.grad(tout, [targs[i] for i in grad_args], torch.from_numpy(g)) if grad_args else ()
    jargs = [jnp.asarray(a) for a in arrays]

    def f(*xs):
        a = list(jargs)
        for i, x in zip(grad_args, xs):
            a[i] = x
        return mcall(*a)

    if not grad_args:
        out = mcall(*jargs)
        np.testing.assert_allclose(np.asarray(out), tout.detach().numpy(), rtol=rtol, atol=atol)
        return
    out, vjp = jax.vjp(f, *[jargs[i] for i in grad_args])
    np.testing.assert_allclose(np.asarray(out), tout.detach().numpy(), rtol=rtol, atol=atol)
    assert out.shape == tuple(tout.shape) and out.dtype == jnp.float32
    for a, b in zip(vjp(jnp.asarray(g)), tgrads):
        np.testing.assert_allclose(np.asarray(a), b.numpy(), rtol=1e-4, atol=grad_atol)


REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}),
                                     ("smooth_l1_loss", {"beta": 0.3}), ("smooth_l1_loss", {"beta": 0.0}),
                                     ("huber_loss", {}), ("huber_loss", {"delta": 2.5})])
def test_regression_losses_match_torch(name, kw, reduction):
    rng = np.random.default_rng(6)
    x = (2 * rng.standard_normal((4, 5))).astype(np.float32)
    y = (2 * rng.standard_normal((4, 5))).astype(np.float32)
    y[0, :2] = x[0, :2]          # zero differences (kinks)
    y[1, 0] = x[1, 0] + 1.0      # exactly at beta / delta = 1
    _compare_loss(lambda a, b: getattr(TF, name)(a, b, reduction=reduction, **kw),
                  lambda a, b: getattr(F, name)(a, b, reduction=reduction, **kw), (x, y), (0, 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression_losses_match_torch(name, reduction):
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((2, 3, 4)).astype(np.float32), rng.standard_normal((2, 3, 4)).astype(np.float32)
    w = rng.uniform(0, 2, (2, 3, 4)).astype(np.float32)
    _compare_loss(lambda a, b, c: getattr(TF, name)(a, b, reduction=reduction, weight=c),
                  lambda a, b, c: getattr(F, name)(a, b, reduction=reduction, weight=c), (x, y, w), (0, 1, 2))


def test_regression_broadcast_matches_torch():
    x = np.random.default_rng(8).standard_normal((3, 4)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _compare_loss(lambda a, b: TF.mse_loss(a, b), lambda a, b: F.mse_loss(a, b), (x, x[:1] + 1), (0, 1))


def _class_data(shape, n_classes, ignore=None, seed=0, all_ignored=False):
    rng = np.random.default_rng(seed)
    x = (2 * rng.standard_normal(shape)).astype(np.float32)
    tshape = () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])
    t = rng.integers(0, n_classes, size=tshape)
    if ignore is not None and t.ndim:
        t.reshape(-1)[::3] = ignore
        if all_ignored:
            t[...] = ignore
    return x, t


CE_CASES = [
    ((6, 5), {}), ((6, 5), {"ignore_index": 2}), ((6, 5), {"ignore_index": -100, "_ignore": -100}),
    ((6, 5), {"label_smoothing": 0.2, "_ignore": -100}), ((6, 5), {"label_smoothing": 1.0}),
    ((6, 5), {"label_smoothing": 0.15, "_weight": True, "_ignore": -100}), ((6, 5), {"_weight": True, "_ignore": 4,
                                                                                  "ignore_index": 4}),
    ((2, 5, 3), {"_weight": True}), ((2, 5, 3, 2), {"label_smoothing": 0.1, "_ignore": -100}),
    ((2, 5, 2, 2, 2), {"_weight": True, "label_smoothing": 0.3}), ((5,), {}), ((5,), {"label_smoothing": 0.4}),
    ((6, 5), {"label_smoothing": -0.1}), ((0, 5), {}),
]


@pytest.mark.parametrize("reduction", ["mean", "none"])   # 'sum' is covered by the specs and by 'none'
@pytest.mark.parametrize("shape,kw", CE_CASES)
def test_cross_entropy_class_indices_match_torch(shape, kw, reduction):
    kw = dict(kw)
    ignore, use_weight = kw.pop("_ignore", None), kw.pop("_weight", False)
    x, t = _class_data(shape, shape[0] if len(shape) == 1 else shape[1], ignore)
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    w = np.linspace(0.25, 2.0, n_classes).astype(np.float32)
    tw, mw = (torch.from_numpy(w), jnp.asarray(w)) if use_weight else (None, None)
    tt, mt = torch.from_numpy(t.astype(np.int64)), jnp.asarray(t.astype(np.int32))
    _compare_loss(lambda a: TF.cross_entropy(a, tt, weight=tw, reduction=reduction, **kw),
                  lambda a: F.cross_entropy(a, mt, weight=mw, reduction=reduction, **kw), (x,), (0,))
    if reduction != "mean" or "label_smoothing" in kw:
        return
    _compare_loss(lambda a: TF.nll_loss(TF.log_softmax(a, 0 if a.ndim == 1 else 1), tt, weight=tw,
                                        reduction=reduction, ignore_index=kw.get("ignore_index", -100)),
                  lambda a: F.nll_loss(F.log_softmax(a, 0 if a.ndim == 1 else 1), mt, weight=mw,
                                       reduction=reduction, ignore_index=kw.get("ignore_index", -100)), (x,), (0,))


@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("use_weight", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_all_targets_ignored_matches_torch(label_smoothing, use_weight, reduction):
    x, t = _class_data((4, 3), 3, ignore=-100, all_ignored=True)
    w = np.array([0.5, 1.0, 2.0], np.float32)
    tw, mw = (torch.from_numpy(w), jnp.asarray(w)) if use_weight else (None, None)
    tt, mt = torch.from_numpy(t.astype(np.int64)), jnp.asarray(t.astype(np.int32))
    tx = torch.from_numpy(x).requires_grad_(True)
    tout = TF.cross_entropy(tx, tt, weight=tw, reduction=reduction, label_smoothing=label_smoothing)
    (tg,) = torch.autograd.grad(tout.sum(), tx)
    fn = lambda a: F.cross_entropy(a, mt, weight=mw, reduction=reduction, label_smoothing=label_smoothing)  # noqa
    out = fn(jnp.asarray(x))
    g = jax.grad(lambda a: jnp.sum(fn(a)))(jnp.asarray(x))
    np.testing.assert_array_equal(np.isnan(np.asarray(out)), np.isnan(tout.detach().numpy()))
    np.testing.assert_allclose(np.asarray(out), tout.detach().numpy(), equal_nan=True)
    np.testing.assert_allclose(np.asarray(g), tg.numpy(), equal_nan=True)


@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("shape,kw", [((4, 5), {}), ((4, 5), {"label_smoothing": 0.2}), ((4, 5), {"_weight": True}),
                                      ((2, 5, 3), {"_weight": True, "label_smoothing": 0.1}), ((5,), {}),
                                      ((2, 5, 2, 2), {"label_smoothing": 0.5}), ((0, 5), {})])
def test_cross_entropy_probability_targets_match_torch(shape, kw, reduction):
    kw = dict(kw)
    use_weight = kw.pop("_weight", False)
    rng = np.random.default_rng(10)
    axis = 0 if len(shape) == 1 else 1
    x = (2 * rng.standard_normal(shape)).astype(np.float32)
    e = np.exp(rng.standard_normal(shape))
    y = (e / e.sum(axis=axis, keepdims=True)).astype(np.float32)
    w = np.linspace(0.5, 1.5, shape[axis]).astype(np.float32)
    tw, mw = (torch.from_numpy(w), jnp.asarray(w)) if use_weight else (None, None)
    _compare_loss(lambda a, b: TF.cross_entropy(a, b, weight=tw, reduction=reduction, **kw),
                  lambda a, b: F.cross_entropy(a, b, weight=mw, reduction=reduction, **kw), (x, y), (0, 1))


def test_cross_entropy_accepts_int32_and_out_of_range_gives_nan():
    x = jnp.zeros((2, 3))
    assert np.isclose(float(F.cross_entropy(x, jnp.array([0, 2], dtype=jnp.int32))), math.log(3))
    assert np.isnan(float(F.cross_entropy(x, jnp.array([0, 3]))))
    assert np.isnan(float(F.nll_loss(x, jnp.array([-1, 0]))))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("use_weight", [None, "full", "row"])
def test_binary_cross_entropy_matches_torch(reduction, use_weight):
    rng = np.random.default_rng(11)
    p = (1 / (1 + np.exp(-3 * rng.standard_normal((4, 6))))).astype(np.float32)
    p[0, :4] = [0.0, 1.0, 1e-30, 1 - 1e-7]      # log clamped at -100; torch's gradient denominator clamp
    y = rng.uniform(0, 1, (4, 6)).astype(np.float32)
    y[0, :4] = [0.0, 1.0, 0.0, 1.0]
    y[1, :2] = [1.0, 0.0]
    p[1, :2] = [0.0, 1.0]
    arrays, grads = [p, y], (0,)
    if use_weight == "full":
        arrays.append(rng.uniform(0, 2, (4, 6)).astype(np.float32))
    elif use_weight == "row":
        arrays.append(rng.uniform(0, 2, (6,)).astype(np.float32))
    _compare_loss(lambda *a: TF.binary_cross_entropy(a[0], a[1], weight=a[2] if len(a) > 2 else None,
                                                     reduction=reduction),
                  lambda *a: F.binary_cross_entropy(a[0], a[1], weight=a[2] if len(a) > 2 else None,
                                                    reduction=reduction), arrays, grads, atol=1e-4)
    q = arrays[0].copy()
    q[:2, :4] = 0.5                             # target gradient (log(1-p) - log(p)) is infinite at 0 and 1
    arrays[0] = q
    _compare_loss(lambda *a: TF.binary_cross_entropy(a[0], a[1], reduction=reduction),
                  lambda *a: F.binary_cross_entropy(a[0], a[1], reduction=reduction), arrays[:2], (0, 1), atol=1e-4)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weights", [(None, None), ("w", None), (None, "pw"), ("w", "pw"), (None, "pw2")])
def test_binary_cross_entropy_with_logits_matches_torch(reduction, weights):
    rng = np.random.default_rng(12)
    x = (5 * rng.standard_normal((3, 4))).astype(np.float32)
    x[0, :4] = [-200.0, 200.0, 0.0, 40.0]
    y = rng.uniform(0, 1, (3, 4)).astype(np.float32)
    arrays, names = [x, y], []
    if weights[0]:
        arrays.append(rng.uniform(0, 2, (3, 1)).astype(np.float32))
        names.append("weight")
    if weights[1]:
        arrays.append(rng.uniform(0.5, 3, (4,) if weights[1] == "pw" else (3, 4)).astype(np.float32))
        names.append("pos_weight")

    def call(mod):
        return lambda a, b, *rest: mod.binary_cross_entropy_with_logits(a, b, reduction=reduction,
                                                                       **dict(zip(names, rest)))

    _compare_loss(call(TF), call(F), arrays, (0, 1), atol=1e-4)   # torch has no gradient for the weights


@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    rng = np.random.default_rng(13)
    x = np.log(rng.dirichlet(np.ones(5), size=4)).astype(np.float32)
    y = rng.dirichlet(np.ones(5), size=4).astype(np.float32)
    y[0, 0] = 1e-3
    if log_target:
        y = np.log(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _compare_loss(lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
                      lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target), (x, y), (0, 1))


def test_kl_div_zero_target_is_zero():
    out = F.kl_div(jnp.log(jnp.array([[0.5, 0.5]])), jnp.array([[0.0, 1.0]]), reduction="none")
    np.testing.assert_allclose(np.asarray(out), TF.kl_div(torch.log(torch.tensor([[0.5, 0.5]])),
                                                         torch.tensor([[0.0, 1.0]]), reduction="none").numpy())


def test_loss_modules_match_functionals_and_jit():
    """Modules under jit (closed over, with buffers): same values as torch's modules."""
    x, t = _class_data((6, 5), 5, ignore=-100)
    w = np.linspace(0.5, 2, 5).astype(np.float32)
    tm = torch.nn.CrossEntropyLoss(weight=torch.from_numpy(w), label_smoothing=0.1)
    mm = tp.nn.CrossEntropyLoss(weight=jnp.asarray(w), label_smoothing=0.1)
    expected = tm(torch.from_numpy(x), torch.from_numpy(t)).numpy()
    got = jax.jit(lambda a, b: mm(a, b))(jnp.asarray(x), jnp.asarray(t.astype(np.int32)))
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5)
    p = np.random.default_rng(0).uniform(0.1, 0.9, (3, 4)).astype(np.float32)
    got = jax.jit(jax.grad(lambda a: tp.nn.BCELoss()(a, jnp.asarray(p))))(jnp.asarray(p))
    tp_ = torch.from_numpy(p.copy()).requires_grad_(True)
    (tg,) = torch.autograd.grad(torch.nn.BCELoss()(tp_, torch.from_numpy(p)), tp_)
    np.testing.assert_allclose(np.asarray(got), tg.numpy(), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- distances

@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1), (math.inf, 1), (0.5, 1)])
def test_normalize_matches_torch(p, dim):
    x = np.random.default_rng(14).standard_normal((3, 4)).astype(np.float32)
    x[1] = 0.0
    _compare_loss(lambda a: TF.normalize(a, p=p, dim=dim), lambda a: F.normalize(a, p=p, dim=dim), (x,),
                  (0,) if p >= 1 else ())


@pytest.mark.parametrize("shapes,dim", [(((3, 4), (3, 4)), 1), (((2, 3, 4), (3, 4)), -1), (((4,), (4,)), 0)])
def test_cosine_similarity_matches_torch(shapes, dim):
    rng = np.random.default_rng(15)
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    _compare_loss(lambda u, v: TF.cosine_similarity(u, v, dim=dim), lambda u, v: F.cosine_similarity(u, v, dim=dim),
                  (a, b), (0, 1))


def test_cosine_similarity_tiny_and_zero_vectors_match_torch():
    a = np.array([[1e-9, 2e-9, 0.0], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0]], np.float32)
    b = np.array([[1.0, 3.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]], np.float32)
    _compare_loss(lambda u, v: TF.cosine_similarity(u, v), lambda u, v: F.cosine_similarity(u, v), (a, b), (0, 1),
                  grad_atol=1.0)


@pytest.mark.parametrize("p,keepdim", [(2.0, False), (1.0, True), (3.0, False), (math.inf, False), (0.0, False)])
def test_pairwise_distance_matches_torch(p, keepdim):
    rng = np.random.default_rng(16)
    a, b = rng.standard_normal((5, 4)).astype(np.float32), rng.standard_normal((5, 4)).astype(np.float32)
    b[0] = a[0]
    _compare_loss(lambda u, v: TF.pairwise_distance(u, v, p=p, keepdim=keepdim),
                  lambda u, v: F.pairwise_distance(u, v, p=p, keepdim=keepdim), (a, b), (0, 1) if p else ())
