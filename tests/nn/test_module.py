"""``tp.nn.Module`` against torch 2.13's ``nn.Module``: registration, traversal orders, state_dict,
load_state_dict (messages, casting, atomicity), lookups, repr, hooks, deepcopy and misuse errors.

Every structure is built twice, once per framework, by the same factory; the test then compares
what each framework reports.
"""

import copy
import types
from collections import OrderedDict

import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp

# -- one factory, two frameworks ----------------------------------------------------------------
TORCH = types.SimpleNamespace(
    name="torch", nn=torch.nn, Module=torch.nn.Module, Parameter=torch.nn.Parameter,
    Buffer=torch.nn.Buffer,
    zeros=lambda *s, dtype="float32": torch.zeros(*s, dtype=getattr(torch, dtype)),
    ones=lambda *s, dtype="float32": torch.ones(*s, dtype=getattr(torch, dtype)),
    arange=lambda n, dtype="float32": torch.arange(n, dtype=getattr(torch, dtype)),
    dtype=lambda name: getattr(torch, name),
)
TP = types.SimpleNamespace(
    name="tp", nn=tp.nn, Module=tp.nn.Module, Parameter=tp.Parameter, Buffer=tp.Buffer,
    zeros=lambda *s, dtype="float32": tp.zeros(*s, dtype=dtype),
    ones=lambda *s, dtype="float32": tp.ones(*s, dtype=dtype),
    arange=lambda n, dtype="float32": jnp.arange(n, dtype=dtype),
    dtype=lambda name: getattr(tp, name),
)
FWS = (TORCH, TP)


def classes(fw):
    """Small test modules, defined identically for either framework."""

    class Leaf(fw.Module):
        def __init__(self, n_in=2, n_out=3, bias=True):
            super().__init__()
            self.n_in, self.n_out = n_in, n_out
            self.weight = fw.Parameter(fw.arange(n_out * n_in).reshape(n_out, n_in))
            self.bias = fw.Parameter(fw.zeros(n_out)) if bias else None
            if not bias:
                self.register_parameter("bias", None)

        def forward(self, x):
            return x

        def extra_repr(self):
            return f"n_in={self.n_in}, n_out={self.n_out}"

    class Norm(fw.Module):
        def __init__(self, n=2):
            super().__init__()
            self.weight = fw.Parameter(fw.ones(n))
            self.bias = fw.Parameter(fw.zeros(n))
            self.register_buffer("running_mean", fw.zeros(n))
            self.register_buffer("running_var", fw.ones(n))
            self.register_buffer("num_batches_tracked", fw.zeros((), dtype="int32"))

        def extra_repr(self):
            return "multi\nline"

    class Act(fw.Module):
        def forward(self, x):
            return x

    class Net(fw.Module):
        """§3.4's Net: b=Linear, buffer zbuf, a=BatchNorm, w=Parameter, shared=b, tied=b.weight."""

        def __init__(self):
            super().__init__()
            self.b = Leaf()
            self.register_buffer("zbuf", fw.zeros(2))
            self.a = Norm()
            self.w = fw.Parameter(fw.ones(3))
            self.shared = self.b
            self.tied = self.b.weight

    class Deep(fw.Module):
        def __init__(self):
            super().__init__()
            self.enc = fw.nn.Sequential(Leaf(2, 3), Act(), fw.nn.Sequential(Leaf(3, 3), Act()))
            self.heads = fw.nn.ModuleList([Leaf(3, 1), Leaf(3, 1), Leaf(3, 2)])
            self.table = fw.nn.ModuleDict({"z": Norm(3), "y": Act()})
            self.plist = fw.nn.ParameterList([fw.zeros(2, 3), fw.Parameter(fw.ones(4))])
            self.pdict = fw.nn.ParameterDict({"q": fw.zeros(2, 2), "p": fw.ones(1)})
            self.register_buffer("cache", fw.zeros(5), persistent=False)
            self.register_buffer("step", fw.zeros(()))
            self.none_child = None
            self.add_module("empty", None)
            self.register_parameter("nothing", None)
            self.register_buffer("nobuf", None)
            self.reuse = self.heads[0]

    class BadInit(fw.Module):
        def __init__(self, what):
            if what == "param":
                self.w = fw.Parameter(fw.zeros(1))
            elif what == "module":
                self.c = Act()
            elif what == "register_parameter":
                self.register_parameter("w", None)
            elif what == "register_buffer":
                self.register_buffer("b", None)
            super().__init__()

    return types.SimpleNamespace(Leaf=Leaf, Norm=Norm, Act=Act, Net=Net, Deep=Deep, BadInit=BadInit)


C = {fw.name: classes(fw) for fw in FWS}


def both(build):
    """``build(fw, classes)`` run for torch and for tp."""
    return build(TORCH, C["torch"]), build(TP, C["tp"])


def names(it):
    return [n for n, _ in it]


