"""Tensor / Parameter / Buffer boxes: factories, pytree behaviour, delegation and in-place methods,
compared with torch 2.13 wherever torch has the same operation."""

import copy
import operator
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp


def _outcome(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - compared with torch's exception
        return type(e).__name__, str(e)
    return "no error", ""


def _canon(torch_dtype):
    """The JAX dtype a torch dtype is stored as here (int64/float64 narrow without jax_enable_x64)."""
    name = str(torch_dtype).replace("torch.", "")
    return jnp.dtype(jax.dtypes.canonicalize_dtype(jnp.dtype(name)))


def _same(box, t):
    assert tuple(box.shape) == tuple(t.shape)
    np.testing.assert_array_equal(np.asarray(box, dtype=np.float64), t.double().numpy())


# -- factories ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(3, 5), ((3, 5),), ([3, 5],), (0,), (2, 0, 4), ((),), (7,), (np.int64(3), 2)])
@pytest.mark.parametrize("name", ["empty", "zeros", "ones"])
def test_factories_shape_and_dtype(name, args):
    t = getattr(torch, name)(*args)
    b = getattr(tp, name)(*args)
    assert isinstance(b, tp.Tensor)
    assert tuple(b.shape) == tuple(t.shape)
    assert b.dtype == _canon(t.dtype)
    if name != "empty":
        _same(b, t)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "int32", "int8", "bool", "float64", "int64"])
def test_factory_dtype_keyword(dtype):
    t = torch.zeros(2, 3, dtype=getattr(torch, dtype))
    b = tp.zeros(2, 3, dtype=getattr(tp, dtype))
    assert b.dtype == _canon(t.dtype)
    assert tp.empty(4, dtype=getattr(tp, dtype)).dtype == _canon(t.dtype)
    assert tp.ones((2,), dtype=getattr(tp, dtype)).dtype == _canon(t.dtype)


def test_factory_rejects_float_sizes():
    assert _outcome(lambda: torch.empty(2.5))[0] == "TypeError"
    assert _outcome(lambda: tp.empty(2.5))[0] == "TypeError"


@pytest.mark.parametrize("args", [(3, 5), (4,), (0,), (), (2, 0)])
def test_Tensor_constructor_sizes(args):
    t, b = torch.Tensor(*args), tp.Tensor(*args)
    assert tuple(b.shape) == tuple(t.shape)
    assert b.dtype == _canon(t.dtype) == jnp.float32


@pytest.mark.parametrize("data", [[1, 2], [1.5, -2.0], [[1, 2], [3, 4]], (3, 5), [True, False]])
def test_Tensor_constructor_data(data):
    t, b = torch.Tensor(data), tp.Tensor(data)
    assert b.dtype == _canon(t.dtype) == jnp.float32
    _same(b, t)


@pytest.mark.parametrize("data", [[1, 2], [1.0, 2], 3.5, True, [True, False], 7, [[1, 2], [3, 4]], [1, 2.5],
                                  np.array([1.0, 2.0]), np.array([1, 2], np.int16), np.float32(2.0), [],
                                  np.array([1.0], np.float16)])
def test_tensor_dtype_inference(data):
    t, b = torch.tensor(data), tp.tensor(data)
    assert b.dtype == _canon(t.dtype)
    _same(b, t)


def test_tensor_explicit_dtype_and_rand():
    assert tp.tensor([1, 2], dtype=tp.float16).dtype == _canon(torch.tensor([1, 2], dtype=torch.float16).dtype)
    r = tp.rand(3, 4)
    assert r.dtype == jnp.float32 and ((np.asarray(r) >= 0) & (np.asarray(r) < 1)).all()
    assert tp.randn(2, 2, dtype=tp.bfloat16).dtype == jnp.bfloat16
    assert tp.full((2, 2), 3.0).tolist() == torch.full((2, 2), 3.0).tolist()


# -- pytree behaviour ---------------------------------------------------------------------------------

