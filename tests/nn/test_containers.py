"""Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict against torch 2.13."""

import types
from collections import OrderedDict

import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp

TORCH = types.SimpleNamespace(name="torch", nn=torch.nn, Module=torch.nn.Module, Parameter=torch.nn.Parameter,
                              zeros=lambda *s, dtype="float32": torch.zeros(*s, dtype=getattr(torch, dtype)))
TP = types.SimpleNamespace(name="tp", nn=tp.nn, Module=tp.nn.Module, Parameter=tp.Parameter,
                           zeros=lambda *s, dtype="float32": tp.zeros(*s, dtype=dtype))


def classes(fw):
    class Lin(fw.Module):
        def __init__(self, n_in=2, n_out=3):
            super().__init__()
            self.n_in, self.n_out = n_in, n_out
            self.weight = fw.Parameter(fw.zeros(n_out, n_in))
            self.bias = fw.Parameter(fw.zeros(n_out))

        def forward(self, x):
            return x * 10 + self.n_out

        def extra_repr(self):
            return f"in_features={self.n_in}, out_features={self.n_out}"

    class Act(fw.Module):
        def forward(self, x):
            return -x

    return types.SimpleNamespace(Lin=Lin, Act=Act)


C = {"torch": classes(TORCH), "tp": classes(TP)}


def both(build):
    return build(TORCH, C["torch"]), build(TP, C["tp"])


def structure(mod):
    """Everything name-like a module reports."""
    return (repr(mod), [n for n, _ in mod.named_modules()], [n for n, _ in mod.named_parameters()],
            list(mod.state_dict()), [n for n, _ in mod.named_children()], len(list(mod.parameters())))


# -- Sequential ---------------------------------------------------------------------------------
SEQ_SCRIPTS = {
    "args": lambda fw, c: fw.nn.Sequential(c.Lin(), c.Act(), c.Lin(3, 1)),
    "ordered_dict": lambda fw, c: fw.nn.Sequential(OrderedDict([("fc", c.Lin()), ("act", c.Act()), ("out", c.Lin(3, 4))])),
    "slice": lambda fw, c: fw.nn.Sequential(c.Lin(), c.Act(), c.Lin(3, 1), c.Act())[1:3],
    "slice_step": lambda fw, c: fw.nn.Sequential(c.Lin(), c.Act(), c.Lin(3, 1), c.Act())[::2],
    "slice_ordered": lambda fw, c: fw.nn.Sequential(OrderedDict([("a", c.Lin()), ("b", c.Act()), ("c", c.Lin(4, 4))]))[-2:],
    "del_renumbers": lambda fw, c: (lambda s: (s.__delitem__(1), s)[1])(fw.nn.Sequential(c.Lin(), c.Act(), c.Lin(3, 1))),
    "del_negative": lambda fw, c: (lambda s: (s.__delitem__(-1), s)[1])(fw.nn.Sequential(c.Lin(), c.Act(), c.Lin(3, 1))),
    "del_slice": lambda fw, c: (lambda s: (s.__delitem__(slice(0, 2)), s)[1])(fw.nn.Sequential(c.Lin(), c.Act(), c.Lin(3, 1))),
    "append": lambda fw, c: fw.nn.Sequential(c.Lin()).append(c.Act()).append(c.Lin(3, 2)),
    "insert": lambda fw, c: fw.nn.Sequential(c.Lin(), c.Lin(3, 2)).insert(1, c.Act()).insert(-1, c.Lin(5, 5)),
    "extend": lambda fw, c: fw.nn.Sequential(c.Lin()).extend([c.Act(), c.Lin(3, 3)]),
    "pop": lambda fw, c: (lambda s: (s.pop(0), s)[1])(fw.nn.Sequential(c.Lin(), c.Act(), c.Lin(3, 1))),
    "setitem": lambda fw, c: (lambda s: (s.__setitem__(-1, c.Lin(7, 7)), s)[1])(fw.nn.Sequential(c.Lin(), c.Act())),
    "add": lambda fw, c: fw.nn.Sequential(c.Lin()) + fw.nn.Sequential(c.Act(), c.Lin(3, 3)),
    "iadd": lambda fw, c: (lambda s: (s.__iadd__(fw.nn.Sequential(c.Act())), s)[1])(fw.nn.Sequential(c.Lin())),
    "nested": lambda fw, c: fw.nn.Sequential(fw.nn.Sequential(c.Lin(), c.Act()), c.Lin(3, 1)),
    "shared": lambda fw, c: (lambda l: fw.nn.Sequential(l, c.Act(), l))(c.Lin()),
    "empty": lambda fw, c: fw.nn.Sequential(),
}