# -- traversal orders ---------------------------------------------------------------------------
def test_net_orders_are_the_documented_ones():
    t, m = both(lambda fw, c: c.Net())
    expected_params = ["w", "tied", "b.bias", "a.weight", "a.bias"]
    expected_all = ["w", "tied", "b.weight", "b.bias", "a.weight", "a.bias", "shared.weight", "shared.bias"]
    expected_sd = ["w", "tied", "zbuf", "b.weight", "b.bias", "a.weight", "a.bias", "a.running_mean",
                   "a.running_var", "a.num_batches_tracked", "shared.weight", "shared.bias"]
    for mod in (t, m):
        assert names(mod.named_parameters()) == expected_params
        assert names(mod.named_parameters(remove_duplicate=False)) == expected_all
        assert list(mod.state_dict()) == expected_sd


@pytest.mark.parametrize("which", ["Net", "Deep"])
def test_every_traversal_matches_torch(which):
    t, m = both(lambda fw, c: getattr(c, which)())
    for kw in ({}, {"remove_duplicate": False}, {"recurse": False}, {"prefix": "root"}):
        assert names(m.named_parameters(**kw)) == names(t.named_parameters(**kw))
        assert names(m.named_buffers(**kw)) == names(t.named_buffers(**kw))
    for kw in ({}, {"remove_duplicate": False}, {"prefix": "root"}):
        assert names(m.named_modules(**kw)) == names(t.named_modules(**kw))
    assert names(m.named_children()) == names(t.named_children())
    assert len(list(m.children())) == len(list(t.children()))
    assert len(list(m.modules())) == len(list(t.modules()))
    assert len(list(m.modules(remove_duplicate=False))) == len(list(t.modules(remove_duplicate=False)))
    assert len(list(m.parameters())) == len(list(t.parameters()))
    assert len(list(m.parameters(recurse=False))) == len(list(t.parameters(recurse=False)))
    assert len(list(m.buffers())) == len(list(t.buffers()))
    assert [tuple(p.shape) for p in m.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert [tuple(b.shape) for b in m.buffers()] == [tuple(b.shape) for b in t.buffers()]


def test_named_modules_memo_argument_matches_torch():
    t, m = both(lambda fw, c: c.Deep())
    for mod in (t, m):
        memo = {mod.heads}
        mod._seen = [n for n, _ in mod.named_modules(memo=memo)]
    assert m._seen == t._seen and "heads" not in m._seen


@pytest.mark.parametrize("which", ["Net", "Deep"])
def test_state_dict_keys_metadata_and_values(which):
    t, m = both(lambda fw, c: getattr(c, which)())
    st, sm = t.state_dict(), m.state_dict()
    assert type(sm) is OrderedDict
    assert list(sm) == list(st)
    assert list(sm._metadata.items()) == list(st._metadata.items())
    for k in st:
        np.testing.assert_array_equal(np.asarray(sm[k]), st[k].numpy())
        assert not isinstance(sm[k], tp.Tensor)
    kv = m.state_dict(keep_vars=True)
    assert all(isinstance(v, tp.Tensor) for v in kv.values())
    assert all(kv[k] is m.get_parameter(k) for k, _ in m.named_parameters())
    assert list(m.state_dict(prefix="p.")) == list(t.state_dict(prefix="p."))
    assert list(m.state_dict(prefix="p.")._metadata) == list(t.state_dict(prefix="p.")._metadata)


def test_state_dict_keep_vars_returns_the_boxes():
    _, m = both(lambda fw, c: c.Net())
    kv = m.state_dict(keep_vars=True)
    assert kv["tied"] is m.b.weight and kv["shared.weight"] is m.b.weight and kv["zbuf"] is m.zbuf


def test_state_dict_positional_args_warn_like_torch():
    t, m = both(lambda fw, c: c.Leaf())
    with pytest.warns(FutureWarning) as wt:
        dt = t.state_dict(None, "x.")
    with pytest.warns(FutureWarning) as wm:
        dm = m.state_dict(None, "x.")
    assert str(wm[0].message) == str(wt[0].message)
    assert list(dm) == list(dt) == ["x.weight", "x.bias"]


def test_state_dict_destination_is_filled_and_returned():
    t, m = both(lambda fw, c: c.Leaf())
    dt, dm = {}, {}
    assert t.state_dict(destination=dt) is dt
    assert m.state_dict(destination=dm) is dm
    assert list(dm) == list(dt)


def test_extra_state_key_order_and_load():
    def build(fw, c):
        class WithExtra(c.Leaf):
            def get_extra_state(self):
                return {"count": getattr(self, "count", 0)}

            def set_extra_state(self, state):
                self.count = state["count"]

        outer = fw.Module()
        outer.inner = WithExtra()
        outer.register_buffer("b", fw.zeros(1))
        return outer

    t, m = both(build)
    assert list(m.state_dict()) == list(t.state_dict()) == ["b", "inner.weight", "inner.bias", "inner._extra_state"]
    sd = {k: v for k, v in m.state_dict().items()}
    sd["inner._extra_state"] = {"count": 7}
    m.load_state_dict(sd)
    assert m.inner.count == 7
    del sd["inner._extra_state"]
    r = m.load_state_dict(sd, strict=False)
    rt = t.load_state_dict({k: torch.as_tensor(np.array(v)) for k, v in sd.items()}, strict=False)
    assert r.missing_keys == rt.missing_keys == ["inner._extra_state"]


def test_apply_visit_order_matches_torch():
    def build(fw, c):
        mod = fw.nn.Sequential(fw.nn.Sequential(c.Leaf(), c.Act()), c.Leaf())
        mod.again = mod[0]              # the same child twice under one parent: visited once
        mod[1].extra = mod[0][0]        # a module under two different parents: visited twice
        return mod

    t, m = both(build)
    for mod in (t, m):
        for name, sub in mod.named_modules():
            object.__setattr__(sub, "tag", name or "<root>")
        seen = []
        assert mod.apply(lambda s: seen.append((type(s).__name__, s.tag))) is mod
        mod._seen = seen
    assert m._seen == t._seen
    assert [n for n, _ in m._seen] == ["Leaf", "Act", "Sequential", "Leaf", "Leaf", "Sequential"]


def test_train_eval_flags_propagate_like_torch():
    t, m = both(lambda fw, c: c.Deep())
    for mod in (t, m):
        assert mod.training
    assert t.eval() is t and m.eval() is m
    assert [s.training for s in m.modules()] == [s.training for s in t.modules()]
    assert not any(s.training for s in m.modules())
    m.heads.train()
    t.heads.train()
    assert [s.training for s in m.modules()] == [s.training for s in t.modules()]


def test_requires_grad_and_zero_grad():
    t, m = both(lambda fw, c: c.Net())
    assert m.requires_grad_(False) is m and t.requires_grad_(False) is t
    assert [p.requires_grad for p in m.parameters()] == [p.requires_grad for p in t.parameters()]
    assert all(not p.requires_grad for p in m.parameters())
    m.a.requires_grad_()
    t.a.requires_grad_()
    assert [p.requires_grad for p in m.parameters()] == [p.requires_grad for p in t.parameters()]
    assert m.zero_grad() is None and t.zero_grad() is None


def test_setattr_dispatch_moves_names_between_registries_like_torch():
    def script(fw, c):
        out = []
        mod = fw.Module()
        mod.register_buffer("x", fw.zeros(2))
        mod.x = fw.Parameter(fw.zeros(2))        # buffer -> parameter
        out.append((list(mod._parameters), list(mod._buffers)))
        mod.y = c.Act()
        mod.y = fw.Parameter(fw.zeros(1))        # module -> parameter
        out.append((list(mod._parameters), list(mod._modules)))
        del mod.y
        mod.y = c.Act()
        out.append((list(mod._parameters), list(mod._modules)))
        mod.plain = fw.zeros(3)                  # a plain tensor is not registered
        out.append((list(mod._buffers), "plain" in mod.__dict__))
        mod.z = fw.Buffer(fw.zeros(1), persistent=False)
        out.append((list(mod._buffers), sorted(mod._non_persistent_buffers_set), list(mod.state_dict())))
        mod.z = fw.zeros(4)                      # keeps non-persistence
        out.append((sorted(mod._non_persistent_buffers_set), tuple(mod.z.shape)))
        mod.z = fw.Buffer(fw.zeros(4))           # a Buffer carries its persistence
        out.append((sorted(mod._non_persistent_buffers_set), list(mod.state_dict())))
        mod.x = None
        mod.y = None
        mod.z = None
        out.append((list(mod._parameters.items()), list(mod._modules.items()), list(mod._buffers.items()),
                    list(mod.state_dict()), names(mod.named_buffers())))
        del mod.x, mod.y, mod.z
        out.append((list(mod._parameters), list(mod._modules), list(mod._buffers)))
        mod.attr = 5
        del mod.attr
        out.append("attr" in mod.__dict__)
        mod.p = fw.Parameter(fw.zeros(1))
        mod.q = fw.Parameter(fw.zeros(1))
        mod.p = fw.Parameter(fw.zeros(2))        # re-registering keeps the position
        out.append([(n, tuple(p.shape)) for n, p in mod.named_parameters()])
        setattr(mod, "a.b", c.Leaf())            # no name check on the module path
        out.append(list(mod.state_dict()))
        return out

    t, m = both(script)
    assert m == t


def test_register_buffer_accepts_plain_arrays_and_wraps_them():
    m = tp.nn.Module()
    m.register_buffer("a", jnp.zeros(3))
    m.register_buffer("n", np.ones(2, np.float32))
    box = tp.zeros(2)
    m.register_buffer("box", box)
    assert isinstance(m.a, tp.Tensor) and isinstance(m.n, tp.Tensor) and m.box is box
    m.a.fill_(2.0)
    assert m.state_dict()["a"].tolist() == [2.0, 2.0, 2.0]
    m.a = jnp.ones(3)                       # name already a buffer: re-registered, wrapped
    assert isinstance(m.a, tp.Tensor) and m.a.tolist() == [1.0, 1.0, 1.0]
    m.plain = jnp.ones(2)                   # a new name holding an array is a plain attribute
    assert "plain" in m.__dict__ and "plain" not in m._buffers


def test_dir_lists_registered_names_like_torch():
    t, m = both(lambda fw, c: c.Deep())
    assert {"enc", "heads", "step", "cache", "nothing"} <= set(dir(m))
    assert not any(k[0].isdigit() for k in dir(m))
    for nm in ("enc", "heads", "table", "plist", "pdict", "step", "cache", "reuse"):
        assert (nm in dir(m)) == (nm in dir(t))


@pytest.mark.parametrize("target", ["", "enc", "enc.0", "enc.2.1", "heads.2", "table.z", "reuse"])
def test_get_submodule_matches_torch(target):
    t, m = both(lambda fw, c: c.Deep())
    st, sm = t.get_submodule(target), m.get_submodule(target)
    assert type(sm).__name__ == type(st).__name__
    assert names(sm.named_parameters()) == names(st.named_parameters())
    assert sm is dict(m.named_modules(remove_duplicate=False))[target]


@pytest.mark.parametrize("target", ["enc.0.weight", "heads.1.bias", "plist.0", "pdict.q", "table.z.weight"])
def test_get_parameter_matches_torch(target):
    t, m = both(lambda fw, c: c.Deep())
    assert tuple(m.get_parameter(target).shape) == tuple(t.get_parameter(target).shape)
    assert m.get_parameter(target) is dict(m.named_parameters())[target]


@pytest.mark.parametrize("target", ["step", "cache", "table.z.running_mean", "table.z.num_batches_tracked"])
def test_get_buffer_matches_torch(target):
    t, m = both(lambda fw, c: c.Deep())
    assert tuple(m.get_buffer(target).shape) == tuple(t.get_buffer(target).shape)
    assert m.get_buffer(target) is dict(m.named_buffers())[target]


# -- repr ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["Leaf", "Norm", "Act", "Net", "Deep"])
def test_repr_matches_torch(which):
    t, m = both(lambda fw, c: getattr(c, which)())
    assert repr(m) == repr(t)


def test_repr_of_bare_module_and_single_line_extra():
    t, m = both(lambda fw, c: fw.Module())
    assert repr(m) == repr(t) == "Module()"
    t, m = both(lambda fw, c: c.Leaf(4, 5))
    assert repr(m) == repr(t) == "Leaf(n_in=4, n_out=5)"


# -- hooks and calling --------------------------------------------------------------------------
def test_forward_hooks_match_torch():
    def script(fw, c):
        class Affine(fw.Module):
            def forward(self, x, y=0):
                return 2 * x + y

        mod = Affine()
        log = []
        out = [mod(1)]
        h1 = mod.register_forward_pre_hook(lambda s, args: (log.append(("pre1", args)), args[0] + 10)[1])
        h2 = mod.register_forward_pre_hook(lambda s, args: log.append(("pre2", args)))
        h3 = mod.register_forward_hook(lambda s, args, o: o * 100)
        h4 = mod.register_forward_hook(lambda s, args, o: log.append(("post", args, o)), prepend=True)
        out.append(mod(1))
        h1.remove()
        out.append(mod(1))
        h1.remove()                          # removing twice is harmless
        with mod.register_forward_pre_hook(lambda s, args, kw: ((args[0],), {"y": 5}), with_kwargs=True):
            out.append(mod(3))
        out.append(mod(3))
        with mod.register_forward_hook(lambda s, args, kw, o: o + len(kw), with_kwargs=True):
            out.append(mod(3, y=1))
        for h in (h2, h3, h4):
            h.remove()
        out.append(mod(1))
        out.append((len(mod._forward_hooks), len(mod._forward_pre_hooks)))
        return out, log

    t, m = both(script)
    assert m == t


def test_forward_is_required_like_torch():
    errs = []
    for fw in FWS:
        with pytest.raises(NotImplementedError) as e:
            fw.Module()(1)
        errs.append(str(e.value))
    assert errs[0] == errs[1] == 'Module [Module] is missing the required "forward" function'


# -- deepcopy -----------------------------------------------------------------------------------
def test_deepcopy_gives_independent_boxes_and_keeps_ties():
    _, m = both(lambda fw, c: c.Net())
    m.register_forward_hook(lambda s, a, o: o)
    c = copy.deepcopy(m)
    assert names(c.named_parameters()) == names(m.named_parameters())
    assert list(c.state_dict()) == list(m.state_dict())
    assert c.tied is c.b.weight and c.shared is c.b
    assert c.tied is not m.tied and c.zbuf is not m.zbuf and c.a is not m.a
    assert c.tied.requires_grad
    c.tied.fill_(42.0)
    c.zbuf.fill_(3.0)
    assert float(m.tied.value.max()) == 5.0 and float(m.zbuf.value.max()) == 0.0
    assert float(c.b.weight.value.max()) == 42.0
    assert len(c._forward_hooks) == 1
    m.w.requires_grad_(False)
    assert copy.deepcopy(m).w.requires_grad is False


def test_pickle_roundtrip_keeps_structure():
    import pickle
    _, m = both(lambda fw, c: c.Deep())
    m2 = pickle.loads(pickle.dumps(m.state_dict()))
    assert list(m2) == list(m.state_dict())


# -- dtype casts --------------------------------------------------------------------------------
@pytest.mark.parametrize("method,dtype", [("half", "float16"), ("bfloat16", "bfloat16"), ("float", "float32")])
def test_dtype_casts_floating_only_and_keep_boxes(method, dtype):
    t, m = both(lambda fw, c: c.Norm())
    boxes = [id(p) for p in m.parameters()] + [id(b) for b in m.buffers()]
    assert getattr(m, method)() is m
    getattr(t, method)()
    assert [id(p) for p in m.parameters()] + [id(b) for b in m.buffers()] == boxes
    for (n, v), (nt, vt) in zip(m.state_dict().items(), t.state_dict().items()):
        assert n == nt
        assert tp._dtype.torch_name(v.dtype) == str(vt.dtype)
    assert m.num_batches_tracked.dtype == jnp.int32


def test_to_dtype_and_device_forms():
    t, m = both(lambda fw, c: c.Norm())
    assert m.to("cpu") is m and m.cpu() is m
    m.to("cpu", tp.float16)
    t.to("cpu", torch.float16)
    assert [tp._dtype.torch_name(v.dtype) for v in m.state_dict().values()] == [
        str(v.dtype) for v in t.state_dict().values()]
    m.to(dtype=tp.float32)
    assert m.weight.dtype == jnp.float32
    m.to(tp.zeros(1, dtype="float16"))
    assert m.weight.dtype == jnp.float16


# -- load_state_dict ----------------------------------------------------------------------------
def to_torch(sd):
    return OrderedDict((k, torch.as_tensor(np.array(v))) for k, v in sd.items())


def test_load_roundtrip_from_torch_tensors_and_back():
    t, m = both(lambda fw, c: c.Deep())
    with torch.no_grad():
        for p in t.parameters():
            p.normal_()
        for b in t.buffers():
            b.fill_(3)
    res = m.load_state_dict(t.state_dict())              # torch tensors, accepted by duck typing
    assert repr(res) == "<All keys matched successfully>" == str(res)
    for k, v in t.state_dict().items():
        np.testing.assert_array_equal(np.asarray(m.state_dict()[k]), v.numpy())
    t2 = C["torch"].Deep()
    assert repr(t2.load_state_dict(to_torch(m.state_dict()))) == "<All keys matched successfully>"
    for k, v in t2.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), t.state_dict()[k].numpy())


