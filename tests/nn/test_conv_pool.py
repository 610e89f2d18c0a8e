"""Convolutions, pooling, padding and resampling against torch 2.13: constructor and call errors,
ConvTranspose's ``output_size``, max-pool indices, ``interpolate`` over a grid, ``pad``, ``fold``."""

import math
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import torchlike_params as tp
import torchlike_params.nn.functional as F


def _sorted_sets(msg):
    return re.sub(r"\{[^}]*\}", lambda m: str(sorted(m.group(0)[1:-1].split(", "))), msg)


def _same_error(torch_call, tp_call):
    with pytest.raises(Exception) as te:
        torch_call()
    with pytest.raises(Exception) as me:
        tp_call()
    assert type(me.value) is type(te.value), (me.value, te.value)
    assert _sorted_sets(str(me.value)) == _sorted_sets(str(te.value))


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ---- constructors ----------------------------------------------------------------------------------------------

BAD_CTORS = [
    ("ConvTranspose2d", (4, 8, 3), {"padding_mode": "reflect"}),
    ("ConvTranspose1d", (4, 8, 3), {"padding_mode": "circular"}),
    ("ConvTranspose3d", (4, 8, 3), {"groups": 3}),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 4}),
    ("ConvTranspose2d", (4, 8, 3), {"groups": 0}),
    ("Conv3d", (4, 8, 3), {"padding": "same", "stride": (1, 2, 1)}),
    ("Conv1d", (4, 8, 3), {"padding": "full"}),
]


@pytest.mark.parametrize("name,args,kwargs", BAD_CTORS)
def test_constructor_errors_match_torch(name, args, kwargs):
    _same_error(lambda: getattr(torch.nn, name)(*args, **kwargs), lambda: getattr(tp.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("name,args,kwargs", [
    ("ConvTranspose1d", (4, 6, 3), {"stride": 2, "output_padding": 1, "dilation": 2, "groups": 2}),
    ("ConvTranspose2d", (4, 8, (3, 5)), {"stride": (2, 1), "padding": (1, 2), "bias": False}),
    ("ConvTranspose3d", (2, 4, 3), {}),
    ("Conv3d", (2, 4, 3), {"padding": "same", "padding_mode": "replicate"}),
])
def test_conv_structure_matches_torch(name, args, kwargs):
    t, m = getattr(torch.nn, name)(*args, **kwargs), getattr(tp.nn, name)(*args, **kwargs)
    assert repr(m) == repr(t)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    for attr in ("kernel_size", "stride", "padding", "dilation", "output_padding", "groups", "transposed",
                 "padding_mode"):
        assert getattr(m, attr) == getattr(t, attr)
    assert m._reversed_padding_repeated_twice == list(t._reversed_padding_repeated_twice)


def test_conv_transpose_init_bound_uses_transposed_fan():
    """torch: fan_in = weight.size(1) * prod(k) = out/groups * prod(k), for the weight and the bias bound."""
    m = tp.nn.ConvTranspose2d(16, 32, 3, groups=2)
    bound = 1 / math.sqrt(16 * 9)
    w, b = np.abs(np.asarray(m.weight)), np.abs(np.asarray(m.bias))
    assert w.max() <= bound and w.max() > 0.99 * bound
    assert b.max() <= bound and b.max() > 0.8 * bound


# ---- conv forwards -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("output_size", [None, [11, 12], [10, 11], (1, 6, 11, 11), [9, 9]])
def test_conv_transpose_output_size_matches_torch(output_size):
    torch.manual_seed(0)
    t = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2)
    m = tp.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2)
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    x = _rand(1, 4, 6, 6)
    try:
        expected = t(torch.from_numpy(x), output_size=output_size).detach().numpy()
    except Exception:
        _same_error(lambda: t(torch.from_numpy(x), output_size=output_size),
                    lambda: m(jnp.asarray(x), output_size=output_size))
        return
    got = np.asarray(m(jnp.asarray(x), output_size=output_size))
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5)


