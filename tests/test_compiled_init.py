"""Compiled init: jit, eval_shape (a Llama-7B-shaped definition) and sharded init."""

import math
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike_params as tp


def build_mlp():
    net = tp.nn.Sequential(tp.nn.Linear(16, 64), tp.nn.ReLU(), tp.nn.Linear(64, 32), tp.nn.Tanh(),
                           tp.nn.Linear(32, 8))

    def weights_init(m):
        if isinstance(m, tp.nn.Linear):
            tp.nn.init.trunc_normal_(m.weight, std=0.02)
            m.bias.data.fill_(0.1)

    return net.apply(weights_init)


def test_jit_equals_eager_for_the_same_key():
    init = tp.compile_init(build_mlp)
    key = jax.random.key(42)
    eager, jitted = init(key), jax.jit(init)(key)
    assert list(eager) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    for k in eager:
        np.testing.assert_array_equal(np.asarray(eager[k]), np.asarray(jitted[k]))
    other = init(jax.random.key(43))
    assert not np.array_equal(np.asarray(other["0.weight"]), np.asarray(eager["0.weight"]))
    assert float(jnp.abs(eager["0.weight"]).max()) <= 2.0 and float(eager["0.bias"][0]) == pytest.approx(0.1)


def test_default_generator_inside_jit_is_an_error():
    with pytest.raises(RuntimeError, match="key_scope"):
        jax.jit(lambda: tp.nn.Linear(2, 2).weight.value)()


def test_nested_output_and_functional_call_with_abstract_skeleton():
    init = tp.compile_init(build_mlp, nested=True)
    tree = jax.jit(init)(jax.random.key(0))
    assert list(tree["params"]) == ["0", "2", "4"]
    skeleton = tp.abstract_module(build_mlp)
    assert isinstance(skeleton[0].weight.value, jax.ShapeDtypeStruct)
    out = jax.jit(lambda s, x: tp.functional_call(skeleton, s, (x,)))(tree, jnp.ones((3, 16)))
    assert out.shape == (3, 8)
    eager = build_mlp()
    eager.load_state_dict(tp.from_nested(tree))
    np.testing.assert_allclose(np.asarray(eager(jnp.ones((3, 16)))), np.asarray(out), rtol=1e-6)


class Block(tp.nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.q_proj = tp.nn.Linear(d, d, bias=False)
        self.k_proj = tp.nn.Linear(d, d, bias=False)
        self.v_proj = tp.nn.Linear(d, d, bias=False)
        self.o_proj = tp.nn.Linear(d, d, bias=False)
        self.gate_proj = tp.nn.Linear(d, hidden, bias=False)
        self.up_proj = tp.nn.Linear(d, hidden, bias=False)
        self.down_proj = tp.nn.Linear(hidden, d, bias=False)
        self.input_layernorm = tp.nn.Parameter(tp.ones(d))
        self.post_attention_layernorm = tp.nn.Parameter(tp.ones(d))


class Llama(tp.nn.Module):
    def __init__(self, vocab=32000, d=4096, hidden=11008, layers=32):
        super().__init__()
        self.embed_tokens = tp.nn.Parameter(tp.empty(vocab, d))
        tp.nn.init.normal_(self.embed_tokens, std=0.02)
        self.layers = tp.nn.ModuleList([Block(d, hidden) for _ in range(layers)])
        self.norm = tp.nn.Parameter(tp.ones(d))
        self.lm_head = tp.nn.Linear(d, vocab, bias=False)


def test_eval_shape_of_llama_7b_without_memory():
    shapes = jax.eval_shape(tp.compile_init(Llama), jax.random.key(0))
    assert len(shapes) == 2 + 32 * 9 + 1
    assert shapes["layers.31.gate_proj.weight"].shape == (11008, 4096)
    assert sum(math.prod(s.shape) for s in shapes.values()) == 6_738_415_616
    assert all(isinstance(s, jax.ShapeDtypeStruct) for s in shapes.values())   # nothing was allocated


SHARDED = textwrap.dedent("""
    import os
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=8"
    import jax, jax.numpy as jnp, numpy as np
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    import torchlike_params as tp

    def build():
        return tp.nn.Sequential(tp.nn.Linear(64, 256), tp.nn.ReLU(), tp.nn.Linear(256, 128))

    init = tp.compile_init(build)
    key = jax.random.key(7)
    reference = init(key)
    mesh = Mesh(np.array(jax.devices()).reshape(8), ("x",))
    # compile_init returns an OrderedDict (torch's key order), so build out_shardings with a tree map
    shardings = jax.tree.map(lambda v: NamedSharding(mesh, P("x", *([None] * (v.ndim - 1)))), reference)
    sharded = jax.jit(init, out_shardings=shardings)(key)
    assert len(jax.devices()) == 8
    for k, v in sharded.items():
        shards = v.addressable_shards
        assert len(shards) == 8, k
        assert {s.data.shape for s in shards} == {(v.shape[0] // 8,) + v.shape[1:]}, k
        assert len({s.device for s in shards}) == 8, k
        np.testing.assert_array_equal(np.asarray(v), np.asarray(reference[k]))
    print("SHARDED-OK")
""")


def test_sharded_init_places_shards_and_matches_unsharded():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8")
    res = subprocess.run([sys.executable, "-c", SHARDED], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "SHARDED-OK" in res.stdout