def test_load_accepts_numpy_jax_boxes_and_casts_dtype_like_copy():
    t, m = both(lambda fw, c: c.Norm())
    sd = {"weight": np.array([1.5, 2.5], np.float16), "bias": jnp.array([1, 2], jnp.int32),
          "running_mean": tp.Tensor([7.0, 8.0]), "running_var": np.array([0.5, 0.25], np.float64),
          "num_batches_tracked": np.array(3.7, np.float32)}
    m.load_state_dict(sd)
    t.load_state_dict({k: torch.as_tensor(np.asarray(v).copy()) for k, v in sd.items()})
    for k, v in t.state_dict().items():
        got = m.state_dict()[k]
        assert tp._dtype.torch_name(got.dtype) == str(v.dtype)
        np.testing.assert_array_equal(np.asarray(got), v.numpy())


def test_load_shape_one_into_zero_dim():
    t, m = both(lambda fw, c: c.Norm())
    sd = {k: np.asarray(v) for k, v in m.state_dict().items()}
    sd["num_batches_tracked"] = np.array([5], np.int32)
    m.load_state_dict(sd)
    t.load_state_dict({k: torch.as_tensor(np.array(v)) for k, v in sd.items()})
    assert m.num_batches_tracked.shape == () and int(m.num_batches_tracked) == int(t.num_batches_tracked) == 5