def test_jnp_functions_accept_boxes():
    p = tp.Parameter(tp.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert float(jnp.sum(p)) == 10.0
    np.testing.assert_allclose(np.asarray(jnp.tanh(p)), np.tanh(np.asarray(p)), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(jnp.dot(p, p)), np.asarray(p) @ np.asarray(p))


def test_jit_grad_tree_util():
    p = tp.Parameter(tp.tensor([1.0, 2.0, 3.0]))
    b = tp.Buffer(tp.tensor([0.5, 0.5, 0.5]), persistent=False)
    tree = {"w": p, "b": b}
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    assert len(leaves) == 2 and all(isinstance(x, jax.Array) for x in leaves)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    assert type(rebuilt["w"]) is tp.Parameter and type(rebuilt["b"]) is tp.Buffer
    assert rebuilt["b"].persistent is False and rebuilt["w"].requires_grad is True
    assert rebuilt["w"] is not p                       # unflattening makes a new box

    @jax.jit
    def loss(t):
        return jnp.sum(t["w"] * t["w"] * t["b"])

    assert float(loss(tree)) == 7.0
    g = jax.grad(loss)(tree)
    assert type(g["w"]) is tp.Parameter
    np.testing.assert_array_equal(np.asarray(g["w"]), [1.0, 2.0, 3.0])
    # tree_map over boxes
    doubled = jax.tree_util.tree_map(lambda x: 2 * x, tree)
    np.testing.assert_array_equal(np.asarray(doubled["w"]), [2.0, 4.0, 6.0])
    # torch's autograd gives the same gradient
    tw = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (tw * tw * torch.tensor([0.5, 0.5, 0.5])).sum().backward()
    np.testing.assert_array_equal(np.asarray(g["w"]), tw.grad.numpy())
    paths = [jax.tree_util.keystr(k) for k, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]
    assert paths == ["['b'].value", "['w'].value"]


def test_requires_grad_flag_is_static_aux():
    p = tp.Parameter(tp.ones(2), requires_grad=False)
    q = jax.tree_util.tree_map(lambda x: x, p)
    assert q.requires_grad is False
    assert torch.nn.Parameter(torch.ones(2), requires_grad=False).requires_grad is False


# -- delegation ---------------------------------------------------------------------------------------

A = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]
B = [[0.5, 2.0, -1.0], [1.0, -3.0, 2.0]]


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
                                operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne,
                                operator.floordiv, operator.mod])
def test_binary_operators(op):
    ta, tb = torch.tensor(A), torch.tensor(B)
    a, b = tp.tensor(A), tp.tensor(B)
    expected = op(ta, tb).double().numpy()
    for got in (op(a, b), op(a, b.value), op(a.value, b), op(tp.Parameter(a), b)):
        np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(op(a, 2.0), dtype=np.float64), op(ta, 2.0).double().numpy(), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(op(2.0, a), dtype=np.float64), op(2.0, ta).double().numpy(), rtol=1e-6)


def test_unary_matmul_and_indexing():
    ta, a = torch.tensor(A), tp.Parameter(tp.tensor(A))
    np.testing.assert_array_equal(np.asarray(-a), (-ta).numpy())
    np.testing.assert_array_equal(np.asarray(abs(a)), abs(ta).numpy())
    np.testing.assert_allclose(np.asarray(a @ a.T), (ta @ ta.T).detach().numpy())
    np.testing.assert_allclose(np.asarray(a.T @ a), (ta.T @ ta).numpy())
    np.testing.assert_array_equal(np.asarray(a[1]), ta[1].numpy())
    np.testing.assert_array_equal(np.asarray(a[:, 1:]), ta[:, 1:].numpy())
    np.testing.assert_array_equal(np.asarray(a[a > 0]), ta[ta > 0].numpy())
    assert len(a) == len(ta) == 2
    assert [np.asarray(r).tolist() for r in a] == [r.tolist() for r in ta]


def test_metadata():
    t, b = torch.zeros(2, 3, 4), tp.zeros(2, 3, 4)
    assert b.shape == t.shape == (2, 3, 4)
    assert repr(b.shape) == repr(t.shape)
    assert b.ndim == t.ndim and b.dim() == t.dim() and b.ndimension() == t.ndimension()
    assert b.size() == t.size() and repr(b.size()) == repr(t.size())
    assert [b.size(i) for i in (0, 1, 2, -1)] == [t.size(i) for i in (0, 1, 2, -1)]
    assert b.numel() == t.numel() == 24 and b.nelement() == t.nelement()
    assert b.shape.numel() == t.shape.numel()
    assert b.dtype == jnp.float32
    assert b.T.shape == tuple(reversed(t.shape))
    assert b.reshape(6, 4).shape == t.reshape(6, 4).shape
    assert b.reshape((4, -1)).shape == t.reshape((4, -1)).shape
    assert b.view(-1).shape == t.view(-1).shape
    assert tp.zeros(2, 3).t().shape == torch.zeros(2, 3).t().shape
    assert b.type() == t.type()
    assert tp.zeros(1, dtype=tp.float16).type() == torch.zeros(1, dtype=torch.float16).type()
    assert b.is_floating_point() == t.is_floating_point()
    assert tp.zeros(1, dtype=tp.int32).is_floating_point() == torch.zeros(1, dtype=torch.int32).is_floating_point()
    assert tp.tensor([2.5]).item() == torch.tensor([2.5]).item()
    assert tp.tensor(A).tolist() == torch.tensor(A).tolist()