def test_conv_transpose_output_size_wrong_length():
    t, m = torch.nn.ConvTranspose1d(2, 2, 3, stride=2), tp.nn.ConvTranspose1d(2, 2, 3, stride=2)
    x = _rand(1, 2, 5)
    _same_error(lambda: t(torch.from_numpy(x), output_size=[1, 2]), lambda: m(jnp.asarray(x), output_size=[1, 2]))


def test_conv_transpose_jit_and_grad():
    m = tp.nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1)
    x = jnp.asarray(_rand(1, 2, 4, 4))
    y = jax.jit(lambda x: m(x))(x)
    assert y.shape == (1, 3, 10, 10)
    g = jax.grad(lambda x: m(x).sum())(x)
    assert g.shape == x.shape


@pytest.mark.parametrize("fn,x,w,kw", [
    ("conv2d", (2, 3), (8, 3, 3, 3), {}),
    ("conv2d", (1, 4, 5, 5), (8, 3, 3, 3), {}),
    ("conv2d", (4, 5, 5), (8, 3, 3, 3), {}),
    ("conv1d", (1, 4, 5, 5), (8, 4, 3), {}),
    ("conv2d", (1, 4, 5, 5), (8, 3, 3, 3), {"groups": 2}),
    ("conv2d", (1, 3, 2, 2), (8, 3, 3, 3), {}),
    ("conv_transpose2d", (1, 5, 5, 5), (4, 8, 3, 3), {}),
    ("conv_transpose2d", (5, 5), (4, 8, 3, 3), {}),
    ("conv_transpose2d", (1, 4, 5, 5), (4, 8, 3, 3), {"stride": 2, "output_padding": 2}),
    ("conv_transpose1d", (1, 4, 5), (4, 8, 3), {"stride": 2, "output_padding": 2}),
])
def test_conv_call_errors_match_torch(fn, x, w, kw):
    xa, wa = _rand(*x), _rand(*w, seed=1)
    _same_error(lambda: getattr(TF, fn)(torch.from_numpy(xa), torch.from_numpy(wa), **kw),
                lambda: getattr(F, fn)(jnp.asarray(xa), jnp.asarray(wa), **kw))