def test_load_bfloat16_torch_tensor():
    m = C["tp"].Norm()
    sd = C["torch"].Norm().bfloat16().state_dict()
    m.load_state_dict(sd)
    assert m.weight.dtype == jnp.float32 and m.weight.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("edit", [
    "drop_bias", "extra_keys", "drop_and_extra", "nonpersistent_key", "none_param_key", "child_only_prefix",
])
def test_strict_false_results_match_torch(edit):
    def build(fw, c):
        mod = c.Deep()
        return mod

    t, m = both(build)
    sd = {k: np.asarray(v) for k, v in m.state_dict().items()}
    if edit in ("drop_bias", "drop_and_extra"):
        del sd["enc.0.bias"], sd["table.z.running_var"]
    if edit in ("extra_keys", "drop_and_extra"):
        sd["extra"] = np.zeros(1, np.float32)
        sd["enc.9.weight"] = np.zeros(1, np.float32)
        sd["heads.0.nope"] = np.zeros(1, np.float32)
    if edit == "nonpersistent_key":
        sd["cache"] = np.zeros(5, np.float32)
    if edit == "none_param_key":
        sd["nothing"] = np.zeros(1, np.float32)
        sd["nobuf"] = np.zeros(1, np.float32)
    if edit == "child_only_prefix":
        sd["enc"] = np.zeros(1, np.float32)
    rt = t.load_state_dict({k: torch.as_tensor(np.array(v)) for k, v in sd.items()}, strict=False)
    rm = m.load_state_dict(sd, strict=False)
    assert type(rm).__name__ == type(rt).__name__ == "_IncompatibleKeys"
    assert rm.missing_keys == rt.missing_keys and rm.unexpected_keys == rt.unexpected_keys
    assert repr(rm) == repr(rt)
    assert rm.missing_keys or rm.unexpected_keys


