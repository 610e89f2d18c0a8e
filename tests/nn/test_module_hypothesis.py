"""Random sequences of registration operations, run on a torch Module and a tp Module side by side.

After every step both sides must report the same parameter, buffer and module names, the same
state_dict keys, and the same failure (exception type and message) if the step failed.
"""

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import torchlike_params as tp

# valid names are drawn more often than the invalid or reserved ones
NAMES = ["a", "b", "c", "w", "x"] * 4 + ["training", "forward", "a.b", "", "0"]
PARAM_VALUES = ["new_param"] * 3 + ["existing_param"] * 2 + ["none", "plain_tensor", "int"]
SET_VALUES = PARAM_VALUES + ["new_module"] * 4 + ["existing_module", "buffer", "buffer_np", "none"]
BUFFER_VALUES = ["tensor"] * 3 + ["none", "int", "existing_param"]

_SETATTR = st.tuples(st.just("setattr"), st.integers(0, 50), st.sampled_from(NAMES), st.sampled_from(SET_VALUES),
                     st.integers(0, 50))
OPS = st.one_of(
    _SETATTR, _SETATTR,
    st.tuples(st.just("register_parameter"), st.integers(0, 50), st.sampled_from(NAMES), st.sampled_from(PARAM_VALUES),
              st.integers(0, 50)),
    st.tuples(st.just("setattr"), st.integers(0, 50), st.sampled_from(NAMES), st.sampled_from(SET_VALUES),
              st.integers(0, 50)),
    st.tuples(st.just("delattr"), st.integers(0, 50), st.sampled_from(NAMES), st.just(None), st.just(0)),
    st.tuples(st.just("add_module"), st.integers(0, 50), st.sampled_from(NAMES), st.sampled_from(["new", "none", "int"]),
              st.just(0)),
    st.tuples(st.just("register_buffer"), st.integers(0, 50), st.sampled_from(NAMES), st.sampled_from(BUFFER_VALUES),
              st.integers(0, 50)),
    st.tuples(st.just("register_buffer_np"), st.integers(0, 50), st.sampled_from(NAMES), st.sampled_from(BUFFER_VALUES),
              st.integers(0, 50)),
)

def _module_class(base):
    """One ``Sub`` class per framework with the same qualified name, so torch.typename agrees."""

    class Sub(base):
        pass

    return Sub


FW = {
    "torch": dict(Module=_module_class(torch.nn.Module), Parameter=torch.nn.Parameter, Buffer=torch.nn.Buffer,
                  zeros=lambda n: torch.zeros(n)),
    "tp": dict(Module=_module_class(tp.nn.Module), Parameter=tp.Parameter, Buffer=tp.Buffer,
               zeros=lambda n: tp.zeros(n)),
}


def _pick(items, idx):
    return items[idx % len(items)] if items else None


def _safe_modules(root):
    """(name, module) for every module, in torch's order (the same on both sides while they agree)."""
    return list(root.named_modules())


def apply(fw, root, op, counter):
    """Run one operation; return None or (exception type name, message)."""
    kind, target_idx, name, value_kind, other_idx = op
    f = FW[fw]
    mods = _safe_modules(root)
    _, target = _pick(mods, target_idx)
    counter[0] += 1
    size = counter[0] % 3 + 1

    def value(vk):
        if vk == "new_param":
            return f["Parameter"](f["zeros"](size))
        if vk == "none":
            return None
        if vk in ("plain_tensor", "tensor"):
            return f["zeros"](size)
        if vk == "int":
            return 7
        if vk == "existing_param":
            params = list(root.named_parameters())
            return _pick(params, other_idx)[1] if params else f["Parameter"](f["zeros"](size))
        if vk == "new_module":
            return f["Module"]()
        if vk == "existing_module":
            # share an existing module that does not contain the target (no cycles)
            candidates = [m for _, m in mods if not any(s is target for s in m.modules())]
            return _pick(candidates, other_idx) if candidates else f["Module"]()
        if vk == "buffer":
            return f["Buffer"](f["zeros"](size), persistent=bool(other_idx % 2))
        if vk == "buffer_np":
            return f["Buffer"](f["zeros"](size), persistent=False)
        raise AssertionError(vk)

    try:
        if kind == "register_parameter":
            target.register_parameter(name, value(value_kind))
        elif kind == "setattr":
            setattr(target, name, value(value_kind))
        elif kind == "delattr":
            delattr(target, name)
        elif kind == "add_module":
            target.add_module(name, {"new": f["Module"](), "none": None, "int": 3}[value_kind])
        elif kind == "register_buffer":
            target.register_buffer(name, value(value_kind))
        elif kind == "register_buffer_np":
            target.register_buffer(name, value(value_kind), persistent=False)
    except Exception as e:              # noqa: BLE001 - compared across frameworks
        return type(e).__name__, str(e)
    return None


def report(root):
    return (
        [n for n, _ in root.named_parameters()],
        [n for n, _ in root.named_parameters(remove_duplicate=False)],
        [(n, tuple(p.shape)) for n, p in root.named_parameters()],
        [n for n, _ in root.named_buffers()],
        [n for n, _ in root.named_buffers(remove_duplicate=False)],
        [n for n, _ in root.named_modules()],
        [n for n, _ in root.named_modules(remove_duplicate=False)],
        list(root.state_dict()),
        [n for n, _ in root.named_children()],
        repr(root),
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPS, min_size=3, max_size=20))
def test_random_registration_sequences_match_torch(ops):
    roots = {fw: FW[fw]["Module"]() for fw in FW}
    counters = {"torch": [0], "tp": [0]}
    for step, op in enumerate(ops):
        outcome = {fw: apply(fw, roots[fw], op, counters[fw]) for fw in roots}
        assert outcome["tp"] == outcome["torch"], (step, op)
        assert report(roots["tp"]) == report(roots["torch"]), (step, op)
    sd_t = roots["torch"].state_dict()
    sd_m = roots["tp"].state_dict()
    assert [tuple(v.shape) for v in sd_m.values()] == [tuple(v.shape) for v in sd_t.values()]
    # the final state loads back into itself on both sides, with the same result (a module
    # registered under a dotted name by setattr makes torch report unexpected keys)
    results = []
    for fw, sd in (("torch", {k: torch.as_tensor(np.array(v)) for k, v in sd_m.items()}), ("tp", sd_m)):
        try:
            results.append(repr(roots[fw].load_state_dict(sd)))
        except RuntimeError as e:
            results.append(("RuntimeError", str(e)))
    assert results[0] == results[1]
