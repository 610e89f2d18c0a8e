"""The box/generator seam: no lazy value resolves under a trace, nothing traced leaks into a
module, and every fill goes through the generator protocol.

Modules are built fresh and never read before the call under test, because that is how users
call them (a helper that reads every box first would hide the bug).
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike_params as tp
from torchlike_params.random import LazyArray


def boxes(m):
    return [t for _, mod in m.named_modules() for reg in (mod._parameters, mod._buffers) for t in reg.values()
            if t is not None]


def assert_no_tracer(m):
    for t in boxes(m):
        v = t._storage.peek()
        assert not isinstance(v, jax.core.Tracer), f"a box holds a tracer: {v}"
        assert isinstance(v, (jax.Array, LazyArray)), type(v)


def assert_concrete_equal(m, ref):
    assert_no_tracer(m)
    for t, r in zip(boxes(m), boxes(ref)):
        v = t.value
        assert isinstance(v, jax.Array) and not isinstance(v, jax.core.Tracer)
        np.testing.assert_array_equal(np.asarray(v), np.asarray(r.value))


class WithEmptyBuffer(tp.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = tp.nn.Linear(3, 4)
        self.register_buffer("scale", tp.empty(4))

    def forward(self, x):
        return self.lin(x) * (1 + self.scale)


def fresh(seed=0, cls=lambda: tp.nn.Linear(3, 4)):
    tp.manual_seed(seed)
    return cls()


X = jnp.arange(6.0).reshape(2, 3)


@pytest.mark.parametrize("transform", ["jit", "grad", "vmap"])
def test_closed_over_fresh_module_under_transform(transform):
    m, ref = fresh(), fresh()
    if transform == "jit":
        out = jax.jit(lambda x: m(x))(X)
        expected = ref(X)
    elif transform == "grad":
        out = jax.grad(lambda x: m(x).sum())(X)
        expected = jax.grad(lambda x: ref(x).sum())(X)
    else:
        out = jax.vmap(lambda x: m(x))(X)
        expected = ref(X)
    np.testing.assert_allclose(np.asarray(out), np.asarray(expected), rtol=1e-6)
    assert_concrete_equal(m, ref)
    assert float(m.weight.sum()) == float(ref.weight.sum())      # the reproduction


def test_partial_functional_call_under_jit_leaves_unreplaced_boxes_alone():
    m, ref = fresh(), fresh()
    w = jnp.ones((4, 3))
    out = jax.jit(lambda w, x: tp.functional_call(m, {"weight": w}, (x,)))(w, X)
    np.testing.assert_allclose(np.asarray(out), np.asarray(X @ w.T + ref.bias.value), rtol=1e-6)
    assert_concrete_equal(m, ref)


def test_empty_buffer_read_through_functional_call_under_jit():
    m, ref = fresh(cls=WithEmptyBuffer), fresh(cls=WithEmptyBuffer)
    assert isinstance(m.scale._storage.peek(), LazyArray)
    out = jax.jit(lambda x: tp.functional_call(m, {}, (x,)))(X)
    np.testing.assert_allclose(np.asarray(out), np.asarray(ref(X)), rtol=1e-6)
    assert_concrete_equal(m, ref)


def test_failed_background_fill_names_the_fill(monkeypatch):
    from torchlike_params.random import _exec_cache

    def broken(*a, **k):
        def exe(*args):
            raise ValueError("disk on fire")
        return exe

    monkeypatch.setattr(_exec_cache, "compiled", broken)
    small = tp.nn.init.uniform_(tp.empty(3, 4))           # batched path
    large = tp.nn.init.normal_(tp.empty(300, 400))        # chunk path
    trunc = tp.nn.init.trunc_normal_(tp.empty(50, 50))    # truncated-normal chunks
    for box, name in ((small, "uniform(shape=(3, 4)"), (large, "normal(shape=(300, 400)"),
                      (trunc, "trunc_normal(shape=(50, 50)")):
        with pytest.raises(RuntimeError, match="eager fill " + re.escape(name)) as e:
            jax.jit(lambda x: x + box.sum())(1.0)          # first read inside a trace
        assert "disk on fire" in str(e.value.__cause__)
        assert not isinstance(box._storage.peek(), jax.core.Tracer)


def test_inplace_write_of_a_traced_value_is_refused_and_loses_nothing():
    m = fresh()
    before = np.asarray(m.weight.value)
    with pytest.raises(RuntimeError, match="created outside the trace"):
        jax.jit(lambda k: tp.nn.init.normal_(m.weight, key=k).sum())(jax.random.key(0))
    np.testing.assert_array_equal(np.asarray(m.weight.value), before)
    assert_no_tracer(m)


def test_boxes_built_inside_a_trace_may_hold_tracers():
    init = tp.compile_init(lambda: tp.nn.Sequential(tp.nn.Linear(3, 4), tp.nn.Linear(4, 2)))
    state = jax.jit(init)(jax.random.key(0))
    with tp.key_scope(jax.random.key(0)):
        eager = tp.nn.Sequential(tp.nn.Linear(3, 4), tp.nn.Linear(4, 2))
    for k, v in eager.state_dict().items():
        np.testing.assert_array_equal(np.asarray(state[k]), np.asarray(v))


# -- random interleavings --------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

STEPS = st.lists(st.sampled_from(["build", "build_empty", "fill_normal", "fill_trunc", "fill_kaiming", "read",
                                  "jit_call", "grad_call", "vmap_call", "fc_full", "fc_partial_jit", "fc_eager",
                                  "jit_fc_all"]), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS, seed=st.integers(0, 2**16))
def test_random_interleavings_never_leave_a_tracer(steps, seed):
    tp.manual_seed(seed)
    models = [WithEmptyBuffer()]
    for step in steps:
        m = models[-1]
        if step == "build":
            models.append(WithEmptyBuffer())
        elif step == "build_empty":
            m2 = WithEmptyBuffer()
            m2.lin.weight = tp.nn.Parameter(tp.empty(4, 3))
            models.append(m2)
        elif step == "fill_normal":
            tp.nn.init.normal_(m.lin.weight, std=0.02)
        elif step == "fill_trunc":
            tp.nn.init.trunc_normal_(m.lin.weight, std=0.02)
        elif step == "fill_kaiming":
            tp.nn.init.kaiming_uniform_(m.lin.weight, a=5 ** 0.5)
        elif step == "read":
            float(m.lin.weight.sum())
        elif step == "jit_call":
            out = jax.jit(lambda x: m(x))(X)
            np.testing.assert_allclose(np.asarray(out), np.asarray(m(X)), rtol=1e-5, atol=1e-6)
        elif step == "grad_call":
            jax.grad(lambda x: m(x).sum())(X)
        elif step == "vmap_call":
            jax.vmap(m)(X)
        elif step == "fc_full":
            state = {k: v.value + 1 for k, v in m.state_dict(keep_vars=True).items()}
            jax.jit(lambda s, x: tp.functional_call(m, s, (x,)))(state, X)
        elif step == "fc_partial_jit":
            jax.jit(lambda w, x: tp.functional_call(m, {"lin.bias": w}, (x,)))(jnp.zeros(4), X)
        elif step == "fc_eager":
            tp.functional_call(m, {"scale": jnp.ones(4)}, (X,))
        elif step == "jit_fc_all":
            jax.jit(lambda x: tp.functional_call(m, {}, (x,)))(X)
        for mod in models:
            assert_no_tracer(mod)
    for mod in models:
        for t in boxes(mod):
            assert isinstance(t.value, jax.Array) and not isinstance(t.value, jax.core.Tracer)
