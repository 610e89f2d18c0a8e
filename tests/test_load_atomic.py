"""load_state_dict is atomic when user code raises: a ``set_extra_state`` or a ``_load_from_state_dict``
override that raises (before or after queuing writes) leaves every module of the tree exactly as it was:
box values and cells, registries, attributes and extra state, in the raising module, its parents and siblings."""

import numpy as np
import pytest

import torchlike_params as tp


class Extra(tp.nn.Module):
    def __init__(self, fail=False):
        super().__init__()
        self.lin = tp.nn.Linear(3, 2)
        self.register_buffer("count", tp.zeros(()))
        self.state = "old"
        self.fail = fail

    def get_extra_state(self):
        return self.state

    def set_extra_state(self, state):
        self.state = state                     # changed, then raises: must be undone
        self.register_buffer("late", tp.ones(1))
        if self.fail:
            raise ValueError("bad extra state")


class Override(tp.nn.Module):
    def __init__(self, when):
        super().__init__()
        self.weight = tp.Parameter(tp.zeros(2))
        self.when = when

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        if self.when == "before":
            raise KeyError("refused before queuing")
        self._queue_write("tag", "loaded")
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)
        self.weight.data.fill_(7.0)            # a direct write (breaks the contract): undone too
        if self.when == "after":
            raise RuntimeError("refused after queuing")


def _tree(m):
    out = []
    for name, sub in m.named_modules(remove_duplicate=False):
        out.append((name, type(sub).__name__, sorted(k for k in sub.__dict__ if not k.startswith("_")),
                    {k: getattr(sub, k) for k in ("state", "tag", "fail", "when") if k in sub.__dict__},
                    [(k, id(v)) for k, v in sub._parameters.items()], [(k, id(v)) for k, v in sub._buffers.items()],
                    [(k, id(v)) for k, v in sub._modules.items()], sorted(sub._non_persistent_buffers_set)))
        for t in list(sub._parameters.values()) + list(sub._buffers.values()):
            out.append((id(t._storage), np.array(np.asarray(t)).tolist(), str(t.dtype),
                        getattr(t, "requires_grad", None)))
    return out


def _model(child):
    root = tp.nn.Module()
    root.first = tp.nn.Linear(2, 2)             # loaded before the raising module (its writes are queued/flushed)
    root.mid = tp.nn.Sequential(child)
    root.last = tp.nn.BatchNorm1d(2)            # a sibling after it
    return root


def _new_state(m):
    return {k: (np.asarray(np.asarray(v) + 1.0) if np.asarray(v).dtype.kind == "f" else np.asarray(v))
            if not isinstance(v, str) else "new" for k, v in m.state_dict().items()}


@pytest.mark.parametrize("assign", [False, True])
def test_set_extra_state_raising_changes_nothing(assign):
    m = _model(Extra(fail=True))
    state = _new_state(m)
    before = _tree(m)
    with pytest.raises(ValueError, match="bad extra state"):
        m.load_state_dict(state, assign=assign)
    assert _tree(m) == before
    assert m.mid[0].state == "old" and "late" not in m.mid[0]._buffers


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("assign", [False, True])
def test_load_from_state_dict_override_raising_changes_nothing(when, assign):
    m = _model(Override(when))
    state = _new_state(m)
    before = _tree(m)
    with pytest.raises((KeyError, RuntimeError), match="refused"):
        m.load_state_dict(state, assign=assign)
    assert _tree(m) == before
    assert "tag" not in m.mid[0].__dict__


def test_a_later_error_undoes_extra_state_and_override_writes():
    root = tp.nn.Module()
    root.a = Extra()                         # succeeds: its state is set, then a later check fails
    root.b = Override("ok")
    state = _new_state(root)
    state["b.weight"] = np.ones(5, np.float32)    # size mismatch, reported after the walk
    before = _tree(root)
    with pytest.raises(RuntimeError, match="size mismatch"):
        root.load_state_dict(state)
    assert _tree(root) == before and root.a.state == "old"


def test_the_same_loads_succeed_when_nothing_raises():
    m = _model(Extra())
    state = _new_state(m)
    m.load_state_dict(state)
    assert m.mid[0].state == "new" and "late" in m.mid[0]._buffers
    np.testing.assert_array_equal(np.asarray(m.first.weight), state["first.weight"])
