"""constant_/ones_/zeros_/eye_/dirac_: exactly torch's values, the same object back, and pure faces."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp

DTYPES = ["float32", "float16", "bfloat16", "int32"]


def _np(x):
    """A comparable float64 NumPy array from a torch tensor, a box or a jax array."""
    if isinstance(x, torch.Tensor):
        return x.to(torch.float64).numpy()
    return np.asarray(jnp.asarray(x).astype(jnp.float32)).astype(np.float64)


def _check_same(t, ours, dtype):
    assert tuple(ours.shape) == tuple(t.shape)
    assert jnp.dtype(ours.dtype) == jnp.dtype(dtype)
    np.testing.assert_array_equal(_np(ours), _np(t))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5), (4,), (), (2, 3, 4), (0, 3), (2, 1, 3, 3, 2)])
@pytest.mark.parametrize("val", [0.3, -2, 1e-3, 7, 0.1 + 0.2])
def test_constant(shape, dtype, val):
    t = torch.empty(shape, dtype=getattr(torch, dtype))
    box = tp.empty(shape, dtype=getattr(tp, dtype))
    assert torch.nn.init.constant_(t, val) is t
    assert tp.nn.init.constant_(box, val) is box
    _check_same(t, box, dtype)
    _check_same(t, tp.initializers.constant(None, shape, getattr(tp, dtype), val=val), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5), (4,), (), (2, 3, 4), (0, 3)])
@pytest.mark.parametrize("name", ["ones", "zeros"])
def test_ones_zeros(name, shape, dtype):
    t = torch.full(shape, 5, dtype=getattr(torch, dtype))
    box = tp.full(shape, 5, dtype=getattr(tp, dtype))
    assert getattr(torch.nn.init, name + "_")(t) is t
    assert getattr(tp.nn.init, name + "_")(box) is box
    _check_same(t, box, dtype)
    _check_same(t, getattr(tp.initializers, name)(None, shape, getattr(tp, dtype)), dtype)
    _check_same(t, getattr(tp.initializers, name)(jax.random.key(1), shape, getattr(tp, dtype)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 3), (2, 3), (3, 2), (1, 5), (5, 1), (0, 3), (7, 4), (4, 7)])
def test_eye(shape, dtype):
    t = torch.full(shape, 9, dtype=getattr(torch, dtype))
    box = tp.full(shape, 9, dtype=getattr(tp, dtype))
    assert torch.nn.init.eye_(t) is t
    assert tp.nn.init.eye_(box) is box
    _check_same(t, box, dtype)
    _check_same(t, tp.initializers.eye(None, shape, getattr(tp, dtype)), dtype)


DIRAC = [((4, 2, 3), 1), ((4, 2, 3), 2), ((4, 2, 3), 4), ((3, 5, 4), 1), ((6, 3, 5), 3), ((2, 4, 1), 1),
         ((8, 4, 3, 3), 1), ((8, 4, 3, 3), 2), ((8, 2, 3, 5), 4), ((3, 3, 2, 2), 1), ((6, 1, 4, 3), 3),
         ((4, 4, 3, 3, 3), 1), ((4, 2, 3, 2, 5), 2), ((6, 2, 1, 1, 1), 3), ((2, 5, 3, 3, 3), 2),
         ((0, 2, 3), 1), ((4, 0, 3), 2), ((4, 2, 0), 1), ((12, 3, 5, 5), 6)]


def _outcome(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - compared with torch's exception
        return (type(e).__name__, str(e))


def _dirac_case(shape, groups, dtype):
    t = torch.full(shape, 9, dtype=getattr(torch, dtype))
    box = tp.full(shape, 9, dtype=getattr(tp, dtype))
    rt = _outcome(lambda: torch.nn.init.dirac_(t, groups))
    ro = _outcome(lambda: tp.nn.init.dirac_(box, groups))
    rp = _outcome(lambda: tp.initializers.dirac(None, shape, getattr(tp, dtype), groups=groups))
    if isinstance(rt, tuple):          # torch raised: ours must raise the same, on both faces
        assert ro == rt and rp == rt
        return
    assert rt is t and ro is box
    _check_same(t, box, dtype)
    _check_same(t, rp, dtype)


@pytest.mark.parametrize("shape,groups", DIRAC, ids=[f"{s}-g{g}" for s, g in DIRAC])
def test_dirac(shape, groups):
    _dirac_case(shape, groups, "float32")


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "int32"])
@pytest.mark.parametrize("shape,groups", [((4, 2, 3), 2), ((8, 4, 3, 3), 2), ((4, 2, 3, 2, 5), 2)])
def test_dirac_dtypes(shape, groups, dtype):
    _dirac_case(shape, groups, dtype)


def test_dirac_default_groups_keyword():
    t, box = torch.empty(6, 3, 3), tp.empty(6, 3, 3)
    torch.nn.init.dirac_(t, groups=2)
    tp.nn.init.dirac_(box, groups=2)
    _check_same(t, box, "float32")


def test_dirac_is_identity_conv():
    # a dirac-initialised conv preserves the input on the first min(out, in) channels, as torch's does
    x = np.random.default_rng(0).standard_normal((1, 3, 9)).astype(np.float32)
    w = tp.nn.init.dirac_(tp.empty(3, 3, 5)).value
    y = jax.lax.conv_general_dilated(jnp.asarray(x), w, (1,), [(2, 2)])
    ty = torch.nn.functional.conv1d(torch.from_numpy(x), torch.nn.init.dirac_(torch.empty(3, 3, 5)), padding=2)
    np.testing.assert_allclose(np.asarray(y), ty.numpy(), rtol=0, atol=0)


def test_deterministic_consume_no_rng():
    g = tp.manual_seed(123)
    before = g.get_state()
    box = tp.empty(4, 2, 3)
    tp.nn.init.constant_(box, 1.0)
    tp.nn.init.ones_(box)
    tp.nn.init.zeros_(box)
    tp.nn.init.dirac_(box)
    tp.nn.init.eye_(tp.empty(3, 3))
    assert g.get_state() == before
    # torch likewise consumes none
    torch.manual_seed(123)
    s = torch.get_rng_state()
    torch.nn.init.dirac_(torch.empty(4, 2, 3))
    torch.nn.init.eye_(torch.empty(3, 3))
    assert torch.equal(s, torch.get_rng_state())


@pytest.mark.parametrize("name,args", [("constant", dict(val=0.25)), ("ones", {}), ("zeros", {}), ("eye", {}),
                                       ("dirac", dict(groups=2))])
def test_pure_deterministic_jit(name, args):
    shape = (4, 2, 3) if name == "dirac" else (4, 6)
    fn = getattr(tp.initializers, name)
    eager = fn(None, shape, jnp.float32, **args)
    jitted = jax.jit(lambda k: fn(k, shape, jnp.float32, **args))(jax.random.key(0))
    np.testing.assert_array_equal(np.asarray(eager), np.asarray(jitted))
    t = getattr(torch.nn.init, name + "_")(torch.empty(shape), *args.values())
    np.testing.assert_array_equal(np.asarray(eager), t.numpy())


def test_parameter_and_data_handle():
    p = tp.Parameter(tp.empty(3, 3))
    assert tp.nn.init.eye_(p) is p
    np.testing.assert_array_equal(np.asarray(p), torch.nn.init.eye_(torch.nn.Parameter(torch.empty(3, 3))).detach().numpy())
    d = p.data
    assert tp.nn.init.zeros_(d) is d
    np.testing.assert_array_equal(np.asarray(p), np.zeros((3, 3), np.float32))
    assert p.requires_grad