def test_load_assign_replaces_boxes_keeping_requires_grad():
    t, m = both(lambda fw, c: c.Norm())
    m.weight.requires_grad_(False)
    t.weight.requires_grad_(False)
    old = {n: id(v) for n, v in m.state_dict(keep_vars=True).items()}
    sd = {"weight": np.array([3.0, 4.0], np.float16), "bias": jnp.array([1.0, 2.0]),
          "running_mean": np.zeros(2, np.float32), "running_var": np.ones(2, np.float32),
          "num_batches_tracked": np.array(2, np.int32)}
    m.load_state_dict(sd, assign=True)
    t.load_state_dict({k: torch.as_tensor(np.array(v)) for k, v in sd.items()}, assign=True)
    new = m.state_dict(keep_vars=True)
    assert all(id(new[n]) != old[n] for n in old)
    assert isinstance(m.weight, tp.Parameter) and isinstance(m.bias, tp.Parameter)
    assert [p.requires_grad for p in m.parameters()] == [p.requires_grad for p in t.parameters()] == [False, True]
    assert names(m.named_parameters()) == names(t.named_parameters())
    assert [tp._dtype.torch_name(v.dtype) for v in m.state_dict().values()] == [
        str(v.dtype) for v in t.state_dict().values()]                    # assign keeps the input dtype
    p = tp.Parameter(tp.ones(2), requires_grad=True)
    m.load_state_dict({**sd, "bias": p}, assign=True)
    assert m.bias is p


