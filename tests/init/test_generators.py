"""Generators: seeding (vs torch's rules), reproducibility, the key= path, eager/jit/chunked equality,
thread safety and the tracing guard."""

import threading

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp
from torchlike_params.random import _default as _generator


def _outcome(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - compared with torch's exception
        return (type(e).__name__, str(e))


def test_manual_seed_returns_default_generator():
    g = tp.manual_seed(0)
    assert g is tp.default_generator
    assert isinstance(g, tp.Generator)
    assert (torch.manual_seed(0) is torch.default_generator) is (g is tp.default_generator)


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1, 2**32, 2**63 - 1, 2**64 - 1, -1, -2, -2**63, 67280421310721])
def test_initial_seed_like_torch(seed):
    torch.manual_seed(seed)
    tp.manual_seed(seed)
    assert tp.initial_seed() == torch.initial_seed()
    assert tp.default_generator.initial_seed() == torch.default_generator.initial_seed()
    g, tg = tp.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    assert g.initial_seed() == tg.initial_seed()


@pytest.mark.parametrize("seed", [2**64, -2**63 - 1, 2**100, -2**64])
def test_seed_out_of_range_same_error(seed):
    theirs = _outcome(lambda: torch.manual_seed(seed))
    assert theirs[0] == "ValueError"
    assert _outcome(lambda: tp.manual_seed(seed)) == theirs
    assert _outcome(lambda: tp.Generator().manual_seed(seed)) == _outcome(lambda: torch.Generator().manual_seed(seed))


def test_default_generator_seed_like_torch():
    assert tp.Generator().initial_seed() == torch.Generator().initial_seed()


def _draw(gen=None):
    w = tp.empty(4, 6)
    tp.nn.init.kaiming_uniform_(w, generator=gen)
    n = tp.empty(5)
    tp.nn.init.normal_(n, generator=gen)
    return np.concatenate([np.asarray(w).ravel(), np.asarray(n)])


def test_same_seed_same_values_different_seed_different():
    tp.manual_seed(7)
    a = _draw()
    tp.manual_seed(7)
    b = _draw()
    tp.manual_seed(8)
    c = _draw()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # successive draws differ
    tp.manual_seed(7)
    assert not np.array_equal(_draw(), _draw())


def test_generator_independent_of_default():
    g = tp.Generator().manual_seed(3)
    tp.manual_seed(100)
    a = _draw(g)
    state = tp.default_generator.get_state()
    g2 = tp.Generator().manual_seed(3)
    tp.manual_seed(999)
    _ = _draw()                     # consuming the default changes nothing for g2
    b = _draw(g2)
    np.testing.assert_array_equal(a, b)
    tp.manual_seed(100)
    assert tp.default_generator.get_state() == state
    assert not np.array_equal(a, _draw())     # the default seeded 100 differs from g seeded 3 ... 
    tp.manual_seed(3)
    # ... and the default seeded 3 equals a Generator seeded 3 (same backend, same rule)
    np.testing.assert_array_equal(_draw(), a)


def test_generator_state_roundtrip():
    g = tp.Generator().manual_seed(11)
    _draw(g)
    st = g.get_state()
    a = _draw(g)
    g.set_state(st)
    np.testing.assert_array_equal(_draw(g), a)


def test_torch_generator_argument_style():
    # torch accepts generator= positionally after the hyper-parameters; ours too
    g1, g2 = tp.Generator().manual_seed(5), tp.Generator().manual_seed(5)
    a = tp.nn.init.uniform_(tp.empty(3, 4), -1.0, 1.0, g1)
    b = tp.nn.init.uniform_(tp.empty(3, 4), a=-1.0, b=1.0, generator=g2)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    torch.nn.init.uniform_(torch.empty(3, 4), -1.0, 1.0, torch.Generator())   # the same call shape works in torch


def test_generator_type_checked():
    with pytest.raises(TypeError, match="Generator"):
        tp.nn.init.uniform_(tp.empty(3), generator=torch.Generator())
    with pytest.raises(ValueError, match="at most one"):
        tp.nn.init.uniform_(tp.empty(3), generator=tp.Generator(), key=jax.random.key(0))


# -- key= equals the pure face ---------------------------------------------------------------------