def test_array_protocol():
    b = tp.tensor(A)
    arr = np.asarray(b)
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    np.testing.assert_array_equal(arr, np.asarray(torch.tensor(A)))
    assert np.asarray(b, dtype=np.float64).dtype == np.float64
    assert np.array_equal(b.numpy(), torch.tensor(A).numpy())
    assert float(tp.tensor(2.5)) == float(torch.tensor(2.5))
    assert int(tp.tensor(3)) == int(torch.tensor(3))
    assert bool(tp.tensor(1.0)) == bool(torch.tensor(1.0))
    assert isinstance(b.value, jax.Array)


# -- in-place methods -----------------------------------------------------------------------------

def test_inplace_random_returns_self_and_changes_box():
    tp.manual_seed(0)
    t = tp.empty(3)
    out = t.uniform_(-1, 1)
    assert out is t
    v = np.asarray(t)
    assert ((v >= -1) & (v < 1)).all() and not (v == 0).all()
    assert tp.empty(4).normal_(0.0, 0.02) is not None
    assert tp.empty(3).uniform_(**{"from": 2.0, "to": 3.0}).value.min() >= 2.0
    # torch accepts the same keyword spelling
    assert torch.empty(3).uniform_(**{"from": 2.0, "to": 3.0}).min() >= 2.0


def test_data_handle_inplace_changes_parameter():
    p = tp.Parameter(tp.zeros(3, 4))
    tp.manual_seed(1)
    r = p.data.normal_(0.0, 0.02)
    assert isinstance(r, tp.Tensor)
    v = np.asarray(p)
    assert v.std() > 0 and abs(v).max() < 0.2
    assert p.data.fill_(0) is not None
    np.testing.assert_array_equal(np.asarray(p), np.zeros((3, 4)))
    # torch: the same idiom
    tpar = torch.nn.Parameter(torch.ones(3, 4))
    tpar.data.fill_(0)
    np.testing.assert_array_equal(np.asarray(p), tpar.detach().numpy())
    d = p.data
    d.add_(2)
    d.mul_(3)
    np.testing.assert_array_equal(np.asarray(p), np.full((3, 4), 6.0))
    assert type(p.data) is tp.Tensor and p.requires_grad
    # assigning .data replaces the array
    p.data = tp.ones(3, 4)
    np.testing.assert_array_equal(np.asarray(p), np.ones((3, 4)))


@pytest.mark.parametrize("value", [0, 7, 0.1, -2.5, True])
@pytest.mark.parametrize("dtype", ["float32", "int32", "bfloat16"])
def test_fill_zero(value, dtype):
    t, b = torch.ones(2, 3, dtype=getattr(torch, dtype)), tp.ones(2, 3, dtype=getattr(tp, dtype))
    assert b.fill_(value) is b
    t.fill_(value)
    _same(b, t)
    assert b.dtype == _canon(t.dtype)
    assert b.zero_() is b
    _same(b, t.zero_())


SRC = [((3, 5), (3, 5)), ((3, 5), (5,)), ((3, 5), (1, 5)), ((3, 5), (3, 1)), ((3, 5), ()), ((3, 5), (4,)),
       ((3,), (2, 3)), ((3,), (2, 4)), ((2, 3), (5, 1, 4)), ((2, 3), (5, 2, 3)), ((1, 3), (4, 3)),
       ((0, 3), (4, 1)), ((2, 3), (2, 2)), ((2, 3), (4, 3)), ((4, 1, 3), (2, 3)), ((2, 3), (1, 1, 3))]