def snapshot(mod):
    """Every registry entry of every module: names, box identities and array contents."""
    out = []
    for prefix, sub in mod.named_modules(remove_duplicate=False):
        for reg in ("_parameters", "_buffers", "_modules"):
            for n, v in getattr(sub, reg).items():
                arr = None if v is None or reg == "_modules" else np.asarray(v.value).copy()
                out.append((prefix, reg, n, id(v), None if arr is None else (arr.dtype.str, arr.tolist())))
        out.append((prefix, "np", sorted(sub._non_persistent_buffers_set)))
    return out


ATOMIC_CASES = {
    "late_size_mismatch": (lambda sd: sd.__setitem__("table.z.running_var", np.zeros(7, np.float32)), {}),
    "late_type_error": (lambda sd: sd.__setitem__("heads.2.bias", 3), {}),
    "missing_key": (lambda sd: sd.pop("pdict.q"), {}),
    "unexpected_key": (lambda sd: sd.__setitem__("heads.0.zzz", np.zeros(1, np.float32)), {}),
    "size_mismatch_not_strict": (lambda sd: sd.__setitem__("step", np.zeros((2, 2), np.float32)), {"strict": False}),
    "assign_with_late_error": (lambda sd: sd.__setitem__("table.z.weight", np.zeros(9, np.float32)), {"assign": True}),
    "extra_state_unexpected": (lambda sd: sd.__setitem__("enc._extra_state", 1), {}),
}


@pytest.mark.parametrize("case", sorted(ATOMIC_CASES))
def test_load_state_dict_is_atomic(case):
    edit, kwargs = ATOMIC_CASES[case]
    t, m = both(lambda fw, c: c.Deep())
    sd = {k: np.asarray(v) + 1 for k, v in m.state_dict().items()}     # every valid entry would change something
    edit(sd)
    before = snapshot(m)
    with pytest.raises(RuntimeError) as em:
        m.load_state_dict(sd, **kwargs)
    assert snapshot(m) == before
    tsd = {k: torch.as_tensor(np.array(v)) if isinstance(v, np.ndarray) else v for k, v in sd.items()}
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(tsd, **kwargs)
    assert str(em.value) == str(et.value)


def test_torch_is_not_atomic_but_tp_is():
    """The documented departure: torch copies the good tensors before it raises."""
    t, m = both(lambda fw, c: c.Leaf())
    sd = {"weight": np.full((3, 2), 9.0, np.float32), "bias": np.zeros(5, np.float32)}
    with pytest.raises(RuntimeError):
        t.load_state_dict({k: torch.as_tensor(np.array(v)) for k, v in sd.items()})
    with pytest.raises(RuntimeError):
        m.load_state_dict(sd)
    assert float(t.weight.detach().max()) == 9.0
    assert float(m.weight.value.max()) == 5.0


def test_tied_weights_load_in_torch_order():
    t, m = both(lambda fw, c: c.Net())
    sd = {k: np.asarray(v) for k, v in m.state_dict().items()}
    sd["tied"] = np.full((3, 2), 1.0, np.float32)
    sd["b.weight"] = np.full((3, 2), 2.0, np.float32)
    sd["shared.weight"] = np.full((3, 2), 3.0, np.float32)
    m.load_state_dict(sd)
    t.load_state_dict({k: torch.as_tensor(np.array(v)) for k, v in sd.items()})
    assert m.tied is m.b.weight
    assert float(m.tied.value[0, 0]) == float(t.tied.detach()[0, 0]) == 3.0