KEY_CASES = [
    ("uniform_", dict(a=-0.5, b=2.0), (7, 9)), ("normal_", dict(mean=0.5, std=3.0), (6, 5, 3)),
    ("xavier_uniform_", dict(gain=2.0), (8, 4)), ("xavier_normal_", {}, (4, 3, 2, 2)),
    ("kaiming_uniform_", dict(a=5 ** 0.5), (16, 8)), ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu"), (5, 3, 3)),
    ("trunc_normal_", dict(std=0.02), (30, 20)), ("trunc_normal_", dict(mean=0.0, std=1.0, a=2.0, b=4.0), (40, 10)),
    ("orthogonal_", dict(gain=1.5), (6, 10)), ("orthogonal_", {}, (10, 2, 2)),
    ("sparse_", dict(sparsity=0.3, std=0.1), (20, 7)),
]


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
@pytest.mark.parametrize("name,kw,shape", KEY_CASES, ids=[f"{c[0]}{c[2]}" for c in KEY_CASES])
def test_key_path_equals_pure_face(name, kw, shape, dtype):
    k = jax.random.key(1234)
    w = tp.empty(shape, dtype=getattr(tp, dtype))
    before = tp.default_generator.get_state()
    assert getattr(tp.nn.init, name)(w, key=k, **kw) is w
    assert tp.default_generator.get_state() == before       # key= does not touch the default generator
    pure = getattr(tp.initializers, name.rstrip("_"))(k, w.shape, w.dtype, **kw)
    assert pure.dtype == w.dtype and pure.shape == tuple(w.shape)
    np.testing.assert_array_equal(np.asarray(w.value.astype(jnp.float32)), np.asarray(pure.astype(jnp.float32)))
    # a different key gives different values
    other = getattr(tp.initializers, name.rstrip("_"))(jax.random.key(1235), w.shape, w.dtype, **kw)
    assert not np.array_equal(np.asarray(other.astype(jnp.float32)), np.asarray(pure.astype(jnp.float32)))


def test_key_path_raw_key_data():
    k = jax.random.key(5)
    a = tp.nn.init.uniform_(tp.empty(4, 4), key=k)
    b = tp.nn.init.uniform_(tp.empty(4, 4), key=jax.random.key_data(k))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# -- eager (host-chunked on CPU) == jit == key_scope ------------------------------------------------

EAGER_SHAPES = [(3,), (768,), (4096,), (4097,), (5000,), (65536,), (70000,), (1100000,), (300, 7), (64, 33, 3)]


def _requests(g, shape, dtype):
    """Every request kind, both truncated-normal branches included, materialized."""
    return [tp.random.materialize(x) for x in (
        g.uniform(shape, dtype, -2.0, 3.0), g.normal(shape, dtype, 0.5, 2.0), g.uniform(shape, dtype, 0.0, 1.0),
        g.trunc_normal(shape, dtype, 0.0, 0.02, -0.04, 0.04), g.trunc_normal(shape, dtype, 0.5, 1.0, 0.0, 0.2))]


@pytest.mark.parametrize("shape", EAGER_SHAPES, ids=str)
def test_eager_chunked_equals_jit(shape):
    k = jax.random.key(77)
    g = tp.Generator.from_key(k)
    assert g._eager("float32")                  # this is the eager executor's path on CPU
    eager = _requests(g, shape, "float32")

    @jax.jit
    def traced(key):
        with tp.key_scope(key) as sg:
            return _requests(sg, shape, "float32")

    jitted = traced(k)
    for e, j in zip(eager, jitted):
        assert e.shape == shape and e.dtype == jnp.float32
        np.testing.assert_array_equal(np.asarray(e), np.asarray(j))
    # the requests are independent draws
    assert not np.array_equal(np.asarray(eager[0]), np.asarray(eager[2]))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("shape", [(5000,), (70000,), (300, 7)], ids=str)
def test_eager_chunked_equals_jit_low_precision(shape, dtype):
    k = jax.random.key(78)
    eager = _requests(tp.Generator.from_key(k), shape, dtype)

    @jax.jit
    def traced(key):
        with tp.key_scope(key) as sg:
            return _requests(sg, shape, dtype)

    for e, j in zip(eager, traced(k)):
        assert e.dtype == jnp.dtype(dtype)
        np.testing.assert_array_equal(np.asarray(e.astype(jnp.float32)), np.asarray(j.astype(jnp.float32)))


def test_seeded_generator_eager_equals_key_scope_jit():
    """A seeded Generator's eager chunked draws equal the same stream traced from its key."""
    g = tp.Generator().manual_seed(2024)
    eager = [np.asarray(tp.nn.init.kaiming_uniform_(tp.empty(70, 30), generator=g)),
             np.asarray(tp.nn.init.normal_(tp.empty(5000), generator=g))]
    root = tp.Generator().manual_seed(2024)._key

    @jax.jit
    def traced(key):
        with tp.key_scope(key):
            a = tp.nn.init.kaiming_uniform_(tp.empty(70, 30)).value
            b = tp.nn.init.normal_(tp.empty(5000)).value
        return a, b

    for e, j in zip(eager, traced(root)):
        np.testing.assert_array_equal(e, np.asarray(j))