@pytest.mark.parametrize("dst,src", SRC, ids=[f"{d}<-{s}" for d, s in SRC])
def test_copy_shapes_like_torch(dst, src):
    data = np.arange(int(np.prod(src)), dtype=np.float32).reshape(src)
    t = torch.zeros(dst)
    b = tp.zeros(dst)
    theirs = _outcome(lambda: t.copy_(torch.from_numpy(data)))
    ours = _outcome(lambda: b.copy_(tp.tensor(data)))
    assert ours == theirs
    if theirs[0] == "no error":
        _same(b, t)
        assert b.copy_(jnp.asarray(data)) is b


@pytest.mark.parametrize("dst,src", [("int32", "float32"), ("float32", "int32"), ("bfloat16", "float32"),
                                     ("float16", "float32"), ("bool", "float32"), ("float32", "bool")])
def test_copy_casts_dtype(dst, src):
    data = np.array([[-1.7, 0.0, 2.5], [3.3, -0.2, 1.0]])
    t = torch.zeros(2, 3, dtype=getattr(torch, dst)).copy_(torch.tensor(data).to(getattr(torch, src)))
    b = tp.zeros(2, 3, dtype=getattr(tp, dst)).copy_(tp.tensor(data, dtype=getattr(tp, src)))
    assert b.dtype == _canon(t.dtype)
    _same(b, t)


OPS = [("add_", (2.0,), {}), ("add_", ("other",), {}), ("add_", ("other",), {"alpha": 3}), ("sub_", (1.5,), {}),
       ("sub_", ("other",), {"alpha": 0.5}), ("mul_", (3,), {}), ("mul_", ("other",), {}), ("div_", (4,), {}),
       ("div_", ("other",), {}), ("div_", ("other",), {"rounding_mode": "trunc"}),
       ("div_", ("other",), {"rounding_mode": "floor"}), ("clamp_", (-1.0, 2.0), {}), ("clamp_", (), {"min": 0.0}),
       ("clamp_", (), {"max": -0.5}), ("clamp_", (), {}), ("clamp_", (-1, 2), {}), ("add_", ("row",), {}),
       ("mul_", ("wide",), {}), ("add_", (1,), {"alpha": 0.5})]


@pytest.mark.parametrize("dtype", ["float32", "int32"])
@pytest.mark.parametrize("name,args,kwargs", OPS, ids=[f"{n}{a}{k}" for n, a, k in OPS])
def test_arithmetic_inplace_like_torch(name, args, kwargs, dtype):
    base = np.array([[1.5, -2.0, 3.0], [4.0, 5.5, -6.0]])
    other = np.array([[1.5, 2.0, -1.0], [1.0, -3.0, 2.0]])   # no zero after an integer cast
    extra = {"other": other, "row": np.array([1.0, 2.0, 3.0]), "wide": np.ones((3, 2, 3))}

    def arg(lib, a):
        if isinstance(a, str):
            x = extra[a]
            return torch.tensor(x, dtype=getattr(torch, dtype)) if lib == "torch" else tp.tensor(x, dtype=getattr(tp, dtype))
        return a

    t = torch.tensor(base, dtype=getattr(torch, dtype))
    b = tp.tensor(base, dtype=getattr(tp, dtype))
    theirs = _outcome(lambda: getattr(t, name)(*[arg("torch", a) for a in args], **kwargs))
    res = []
    ours = _outcome(lambda: res.append(getattr(b, name)(*[arg("tp", a) for a in args], **kwargs)))
    assert ours == theirs
    if theirs[0] == "no error":
        assert res[0] is b
        assert b.dtype == _canon(t.dtype)
        np.testing.assert_allclose(np.asarray(b, dtype=np.float64), t.double().numpy(), rtol=1e-6)


def test_setitem_like_torch():
    t, b = torch.zeros(3, 4), tp.zeros(3, 4)
    t[1] = 5
    b[1] = 5
    t[:, 2] = torch.tensor([1.0, 2.0, 3.0])
    b[:, 2] = tp.tensor([1.0, 2.0, 3.0])
    _same(b, t)


# -- repr, hash, copies -----------------------------------------------------------------------------

