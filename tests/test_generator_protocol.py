"""The generator protocol is the whole seam: a backend written against it alone (here a NumPy
``default_rng`` generator, as the torch-replay backend will be) drives every in-place
initializer and factory, as ``generator=``, as the default and inside a scope."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike_params as tp
from torchlike_params.random import GeneratorProtocol


class NumpyGenerator:
    """A protocol implementation on NumPy's PCG64. Only the protocol's public requests are used."""

    traceable = False

    def __init__(self, seed=0):
        self.manual_seed(seed)
        self.calls = []

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state):
        self._rng.bit_generator.state = state
        return self

    def uniform(self, shape, dtype, low, high):
        self.calls.append(("uniform", tuple(shape)))
        return jnp.asarray(self._rng.uniform(low, high, tuple(shape)), dtype)

    def normal(self, shape, dtype, mean, std):
        self.calls.append(("normal", tuple(shape)))
        return jnp.asarray(self._rng.normal(mean, std, tuple(shape)), dtype)

    def trunc_normal(self, shape, dtype, mean, std, a, b):
        self.calls.append(("trunc_normal", tuple(shape)))
        out = self._rng.normal(mean, std, tuple(shape))
        bad = (out < a) | (out > b)
        while bad.any():
            out[bad] = self._rng.normal(mean, std, int(bad.sum()))
            bad = (out < a) | (out > b)
        return jnp.asarray(out, dtype)

    def randperms(self, n, count):
        self.calls.append(("randperms", (count, n)))
        return jnp.asarray(np.stack([self._rng.permutation(n) for _ in range(count)]).astype(np.int32))


def test_numpy_generator_satisfies_the_protocol():
    assert isinstance(NumpyGenerator(), GeneratorProtocol)
    assert isinstance(tp.random.Generator(), GeneratorProtocol)
    assert not isinstance(object(), GeneratorProtocol)


W = (6, 5)
INITS = [
    ("uniform_", dict(a=-0.5, b=0.5), lambda r: r.uniform(-0.5, 0.5, W)),
    ("normal_", dict(mean=1.0, std=0.5), lambda r: r.normal(1.0, 0.5, W)),
    ("kaiming_uniform_", dict(a=math.sqrt(5)), lambda r: r.uniform(-1 / math.sqrt(5), 1 / math.sqrt(5), W)),
    ("kaiming_normal_", dict(), lambda r: r.normal(0.0, math.sqrt(2) / math.sqrt(5), W)),
    ("xavier_uniform_", dict(gain=2.0), lambda r: r.uniform(-2 * math.sqrt(6 / 11), 2 * math.sqrt(6 / 11), W)),
    ("xavier_normal_", dict(), lambda r: r.normal(0.0, math.sqrt(2 / 11), W)),
]


@pytest.mark.parametrize("name,kwargs,expected", INITS, ids=[i[0] for i in INITS])
@pytest.mark.parametrize("how", ["generator=", "default", "scope"])
def test_every_fill_goes_through_the_protocol(name, kwargs, expected, how):
    g = NumpyGenerator(7)
    w = tp.empty(*W)
    fill = getattr(tp.nn.init, name)
    if how == "generator=":
        fill(w, generator=g, **kwargs)
    elif how == "default":
        with tp.random.default_generator_scope(g):
            fill(w, **kwargs)
    else:
        with tp.key_scope(g):
            fill(w, **kwargs)
    np.testing.assert_allclose(np.asarray(w.value), expected(np.random.default_rng(7)).astype(np.float32),
                               rtol=1e-6, atol=1e-7)


def test_trunc_orthogonal_sparse_and_factories_through_the_protocol():
    g = NumpyGenerator(3)
    t = tp.nn.init.trunc_normal_(tp.empty(40, 10), std=1.0, a=-1.0, b=1.0, generator=g)
    assert float(abs(t.value).max()) <= 1.0
    o = tp.nn.init.orthogonal_(tp.empty(4, 6), generator=g)
    np.testing.assert_allclose(np.asarray(o.value @ o.value.T), np.eye(4), atol=1e-5)
    s = tp.nn.init.sparse_(tp.empty(10, 4), sparsity=0.3, generator=g)
    assert (np.asarray(s.value) == 0).sum(axis=0).tolist() == [3, 3, 3, 3]
    r = tp.rand(3, 2, generator=g)
    n = tp.randn(3, 2, generator=g)
    e = tp.empty(4).uniform_(2.0, 3.0, generator=g)
    q = tp.empty(4).normal_(generator=g)
    assert [c[0] for c in g.calls] == ["trunc_normal", "normal", "normal", "randperms", "uniform", "normal",
                                      "uniform", "normal"]
    assert r.shape == (3, 2) and n.shape == (3, 2) and float(e.value.min()) >= 2.0 and q.shape == (4,)


def test_layers_draw_from_the_default_generator_in_torch_order():
    g = NumpyGenerator(11)
    with tp.random.default_generator_scope(g):
        m = tp.nn.Linear(5, 3)
    assert g.calls == [("uniform", (3, 5)), ("uniform", (3,))]
    r = np.random.default_rng(11)
    b = 1 / math.sqrt(5)
    np.testing.assert_allclose(np.asarray(m.weight.value), r.uniform(-b, b, (3, 5)).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(m.bias.value), r.uniform(-b, b, (3,)).astype(np.float32), rtol=1e-6)


def test_default_generator_get_set_and_manual_seed():
    g = NumpyGenerator(0)
    old = tp.random.set_default_generator(g)
    try:
        assert tp.random.get_default_generator() is g and tp.default_generator is g
        assert tp.manual_seed(5) is g and tp.initial_seed() == 5 and g.initial_seed() == 5
        assert tp.random.current_generator() is g
    finally:
        assert tp.random.set_default_generator(old) is g
    assert tp.default_generator is old
    with tp.random.default_generator_scope(g) as inside:
        assert inside is g and tp.random.get_default_generator() is g
    assert tp.random.get_default_generator() is old


def test_state_roundtrip_through_the_protocol():
    g = NumpyGenerator(1)
    state = g.get_state()
    a = np.asarray(tp.rand(5, generator=g).value)
    g.set_state(state)
    np.testing.assert_array_equal(np.asarray(tp.rand(5, generator=g).value), a)


@pytest.mark.parametrize("bad", [object(), "cpu", 3, np.random.default_rng(0)])
def test_a_non_generator_is_refused_clearly(bad):
    with pytest.raises(TypeError, match="Expected `generator` to implement torchlike_params.random.GeneratorProtocol"):
        tp.nn.init.normal_(tp.empty(2), generator=bad)
    with pytest.raises(TypeError, match="GeneratorProtocol"):
        tp.random.set_default_generator(bad)


def test_an_untraceable_generator_is_refused_under_a_trace():
    g = NumpyGenerator(0)
    with pytest.raises(RuntimeError, match="baked into the compiled function"):
        jax.jit(lambda: tp.rand(3, generator=g).value)()
    with tp.random.default_generator_scope(g):
        with pytest.raises(RuntimeError, match="baked into the compiled function"):
            jax.jit(lambda: tp.randn(3).value)()


def test_key_stream_state_is_checked():
    with pytest.raises(TypeError, match=r"Expected `state` to be a state from Generator.get_state\(\)"):
        tp.random.Generator().set_state("x")