@pytest.mark.parametrize("script", sorted(SEQ_SCRIPTS))
def test_sequential_structure_matches_torch(script):
    t, m = both(SEQ_SCRIPTS[script])
    assert type(m).__name__ == type(t).__name__ == "Sequential"
    assert structure(m) == structure(t)
    assert len(m) == len(t)


def test_sequential_indexing_and_forward():
    def build(fw, c):
        a, b, d = c.Lin(), c.Act(), c.Lin(3, 2)
        s = fw.nn.Sequential(a, b, d)
        return s, (a, b, d)

    (t, _), (m, (a, b, d)) = both(build)
    assert m[0] is a and m[-1] is d and m[-3] is a and list(m) == [a, b, d]
    assert m(1) == t(1) == -(1 * 10 + 3) * 10 + 2
    assert m.forward(0) == t.forward(0)
    assert "0" not in dir(m) and "forward" in dir(m)


# -- ModuleList ---------------------------------------------------------------------------------
LIST_SCRIPTS = {
    "init": lambda fw, c: fw.nn.ModuleList([c.Lin(), c.Lin(), c.Act(), c.Lin(), c.Lin(), c.Lin()]),
    "collapse_nested": lambda fw, c: fw.nn.ModuleList([fw.nn.Sequential(c.Lin(), c.Act()) for _ in range(3)]),
    "no_collapse": lambda fw, c: fw.nn.ModuleList([c.Lin(1, 2), c.Lin(2, 2), c.Lin(1, 2)]),
    "append_extend": lambda fw, c: fw.nn.ModuleList().append(c.Lin()).extend([c.Act(), c.Act()]),
    "insert": lambda fw, c: (lambda ml: (ml.insert(1, c.Lin(9, 9)), ml)[1])(fw.nn.ModuleList([c.Lin(), c.Act()])),
    "insert_front": lambda fw, c: (lambda ml: (ml.insert(0, c.Lin(9, 9)), ml)[1])(fw.nn.ModuleList([c.Lin(), c.Act()])),
    "del": lambda fw, c: (lambda ml: (ml.__delitem__(0), ml)[1])(fw.nn.ModuleList([c.Lin(), c.Act(), c.Lin(3, 3)])),
    "del_slice": lambda fw, c: (lambda ml: (ml.__delitem__(slice(None, None, 2)), ml)[1])(
        fw.nn.ModuleList([c.Lin(), c.Act(), c.Lin(3, 3), c.Act()])),
    "pop": lambda fw, c: (lambda ml: (ml.pop(-2), ml)[1])(fw.nn.ModuleList([c.Lin(), c.Act(), c.Lin(3, 3)])),
    "slice": lambda fw, c: fw.nn.ModuleList([c.Lin(), c.Act(), c.Lin(3, 3)])[1:],
    "setitem": lambda fw, c: (lambda ml: (ml.__setitem__(-1, c.Lin(4, 4)), ml)[1])(fw.nn.ModuleList([c.Lin(), c.Act()])),
    "add": lambda fw, c: fw.nn.ModuleList([c.Lin()]) + fw.nn.ModuleList([c.Act()]),
    "iadd": lambda fw, c: (lambda ml: (ml.__iadd__([c.Act()]), ml)[1])(fw.nn.ModuleList([c.Lin()])),
    "empty": lambda fw, c: fw.nn.ModuleList(),
    "in_parent": lambda fw, c: (lambda p: (setattr(p, "blocks", fw.nn.ModuleList([c.Lin(), c.Lin()])), p)[1])(fw.Module()),
}


@pytest.mark.parametrize("script", sorted(LIST_SCRIPTS))
def test_modulelist_structure_matches_torch(script):
    t, m = both(LIST_SCRIPTS[script])
    assert structure(m) == structure(t)


def test_modulelist_repr_collapses_repeats():
    _, m = both(LIST_SCRIPTS["init"])
    assert repr(m) == (
        "ModuleList(\n"
        "  (0-1): 2 x Lin(in_features=2, out_features=3)\n"
        "  (2): Act()\n"
        "  (3-5): 3 x Lin(in_features=2, out_features=3)\n"
        ")")
    assert repr(tp.nn.ModuleList()) == "ModuleList()"


def test_modulelist_indexing_and_iteration():
    ms = [C["tp"].Lin(), C["tp"].Act()]
    ml = tp.nn.ModuleList(ms)
    assert ml[0] is ms[0] and ml[-1] is ms[1] and list(ml) == ms and len(ml) == 2
    assert list(ml._modules) == ["0", "1"]