def test_key_scope_under_jit_equals_eager_with_same_key():
    k = jax.random.key(9)

    def build():
        w = tp.empty(12, 5)
        tp.nn.init.kaiming_uniform_(w, a=5 ** 0.5)
        b = tp.empty(12)
        tp.nn.init.uniform_(b, -0.1, 0.1)
        t = tp.nn.init.trunc_normal_(tp.empty(6, 6), std=0.02)
        o = tp.nn.init.orthogonal_(tp.empty(4, 6))
        s = tp.nn.init.sparse_(tp.empty(10, 3), 0.2)
        return [x.value for x in (w, b, t, o, s)]

    with tp.key_scope(k):
        eager = build()
    jitted = jax.jit(lambda key: _scoped(build, key))(k)
    for e, j in zip(eager, jitted):
        np.testing.assert_array_equal(np.asarray(e), np.asarray(j))
    # the scope ends with the block
    assert tp.current_generator() is tp.default_generator


def _scoped(fn, key):
    with tp.key_scope(key):
        return fn()


def test_key_scope_nesting_and_threads():
    k1, k2 = jax.random.key(1), jax.random.key(2)
    with tp.key_scope(k1) as g1:
        assert tp.current_generator() is g1
        with tp.key_scope(k2) as g2:
            assert tp.current_generator() is g2
            seen = []
            t = threading.Thread(target=lambda: seen.append(tp.current_generator()))
            t.start()
            t.join()
            assert seen == [tp.default_generator]      # scopes are per thread
        assert tp.current_generator() is g1
    assert tp.current_generator() is tp.default_generator


def test_default_generator_inside_jit_raises():
    def f(x):
        w = tp.empty(3, 4)
        tp.nn.init.kaiming_uniform_(w)
        return w.value + x

    with pytest.raises(RuntimeError, match="key_scope") as info:
        jax.jit(f)(1.0)
    assert "tracing" in str(info.value)
    g = tp.Generator().manual_seed(0)
    with pytest.raises(RuntimeError, match="key_scope"):
        jax.jit(lambda x: tp.empty(3).normal_(generator=g).value + x)(1.0)
    # the failed attempt consumed nothing
    assert g.get_state() == (0, 0)


def test_key_inside_jit_works():
    k = jax.random.key(3)
    out = jax.jit(lambda key: tp.nn.init.xavier_uniform_(tp.empty(5, 7), key=key).value)(k)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(tp.initializers.xavier_uniform(k, (5, 7))))


def test_next_key_thread_safety():
    g = tp.Generator().manual_seed(0)
    results = [[] for _ in range(8)]
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait()
        for _ in range(200):
            results[i].append(g.next_key())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = [tuple(np.asarray(jax.random.key_data(k)).tolist()) for r in results for k in r]
    assert len(data) == 1600
    assert len(set(data)) == 1600
    assert g.get_state() == (0, 1600)
    # they are exactly the keys 0..1599 of the stream
    expected = {tuple(np.asarray(jax.random.key_data(jax.random.fold_in(g._key, i))).tolist()) for i in range(1600)}
    assert set(data) == expected


def test_threads_filling_in_parallel_get_distinct_draws():
    g = tp.Generator().manual_seed(1)
    out = [None] * 4

    def work(i):
        out[i] = np.asarray(tp.nn.init.uniform_(tp.empty(1000), generator=g))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({o.tobytes() for o in out}) == 4


def test_rand_randn_use_generators():
    g1, g2 = tp.Generator().manual_seed(4), tp.Generator().manual_seed(4)
    np.testing.assert_array_equal(np.asarray(tp.rand(3, 4, generator=g1)), np.asarray(tp.rand(3, 4, generator=g2)))
    tp.manual_seed(4)
    a = np.asarray(tp.randn(6))
    tp.manual_seed(4)
    np.testing.assert_array_equal(a, np.asarray(tp.randn(6)))


def test_seed_returns_seed():
    s = tp.seed()
    assert tp.initial_seed() == s
    assert isinstance(torch.seed(), int) and isinstance(s, int)


def test_from_key_has_no_integer_seed():
    g = tp.Generator.from_key(jax.random.key(0))
    with pytest.raises(RuntimeError):
        g.initial_seed()
    assert isinstance(_generator.current_generator(), tp.Generator)