@pytest.mark.parametrize("n,groups,stride,padding,output_padding,dilation", [
    (1, 1, 1, 0, 0, 1), (1, 2, 3, 2, 2, 1), (2, 2, (2, 1), (1, 0), (1, 0), (1, 2)),
    (2, 1, 2, 4, 0, 3), (3, 2, 2, 1, 1, 1),
])
def test_conv_transpose_functional_matches_torch(n, groups, stride, padding, output_padding, dilation):
    x, w, b = _rand(2, 4, *([5] * n)), _rand(4, 6 // groups, *([3] * n), seed=1), _rand(6, seed=2)
    fn = f"conv_transpose{n}d"
    expected = getattr(TF, fn)(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride, padding,
                               output_padding, groups, dilation).numpy()
    got = getattr(F, fn)(jnp.asarray(x), jnp.asarray(w), jnp.asarray(b), stride, padding, output_padding, groups,
                         dilation)
    np.testing.assert_allclose(np.asarray(got), expected, atol=1e-4, rtol=1e-5)


# ---- pooling ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,kernel,stride,padding,dilation,ceil_mode", [
    (1, 3, 2, 1, 1, True), (1, 2, 1, 0, 3, False), (2, 3, 2, 1, 1, True), (2, (2, 3), (1, 2), (1, 0), (2, 1), True),
    (3, 2, 2, 1, 1, True), (3, (3, 2, 2), 1, 0, (1, 2, 1), False),
])
def test_max_pool_indices_match_torch(n, kernel, stride, padding, dilation, ceil_mode):
    x = _rand(2, 3, *([7] * n))
    x[0, 0].flat[:4] = 1.5          # ties: torch keeps the first maximum
    ty, ti = getattr(TF, f"max_pool{n}d")(torch.from_numpy(x), kernel, stride, padding, dilation, ceil_mode, True)
    my, mi = getattr(F, f"max_pool{n}d")(jnp.asarray(x), kernel, stride, padding, dilation, ceil_mode, True)
    np.testing.assert_array_equal(np.asarray(my), ty.numpy())
    np.testing.assert_array_equal(np.asarray(mi), ti.numpy())
    plain = getattr(F, f"max_pool{n}d")(jnp.asarray(x), kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(np.asarray(plain), ty.numpy())
    wy, wi = getattr(F, f"max_pool{n}d_with_indices")(jnp.asarray(x), kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_array_equal(np.asarray(wi), ti.numpy())


@pytest.mark.parametrize("n,out", [(1, 3), (1, 9), (2, (3, None)), (2, (4, 5)), (3, (2, 3, 1))])
def test_adaptive_max_pool_indices_match_torch(n, out):
    x = _rand(2, 3, *([7, 5, 4][:n]))
    ty, ti = getattr(TF, f"adaptive_max_pool{n}d")(torch.from_numpy(x), out, True)
    my, mi = getattr(F, f"adaptive_max_pool{n}d")(jnp.asarray(x), out, True)
    np.testing.assert_array_equal(np.asarray(my), ty.numpy())
    np.testing.assert_array_equal(np.asarray(mi), ti.numpy())


def test_max_pool_nan_propagates_like_torch():
    x = _rand(1, 1, 6)
    x[0, 0, 3] = np.nan
    ty, ti = TF.max_pool1d(torch.from_numpy(x), 2, return_indices=True)
    my, mi = F.max_pool1d(jnp.asarray(x), 2, return_indices=True)
    np.testing.assert_array_equal(np.asarray(my), ty.numpy())
    np.testing.assert_array_equal(np.asarray(mi), ti.numpy())


def test_max_pool_indices_under_jit_and_grad():
    m = tp.nn.MaxPool2d(2, return_indices=True)
    x = jnp.asarray(_rand(1, 2, 4, 4))
    y, i = jax.jit(lambda x: m(x))(x)
    assert y.shape == i.shape == (1, 2, 2, 2)
    g = jax.grad(lambda x: m(x)[0].sum())(x)
    assert float(g.sum()) == 8.0


@pytest.mark.parametrize("call", [
    lambda F: F.max_pool2d(np.zeros((1, 2, 5, 5), np.float32), 2, padding=2),
    lambda F: F.max_pool2d(np.zeros((1, 2, 1, 1), np.float32), 2),
    lambda F: F.max_pool2d(np.zeros((1, 5, 5), np.float32), 2, stride=0),
    lambda F: F.avg_pool2d(np.zeros((1, 2, 5, 5), np.float32), 2, padding=2),
    lambda F: F.avg_pool3d(np.zeros((1, 2, 5, 5, 5), np.float32), 2, padding=2),
    lambda F: F.avg_pool2d(np.zeros((1, 2, 1, 1), np.float32), 2),
    lambda F: F.avg_pool2d(np.zeros((1, 2, 4, 4), np.float32), 2, divisor_override=0),
    lambda F: F.max_pool1d(np.zeros((1, 5), np.float32), 2, padding=2, return_indices=True),
])
def test_pool_errors_match_torch(call):
    def torch_call():
        return call(type("T", (), {k: staticmethod(lambda x, *a, _f=getattr(TF, k), **kw: _f(torch.from_numpy(x), *a, **kw))
                                   for k in ("max_pool1d", "max_pool2d", "avg_pool2d", "avg_pool3d")}))

    def tp_call():
        return call(type("M", (), {k: staticmethod(lambda x, *a, _f=getattr(F, k), **kw: _f(jnp.asarray(x), *a, **kw))
                                   for k in ("max_pool1d", "max_pool2d", "avg_pool2d", "avg_pool3d")}))
    _same_error(torch_call, tp_call)


# ---- pad -------------------------------------------------------------------------------------------------------

PAD_CASES = [
    ((1, 2, 5), (1,), "constant"), ((1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8), "constant"), ((1, 2, 5), (-3, -3), "constant"),
    ((1, 2, 5), (4, -3, -2, 1), "constant"), ((1, 2, 5), (5, 0), "reflect"), ((1, 2, 5), (1, 2, 3, 4), "reflect"),
    ((1, 1, 3, 4, 5), (1, 1, 1, 1, 3, 0), "reflect"), ((1, 2, 5), (6, 0), "circular"), ((1, 2, 5), (1, 2), "foo"),
    ((5,), (1, 2), "replicate"), ((2, 3, 4, 5, 6, 7), (1, 2), "reflect"), ((2, 5), (1, 2, 1, 1), "circular"),
    ((1, 2, 5), (-3, -4), "replicate"), ((1, 2, 5), (-3, 3), "reflect"), ((1, 2, 5), (-3, 3), "replicate"),
    ((1, 2, 5), (-1, 2), "circular"), ((1, 2, 5), (2, -1), "circular"), ((1, 2, 5), (5, 5), "circular"),
    ((1, 2, 4, 5), (2, 1, -1, 3), "circular"), ((2, 3, 4, 5), (1, 2, 3, 0, 2, 2), "replicate"),
    ((1, 2, 4, 5), (3, 3, 3, 3), "reflect"), ((2, 5), (2, -1), "constant"), ((2, 5), (-2, -3), "constant"),
]


@pytest.mark.parametrize("shape,pads,mode", PAD_CASES)
def test_pad_matches_torch(shape, pads, mode):
    x = _rand(*shape)
    try:
        expected = TF.pad(torch.from_numpy(x), pads, mode=mode).numpy()
    except Exception:
        _same_error(lambda: TF.pad(torch.from_numpy(x), pads, mode=mode), lambda: F.pad(jnp.asarray(x), pads, mode=mode))
        return
    got = np.asarray(F.pad(jnp.asarray(x), pads, mode=mode))
    np.testing.assert_array_equal(got, expected)


def test_pad_value_and_type_errors_match_torch():
    x = _rand(1, 2, 5)
    _same_error(lambda: TF.pad(torch.from_numpy(x), (1, 2), mode="replicate", value=3.0),
                lambda: F.pad(jnp.asarray(x), (1, 2), mode="replicate", value=3.0))
    _same_error(lambda: TF.pad(torch.from_numpy(x), [1.5, 2]), lambda: F.pad(jnp.asarray(x), [1.5, 2]))
    np.testing.assert_array_equal(np.asarray(F.pad(jnp.asarray(x), (1, 1), value=2.5)),
                                  TF.pad(torch.from_numpy(x), (1, 1), value=2.5).numpy())


def test_circular_pad_layer_rank_error_matches_torch():
    _same_error(lambda: torch.nn.CircularPad2d(1)(torch.zeros(4, 4)), lambda: tp.nn.CircularPad2d(1)(jnp.zeros((4, 4))))


# ---- interpolate -----------------------------------------------------------------------------------------------

_GRID = []
for _mode, _shape in (("nearest", (2, 3, 5)), ("nearest", (1, 2, 4, 5)), ("nearest", (1, 1, 3, 4, 5)),
                      ("nearest-exact", (1, 2, 4, 5)), ("linear", (2, 3, 5)), ("bilinear", (1, 2, 4, 5)),
                      ("bicubic", (1, 2, 4, 5)), ("trilinear", (1, 1, 3, 4, 5)), ("area", (1, 2, 6, 7))):
    for _sf in (0.5, 1.7, 3.0):
        for _ac in ((None,) if _mode in ("nearest", "nearest-exact", "area") else (False, True)):
            for _rsf in ((None, True) if _sf == 1.7 else (None,)):
                _GRID.append((_mode, _shape, _sf, _ac, _rsf))


@pytest.mark.parametrize("mode,shape,scale,align_corners,recompute", _GRID)
def test_interpolate_scale_grid_matches_torch(mode, shape, scale, align_corners, recompute):
    x = _rand(*shape)
    expected = TF.interpolate(torch.from_numpy(x), scale_factor=scale, mode=mode, align_corners=align_corners,
                              recompute_scale_factor=recompute).numpy()
    got = F.interpolate(jnp.asarray(x), scale_factor=scale, mode=mode, align_corners=align_corners,
                        recompute_scale_factor=recompute)
    np.testing.assert_allclose(np.asarray(got), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("mode,shape,size", [
    ("nearest", (1, 2, 4, 5), (7, 3)), ("bilinear", (1, 2, 4, 5), (1, 9)), ("bicubic", (1, 2, 5, 4), (8, 3)),
    ("linear", (2, 3, 5), 1), ("trilinear", (1, 1, 3, 4, 5), (5, 2, 7)), ("area", (1, 2, 6, 7), (4, 3)),
])
@pytest.mark.parametrize("align", [False, True])
def test_interpolate_size_matches_torch(mode, shape, size, align):
    ac = align if mode in ("linear", "bilinear", "bicubic", "trilinear") else None
    x = _rand(*shape)
    expected = TF.interpolate(torch.from_numpy(x), size=size, mode=mode, align_corners=ac).numpy()
    got = F.interpolate(jnp.asarray(x), size=size, mode=mode, align_corners=ac)
    np.testing.assert_allclose(np.asarray(got), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kwargs,shape", [
    ({"size": 4, "mode": "nearest", "align_corners": True}, (1, 2, 5)),
    ({"size": 4, "scale_factor": 2}, (1, 2, 5)),
    ({}, (1, 2, 5)),
    ({"size": (4, 4)}, (1, 2, 5)),
    ({"scale_factor": (2, 2)}, (1, 2, 5)),
    ({"size": 4, "recompute_scale_factor": True}, (1, 2, 5)),
    ({"size": 4, "mode": "bilinear"}, (1, 2, 5)),
    ({"size": 4, "mode": "linear"}, (1, 2, 5, 5)),
    ({"size": 4, "mode": "cubic"}, (1, 2, 5, 5)),
    ({"size": 4, "antialias": True}, (1, 2, 5, 5)),
])
def test_interpolate_errors_match_torch(kwargs, shape):
    x = _rand(*shape)
    _same_error(lambda: TF.interpolate(torch.from_numpy(x), **kwargs), lambda: F.interpolate(jnp.asarray(x), **kwargs))


def test_upsample_repr_and_scale_storage_match_torch():
    for kw in ({"scale_factor": 2}, {"scale_factor": (2, 3)}, {"size": (3, 4), "mode": "bilinear"}, {"size": 5}):
        assert repr(tp.nn.Upsample(**kw)) == repr(torch.nn.Upsample(**kw))
        assert tp.nn.Upsample(**kw).scale_factor == torch.nn.Upsample(**kw).scale_factor


# ---- pixel shuffle, unfold / fold ------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda F, x: F.pixel_shuffle(x(1, 5, 4, 4), 2), lambda F, x: F.pixel_shuffle(x(4, 4), 2),
    lambda F, x: F.pixel_unshuffle(x(1, 1, 5, 4), 2), lambda F, x: F.pixel_unshuffle(x(1, 1, 4, 5), 2),
])
def test_pixel_shuffle_errors_match_torch(call):
    _same_error(lambda: call(TF, lambda *s: torch.from_numpy(_rand(*s))), lambda: call(F, lambda *s: jnp.asarray(_rand(*s))))