# -- ModuleDict ---------------------------------------------------------------------------------
DICT_SCRIPTS = {
    "plain_dict_keeps_order": lambda fw, c: fw.nn.ModuleDict({"z": c.Lin(), "a": c.Act(), "m": c.Lin(3, 3)}),
    "ordered": lambda fw, c: fw.nn.ModuleDict(OrderedDict([("z", c.Lin()), ("a", c.Act())])),
    "pairs": lambda fw, c: fw.nn.ModuleDict([["b", c.Lin()], ("a", c.Act())]),
    "update_overwrite": lambda fw, c: (lambda md: (md.update({"a": c.Lin(5, 5), "c": c.Act()}), md)[1])(
        fw.nn.ModuleDict({"a": c.Lin(), "b": c.Act()})),
    "pop": lambda fw, c: (lambda md: (md.pop("a"), md)[1])(fw.nn.ModuleDict({"a": c.Lin(), "b": c.Act()})),
    "del": lambda fw, c: (lambda md: (md.__delitem__("b"), md)[1])(fw.nn.ModuleDict({"a": c.Lin(), "b": c.Act()})),
    "clear": lambda fw, c: (lambda md: (md.clear(), md)[1])(fw.nn.ModuleDict({"a": c.Lin()})),
    "setitem": lambda fw, c: (lambda md: (md.__setitem__("new", c.Lin(1, 1)), md)[1])(fw.nn.ModuleDict()),
}


@pytest.mark.parametrize("script", sorted(DICT_SCRIPTS))
def test_moduledict_structure_matches_torch(script):
    t, m = both(DICT_SCRIPTS[script])
    assert structure(m) == structure(t)
    assert list(m) == list(t) and list(m.keys()) == list(t.keys()) and len(m) == len(t)
    assert [k for k, _ in m.items()] == [k for k, _ in t.items()]
    assert len(list(m.values())) == len(list(t.values()))
    assert all((k in m) == (k in t) for k in ("a", "b", "z", "new"))


# -- ParameterList / ParameterDict --------------------------------------------------------------
PLIST_SCRIPTS = {
    "wraps_tensors": lambda fw, c: fw.nn.ParameterList([fw.zeros(2, 3), fw.Parameter(fw.zeros(4)), fw.zeros(())]),
    "dtypes": lambda fw, c: fw.nn.ParameterList([fw.zeros(2, dtype="float16"), fw.zeros(1, dtype="bfloat16")]),
    "single": lambda fw, c: fw.nn.ParameterList([fw.zeros(2, 3)]),
    "objects": lambda fw, c: fw.nn.ParameterList([fw.zeros(1), "label", 3]),
    "append_extend": lambda fw, c: fw.nn.ParameterList().append(fw.zeros(1)).extend([fw.zeros(2), fw.zeros(3)]),
    "setitem": lambda fw, c: (lambda pl: (pl.__setitem__(0, fw.zeros(5)), pl)[1])(fw.nn.ParameterList([fw.zeros(1)])),
    "slice": lambda fw, c: fw.nn.ParameterList([fw.zeros(1), fw.zeros(2), fw.zeros(3)])[::2],
    "iadd": lambda fw, c: (lambda pl: (pl.__iadd__([fw.zeros(7)]), pl)[1])(fw.nn.ParameterList([fw.zeros(1)])),
    "empty": lambda fw, c: fw.nn.ParameterList(),
    "in_parent": lambda fw, c: (lambda p: (setattr(p, "ps", fw.nn.ParameterList([fw.zeros(2)])), p)[1])(c.Lin()),
}


@pytest.mark.parametrize("script", sorted(PLIST_SCRIPTS))
def test_parameterlist_matches_torch(script):
    t, m = both(PLIST_SCRIPTS[script])
    assert structure(m) == structure(t)
    items = m if script != "in_parent" else m.ps
    assert all(isinstance(p, tp.Parameter) for p in items if isinstance(p, (tp.Tensor, jnp.ndarray)))


def test_parameterlist_accepts_jax_and_numpy_arrays():
    pl = tp.nn.ParameterList([jnp.ones(2), np.zeros((1, 2), np.float32)])
    assert [type(p).__name__ for p in pl] == ["Parameter", "Parameter"]
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    assert pl[-1].shape == (1, 2) and len(pl) == 2
    p = tp.Parameter(tp.zeros(3))
    pl.append(p)
    assert pl[2] is p