@pytest.mark.parametrize("requires_grad", [True, False])
@pytest.mark.parametrize("data", [[[0.5, -1.25], [2.0, 3.0]], [1.0, 2.0, 3.0], [0.1234567]])
def test_parameter_repr_like_torch(data, requires_grad):
    t = torch.nn.Parameter(torch.tensor(data), requires_grad=requires_grad)
    p = tp.Parameter(tp.tensor(data), requires_grad=requires_grad)
    tr, pr = repr(t), repr(p)
    assert pr.splitlines()[0] == tr.splitlines()[0] == "Parameter containing:"
    assert pr.splitlines()[1].startswith("tensor(") and tr.splitlines()[1].startswith("tensor(")
    assert pr.endswith(", requires_grad=True)") == tr.endswith(", requires_grad=True)")
    assert len(pr.splitlines()) == len(tr.splitlines())


@pytest.mark.parametrize("data,dtype", [([1.0, 2.5], None), ([1, 2], None), ([1.0, 2.0], "float16"),
                                        ([True, False], None), ([[1.5, 2.0], [3.0, 4.0]], None)])
def test_tensor_repr_like_torch(data, dtype):
    kw_t = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    kw_o = {} if dtype is None else {"dtype": getattr(tp, dtype)}
    tr, orp = repr(torch.tensor(data, **kw_t)), repr(tp.tensor(data, **kw_o))
    assert orp.startswith("tensor(") and orp.endswith(")")
    assert ("dtype=" in orp) == ("dtype=" in tr)
    assert len(orp.splitlines()) == len(tr.splitlines())


def test_hash_is_identity():
    a, b = tp.Parameter(tp.zeros(2)), tp.Parameter(tp.zeros(2))
    assert hash(a) == object.__hash__(a)     # identity (torch's Tensor.__hash__ is id(self))
    assert hash(a) != hash(b)
    s = {a, b, a}
    assert len(s) == 2
    d = {a: 1}
    a.data.fill_(3)                          # mutating the box keeps its hash (identity), as in torch
    assert d[a] == 1
    ta = torch.nn.Parameter(torch.zeros(2))
    assert hash(ta) == id(ta)
    h = hash(ta)
    ta.data.fill_(3)
    assert hash(ta) == h and hash(a) == object.__hash__(a)


def test_clone_detach_pickle_deepcopy():
    p = tp.Parameter(tp.tensor([1.0, 2.0]), requires_grad=False)
    c = p.clone()
    assert type(c) is tp.Parameter and c.requires_grad is False and c is not p
    c.fill_(0)
    assert np.asarray(p).tolist() == [1.0, 2.0]
    d = p.detach()
    assert type(d) is tp.Tensor
    q = pickle.loads(pickle.dumps(p))
    assert type(q) is tp.Parameter and q.requires_grad is False and np.asarray(q).tolist() == [1.0, 2.0]
    r = copy.deepcopy(p)
    assert type(r) is tp.Parameter and np.asarray(r).tolist() == [1.0, 2.0]
    buf = pickle.loads(pickle.dumps(tp.Buffer(tp.ones(2), persistent=False)))
    assert type(buf) is tp.Buffer and buf.persistent is False


def test_parameter_and_buffer_defaults_like_torch():
    assert tp.Parameter().shape == torch.nn.Parameter().shape
    assert tp.Parameter().dtype == _canon(torch.nn.Parameter().dtype)
    assert tp.Parameter().requires_grad == torch.nn.Parameter().requires_grad
    assert tp.Buffer(tp.zeros(2)).persistent is True
    assert isinstance(tp.Parameter(tp.zeros(1)), tp.Tensor) and isinstance(tp.Buffer(tp.zeros(1)), tp.Tensor)
    assert tp.is_tensor(tp.Parameter(tp.zeros(1))) == torch.is_tensor(torch.nn.Parameter(torch.zeros(1)))


def test_constant_fills_keep_the_shape_and_dtype_when_materialized():
    # a 0-d box filled eagerly, then read on the device (regression: the lazy constant once became (1,))
    for shape in ((), (0,), (3,), (2, 0, 3)):
        t = tp.ones(*shape) if shape else tp.tensor(1.0)
        t.zero_()
        assert t.value.shape == shape and tuple(t.shape) == shape
        t.fill_(2.5)
        assert t.value.shape == shape and np.asarray(t).shape == shape
    n = tp.tensor(0, dtype=tp.int32)
    n.zero_()
    n.add_(1)
    assert n.value.shape == () and int(n) == 1