# -- misuse: exception type and message compared with torch -------------------------------------
def _sd(fw, mod, **changes):
    sd = OrderedDict((k, v) for k, v in mod.state_dict().items())
    for k, v in changes.items():
        if v is None:
            sd.pop(k)
        else:
            sd[k] = v
    return sd


MISUSE = {
    "param_before_init": lambda fw, c: c.BadInit("param"),
    "module_before_init": lambda fw, c: c.BadInit("module"),
    "register_parameter_before_init": lambda fw, c: c.BadInit("register_parameter"),
    "register_buffer_before_init": lambda fw, c: c.BadInit("register_buffer"),
    "init_unexpected_kwarg": lambda fw, c: fw.Module(foo=1),
    "init_positional": lambda fw, c: fw.Module(1, 2),
    "rp_name_int": lambda fw, c: fw.Module().register_parameter(1, None),
    "rp_name_dot": lambda fw, c: fw.Module().register_parameter("a.b", None),
    "rp_name_empty": lambda fw, c: fw.Module().register_parameter("", None),
    "rp_name_training": lambda fw, c: fw.Module().register_parameter("training", None),
    "rp_name_method": lambda fw, c: fw.Module().register_parameter("forward", fw.Parameter(fw.zeros(1))),
    "rp_plain_tensor": lambda fw, c: fw.Module().register_parameter("w", fw.zeros(2)),
    "rp_half_tensor": lambda fw, c: fw.Module().register_parameter("w", fw.zeros(2, dtype="float16")),
    "rp_int": lambda fw, c: fw.Module().register_parameter("w", 3),
    "rp_existing_buffer": lambda fw, c: c.Norm().register_parameter("running_mean", None),
    "rp_existing_module": lambda fw, c: c.Net().register_parameter("a", None),
    "rb_name_int": lambda fw, c: fw.Module().register_buffer(2.5, None),
    "rb_name_dot": lambda fw, c: fw.Module().register_buffer("x.y", fw.zeros(1)),
    "rb_name_empty": lambda fw, c: fw.Module().register_buffer("", fw.zeros(1)),
    "rb_existing_param": lambda fw, c: c.Leaf().register_buffer("weight", fw.zeros(1)),
    "rb_existing_attr": lambda fw, c: c.Leaf().register_buffer("n_in", fw.zeros(1)),
    "rb_int": lambda fw, c: fw.Module().register_buffer("b", 1),
    "rb_list": lambda fw, c: fw.Module().register_buffer("b", [1.0]),
    "rb_str": lambda fw, c: fw.Module().register_buffer("b", "text"),
    "am_int": lambda fw, c: fw.Module().add_module("c", 1),
    "am_tensor": lambda fw, c: fw.Module().add_module("c", fw.zeros(1, dtype="int32")),
    "am_name_int": lambda fw, c: fw.Module().add_module(3, fw.Module()),
    "am_existing_attr": lambda fw, c: fw.Module().add_module("training", fw.Module()),
    "am_existing_param": lambda fw, c: c.Leaf().add_module("weight", None),
    "am_name_dot": lambda fw, c: fw.Module().add_module("a.b", fw.Module()),
    "am_name_empty": lambda fw, c: fw.Module().register_module("", None),
    "set_param_tensor": lambda fw, c: setattr(c.Leaf(), "weight", fw.zeros(3, 2)),
    "set_param_int_tensor": lambda fw, c: setattr(c.Leaf(), "weight", fw.zeros(3, 2, dtype="int32")),
    "set_param_int": lambda fw, c: setattr(c.Leaf(), "bias", 0),
    "set_param_module_name_str": lambda fw, c: setattr(c.Leaf(), "bias", "zeros"),
    "set_module_on_param_name": lambda fw, c: setattr(c.Leaf(), "weight", c.Act()),
    "set_child_int": lambda fw, c: setattr(c.Net(), "a", 1),
    "set_child_tensor": lambda fw, c: setattr(c.Net(), "b", fw.zeros(2)),
    "set_buffer_int": lambda fw, c: setattr(c.Norm(), "running_mean", 0),
    "set_buffer_str": lambda fw, c: setattr(c.Norm(), "running_var", "x"),
    "set_param_on_buffer_of_none": lambda fw, c: setattr(c.Deep(), "nothing", 1.5),
    "train_str": lambda fw, c: fw.Module().train("yes"),
    "train_int": lambda fw, c: fw.Module().train(1),
    "getattr_missing": lambda fw, c: c.Net().nope,
    "delattr_missing": lambda fw, c: delattr(c.Net(), "nope"),
    "get_submodule_missing": lambda fw, c: c.Deep().get_submodule("dec"),
    "get_submodule_nested_missing": lambda fw, c: c.Deep().get_submodule("enc.7"),
    "get_submodule_param": lambda fw, c: c.Deep().get_submodule("enc.0.weight"),
    "get_submodule_through_param": lambda fw, c: c.Deep().get_submodule("step.x"),
    "get_submodule_none_child": lambda fw, c: c.Deep().get_submodule("empty"),
    "get_parameter_missing": lambda fw, c: c.Deep().get_parameter("enc.0.nope"),
    "get_parameter_buffer": lambda fw, c: c.Deep().get_parameter("table.z.running_mean"),
    "get_parameter_module": lambda fw, c: c.Deep().get_parameter("enc.0"),
    "get_parameter_bad_path": lambda fw, c: c.Deep().get_parameter("nope.weight"),
    "get_parameter_plain_attr": lambda fw, c: c.Leaf().get_parameter("n_in"),
    "get_parameter_none": lambda fw, c: c.Deep().get_parameter("nothing"),
    "get_buffer_param": lambda fw, c: c.Deep().get_buffer("enc.0.weight"),
    "get_buffer_missing": lambda fw, c: c.Deep().get_buffer("table.z.nope"),
    "get_buffer_module": lambda fw, c: c.Deep().get_buffer("heads"),
    "load_list": lambda fw, c: c.Leaf().load_state_dict([("weight", fw.zeros(3, 2))]),
    "load_missing": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, **{"a.bias": None})))(c.Net()),
    "load_unexpected": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, extra=fw.zeros(1), **{"b.x": fw.zeros(1)})))(c.Net()),
    "load_size_mismatch": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, **{"b.weight": fw.zeros(4, 2)})))(c.Net()),
    "load_size_mismatch_0d": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, num_batches_tracked=fw.zeros(2, dtype="int32"))))(c.Norm()),
    "load_size_mismatch_nonstrict": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, w=fw.zeros(1), extra=fw.zeros(1)), strict=False))(c.Net()),
    "load_not_tensor": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, w=1)))(c.Net()),
    "load_not_tensor_float": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, zbuf=0.5)))(c.Net()),
    "load_everything_wrong": lambda fw, c: (lambda m: m.load_state_dict(
        _sd(fw, m, w=[1.0], zbuf=fw.zeros(9), extra=fw.zeros(1), **{"a.weight": None, "a.bias": None})))(c.Net()),
    "load_none_param_present": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, nothing=fw.zeros(1))))(c.Deep()),
    "load_nonpersistent_present": lambda fw, c: (lambda m: m.load_state_dict(_sd(fw, m, cache=fw.zeros(5))))(c.Deep()),
    "to_int_dtype": lambda fw, c: c.Leaf().to(fw.dtype("int32")),
    "forward_missing": lambda fw, c: c.Norm()(1),
    "pre_hook_bad_return": lambda fw, c: (lambda m: (m.register_forward_pre_hook(lambda s, a, k: 5, with_kwargs=True), m(1)))(c.Act()),
    "sequential_index": lambda fw, c: fw.nn.Sequential(c.Act())[3],
    "sequential_negative_index": lambda fw, c: fw.nn.Sequential(c.Act(), c.Act())[-3],
    "modulelist_index": lambda fw, c: fw.nn.ModuleList([c.Act()])[1],
    "modulelist_del_index": lambda fw, c: fw.nn.ModuleList([c.Act()]).__delitem__(-2),
    "sequential_insert_range": lambda fw, c: fw.nn.Sequential(c.Act()).insert(3, c.Act()),
    "sequential_add_list": lambda fw, c: fw.nn.Sequential() + [c.Act()],
    "modulelist_extend_int": lambda fw, c: fw.nn.ModuleList().extend(5),
    "moduledict_update_int": lambda fw, c: fw.nn.ModuleDict().update(5),
    "moduledict_update_bad_pair": lambda fw, c: fw.nn.ModuleDict().update([("a", c.Act(), 1)]),
    "moduledict_missing": lambda fw, c: fw.nn.ModuleDict()["x"],
    "parameterlist_call": lambda fw, c: fw.nn.ParameterList()(1),
    "parameterlist_index": lambda fw, c: fw.nn.ParameterList([fw.zeros(1)])[4],
    "parameterlist_extend_tensor": lambda fw, c: fw.nn.ParameterList().extend(fw.zeros(3)),
    "parameterdict_call": lambda fw, c: fw.nn.ParameterDict()(1),
    "parameterdict_int_key": lambda fw, c: fw.nn.ParameterDict({1: fw.zeros(1)}),
    "parameterdict_missing": lambda fw, c: fw.nn.ParameterDict()["a"],
    "parameterdict_bad_pair": lambda fw, c: fw.nn.ParameterDict([("a",)]),
    "parameterdict_update_int": lambda fw, c: fw.nn.ParameterDict().update(3),
}


@pytest.mark.parametrize("case", list(MISUSE))
def test_misuse_raises_what_torch_raises(case):
    outcomes = []
    for fw in FWS:
        try:
            MISUSE[case](fw, C[fw.name])
        except Exception as e:              # noqa: BLE001 - the point is to compare
            outcomes.append((type(e).__name__, str(e)))
        else:
            outcomes.append(None)
    assert outcomes[0] is not None, f"torch did not raise for {case}"
    assert outcomes[1] == outcomes[0]


def test_there_are_at_least_40_misuse_cases():
    assert len(MISUSE) >= 40