PDICT_SCRIPTS = {
    "plain_dict_sorted": lambda fw, c: fw.nn.ParameterDict({"b": fw.zeros(2), "a": fw.zeros(2, 2), "c": fw.Parameter(fw.zeros(1))}),
    "ordered_kept": lambda fw, c: fw.nn.ParameterDict(OrderedDict([("b", fw.zeros(2)), ("a", fw.zeros(2, 2))])),
    "pairs_kept": lambda fw, c: fw.nn.ParameterDict([("z", fw.zeros(1)), ("y", fw.zeros(2, dtype="float16"))]),
    "objects": lambda fw, c: fw.nn.ParameterDict({"x": fw.zeros(1), "name": "text"}),
    "update_and_pop": lambda fw, c: (lambda pd: (pd.update({"d": fw.zeros(3)}), pd.pop("a"), pd)[-1])(
        fw.nn.ParameterDict({"a": fw.zeros(1), "b": fw.zeros(2)})),
    "popitem": lambda fw, c: (lambda pd: (pd.popitem(), pd)[-1])(fw.nn.ParameterDict({"a": fw.zeros(1), "b": fw.zeros(2)})),
    "setdefault": lambda fw, c: (lambda pd: (pd.setdefault("k", fw.zeros(4)), pd.setdefault("k", fw.zeros(9)), pd)[-1])(
        fw.nn.ParameterDict()),
    "clear": lambda fw, c: (lambda pd: (pd.clear(), pd)[-1])(fw.nn.ParameterDict({"a": fw.zeros(1)})),
    "copy": lambda fw, c: fw.nn.ParameterDict({"b": fw.zeros(2), "a": fw.zeros(1)}).copy(),
    "or": lambda fw, c: fw.nn.ParameterDict({"b": fw.zeros(2)}) | fw.nn.ParameterDict({"a": fw.zeros(1)}),
    "fromkeys": lambda fw, c: fw.nn.ParameterDict().fromkeys(["q", "p"], fw.zeros(2)),
    "del": lambda fw, c: (lambda pd: (pd.__delitem__("a"), pd)[-1])(fw.nn.ParameterDict({"a": fw.zeros(1), "b": fw.zeros(2)})),
    "single": lambda fw, c: fw.nn.ParameterDict({"a": fw.zeros(2, 2)}),
}


@pytest.mark.parametrize("script", sorted(PDICT_SCRIPTS))
def test_parameterdict_matches_torch(script):
    t, m = both(PDICT_SCRIPTS[script])
    assert structure(m) == structure(t)
    assert list(m) == list(t) and list(m.keys()) == list(t.keys()) and len(m) == len(t)
    assert list(reversed(m)) == list(reversed(t))
    assert [k for k, _ in m.items()] == [k for k, _ in t.items()]


def test_parameterdict_get_contains_values():
    pd = tp.nn.ParameterDict({"a": tp.zeros(2)})
    assert "a" in pd and "b" not in pd
    assert pd.get("b") is None and pd.get("a") is pd["a"]
    assert [v.shape for v in pd.values()] == [(2,)]


def test_documented_repr_lines():
    pl = tp.nn.ParameterList([tp.zeros(2, 3)])
    pd = tp.nn.ParameterDict({"a": tp.zeros(2, 2)})
    tl = torch.nn.ParameterList([torch.zeros(2, 3)])
    td = torch.nn.ParameterDict({"a": torch.zeros(2, 2)})
    assert "(0): Parameter containing: [torch.float32 of size 2x3]" in repr(pl)
    assert "(a): Parameter containing: [torch.FloatTensor of size 2x2]" in repr(pd)
    assert repr(pl) == repr(tl) and repr(pd) == repr(td)


def test_containers_inside_a_model_give_torch_state_dict():
    def build(fw, c):
        root = fw.Module()
        root.body = fw.nn.Sequential(c.Lin(), c.Act(), fw.nn.ModuleList([c.Lin(3, 3), c.Lin(3, 3)]))
        root.heads = fw.nn.ModuleDict({"cls": c.Lin(3, 5), "box": c.Lin(3, 4)})
        root.extra = fw.nn.ParameterDict({"scale": fw.zeros(1), "offset": fw.zeros(1)})
        root.extras = fw.nn.ParameterList([fw.zeros(2)])
        return root

    t, m = both(build)
    assert structure(m) == structure(t)
    assert m.get_parameter("extra.scale") is m.extra["scale"]
    sd = {k: torch.as_tensor(np.array(v)) + 1 for k, v in m.state_dict().items()}
    assert repr(m.load_state_dict(sd)) == repr(t.load_state_dict(sd)) == "<All keys matched successfully>"
    assert float(m.body[2][1].bias.value[0]) == 1.0