@pytest.mark.parametrize("shape,r", [((2, 3, 8, 2, 3), 2), ((9, 2, 2), 3)])
def test_pixel_shuffle_roundtrip_matches_torch(shape, r):
    x = _rand(*shape)
    np.testing.assert_array_equal(np.asarray(F.pixel_shuffle(jnp.asarray(x), r)), TF.pixel_shuffle(torch.from_numpy(x), r).numpy())
    y = TF.pixel_shuffle(torch.from_numpy(x), r).numpy()
    np.testing.assert_array_equal(np.asarray(F.pixel_unshuffle(jnp.asarray(y), r)), x)


@pytest.mark.parametrize("k,d,p,s", [(2, 1, 0, 1), ((2, 3), (1, 2), (1, 0), (2, 1)), (3, 1, 1, 2)])
def test_unfold_fold_match_torch(k, d, p, s):
    x = _rand(2, 3, 7, 8)
    cols = TF.unfold(torch.from_numpy(x), k, d, p, s)
    np.testing.assert_allclose(np.asarray(F.unfold(jnp.asarray(x), k, d, p, s)), cols.numpy(), atol=1e-6)
    back = TF.fold(cols, (7, 8), k, d, p, s).numpy()
    np.testing.assert_allclose(np.asarray(F.fold(jnp.asarray(cols.numpy()), (7, 8), k, d, p, s)), back, atol=1e-5)
