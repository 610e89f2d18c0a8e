"""The bridges: a torch-style module inside a flax.linen and a flax.nnx model."""

from __future__ import annotations

from typing import Any

import flax.linen as fnn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

import torchlike_params as tp
from torchlike_params import flax as tflax

nn = tp.nn


def block() -> Any:
    return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.25), nn.Linear(8, 6))


def no_dropout_block() -> Any:
    return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 6))


class LinenModel(fnn.Module):
    layout: str = "torch"

    @fnn.compact
    def __call__(self, x: Any, train: bool = False) -> Any:
        x = fnn.Dense(6)(x)
        x = tflax.TorchModule(block, layout=self.layout, name="torch_block")(x, train=train)
        return fnn.Dense(1)(x)


def data() -> tuple:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    return jnp.asarray(x), jnp.asarray(x.sum(1, keepdims=True) ** 2)


@pytest.mark.parametrize("layout", ["torch", "flax"])
def test_linen_model_trains_with_optax(layout: str) -> None:
    model = LinenModel(layout)
    x, y = data()
    v = model.init({"params": jax.random.key(0)}, x)
    names = set(v["params"]["torch_block"]["0"])
    assert names == ({"weight", "bias"} if layout == "torch" else {"kernel", "bias"})
    stats = v["batch_stats"]["torch_block"]
    assert set(stats["1"]) == ({"running_mean", "running_var", "num_batches_tracked"} if layout == "torch"
                               else {"mean", "var", "num_batches_tracked"})
    opt = optax.adam(1e-2)
    params, batch_stats = v["params"], v["batch_stats"]
    opt_state = opt.init(params)

    @jax.jit
    def step(params: Any, batch_stats: Any, opt_state: Any, key: jax.Array) -> tuple:
        def loss_fn(p: Any) -> tuple:
            pred, upd = model.apply({"params": p, "batch_stats": batch_stats}, x, train=True,
                                    rngs={"dropout": key}, mutable=["batch_stats"])
            return jnp.mean((pred - y) ** 2), upd["batch_stats"]
        (loss, new_stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt_state = opt.update(grads, opt_state)
        return optax.apply_updates(params, updates), new_stats, opt_state, loss

    eval_loss = lambda p, s: jnp.mean((model.apply({"params": p, "batch_stats": s}, x) - y) ** 2)  # noqa: E731
    first = float(eval_loss(params, batch_stats))
    for i in range(8):
        params, batch_stats, opt_state, _ = step(params, batch_stats, opt_state, jax.random.key(i))
    assert float(eval_loss(params, batch_stats)) < first
    assert int(batch_stats["torch_block"]["1"]["num_batches_tracked"]) == 8


def test_linen_dropout_draws_from_the_dropout_rng() -> None:
    layer = tflax.TorchModule(block)
    x = jnp.asarray(np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32))
    v = layer.init(jax.random.key(0), x)
    run = jax.jit(lambda k: layer.apply(v, x, train=True, rngs={"dropout": k}, mutable=["batch_stats"])[0])
    a, b, c = run(jax.random.key(1)), run(jax.random.key(1)), run(jax.random.key(2))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # without train, no RNG is needed and dropout is off: eval equals the plain module in eval
    m = block()
    m.load_state_dict(tp.from_nested({"params": v["params"], "buffers": v["batch_stats"]}))
    np.testing.assert_allclose(layer.apply(v, x), jnp.asarray(m.eval()(x)), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("layout", ["torch", "flax"])
def test_linen_bridge_equals_the_plain_module(layout: str) -> None:
    layer = tflax.TorchModule(no_dropout_block, layout=layout)
    x = jnp.asarray(np.random.default_rng(1).standard_normal((5, 6)).astype(np.float32))
    v = layer.init(jax.random.key(3), x)
    m = no_dropout_block()
    if layout == "torch":
        m.load_state_dict(tp.from_nested({"params": v["params"], "buffers": v["batch_stats"]}))
    else:
        stats = {"1": dict(v["batch_stats"]["1"])}
        counter = stats["1"].pop("num_batches_tracked")
        tflax.from_linen_variables(m, {"params": v["params"], "batch_stats": stats,
                                       "torch_counters": {"1": {"num_batches_tracked": counter}}})
        ref = tflax.to_linen_variables(m)
        assert jax.tree.structure(ref["params"]) == jax.tree.structure(v["params"])
    y, upd = layer.apply(v, x, train=True, mutable=["batch_stats"])
    np.testing.assert_allclose(y, jnp.asarray(m.train()(x)), rtol=1e-5, atol=1e-6)
    mean = upd["batch_stats"]["1"]["running_mean" if layout == "torch" else "mean"]
    np.testing.assert_allclose(mean, m[1].running_mean.value, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(layer.apply(v, x), jnp.asarray(no_dropout_block_eval(v, layout, x)), rtol=1e-5,
                               atol=1e-6)


def no_dropout_block_eval(v: Any, layout: str, x: Any) -> Any:
    m = no_dropout_block().eval()
    if layout == "torch":
        m.load_state_dict(tp.from_nested({"params": v["params"], "buffers": v["batch_stats"]}))
    else:
        stats = {"1": dict(v["batch_stats"]["1"])}
        counter = stats["1"].pop("num_batches_tracked")
        tflax.from_linen_variables(m, {"params": v["params"], "batch_stats": stats,
                                       "torch_counters": {"1": {"num_batches_tracked": counter}}})
    return m(x)


def test_linen_eval_shape_allocates_nothing() -> None:
    model = LinenModel()
    shapes = jax.eval_shape(lambda k: model.init(k, jnp.ones((2, 4))), jax.random.key(0))
    assert shapes["params"]["torch_block"]["0"]["weight"].shape == (8, 6)
    assert isinstance(shapes["params"]["torch_block"]["0"]["weight"], jax.ShapeDtypeStruct)


class NNXModel(nnx.Module):
    def __init__(self, rngs: nnx.Rngs, layout: str = "torch") -> None:
        self.inp = nnx.Linear(4, 6, rngs=rngs)
        self.block = tflax.NNXTorchModule(block, rngs=rngs, layout=layout)
        self.out = nnx.Linear(6, 1, rngs=rngs)

    def __call__(self, x: Any) -> Any:
        return self.out(self.block(self.inp(x)))


@pytest.mark.parametrize("layout", ["torch", "flax"])
def test_nnx_model_trains_under_nnx_jit(layout: str) -> None:
    model = NNXModel(nnx.Rngs(params=0, dropout=1), layout)
    x, y = data()
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)

    @nnx.jit
    def step(model: NNXModel, optimizer: Any) -> Any:
        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)
        optimizer.update(model, grads)
        return loss

    model.eval()
    first = float(jnp.mean((model(x) - y) ** 2))
    model.train()
    for _ in range(8):
        step(model, optimizer)
    model.eval()
    assert float(jnp.mean((model(x) - y) ** 2)) < first
    stats = nnx.state(model, nnx.BatchStat)
    counter = stats["block"]["batch_stats"]["1" if layout == "torch" else 1]["num_batches_tracked"]
    assert int(counter[...]) == 8
    params = nnx.state(model, nnx.Param)
    assert "batch_stats" not in params["block"]

    graphdef, p, rest = nnx.split(model, nnx.Param, ...)
    clone = nnx.merge(graphdef, p, rest)
    np.testing.assert_array_equal(clone(x), model(x))


def test_nnx_bridge_equals_the_plain_module_and_eval_shape() -> None:
    bridge = tflax.NNXTorchModule(no_dropout_block, rngs=nnx.Rngs(0))
    x = jnp.asarray(np.random.default_rng(1).standard_normal((5, 6)).astype(np.float32))
    m = no_dropout_block()
    flat = tp.from_nested({"params": nnx.to_pure_dict(nnx.state(bridge, nnx.Param))["params"],
                           "buffers": nnx.to_pure_dict(nnx.state(bridge, nnx.BatchStat))["batch_stats"]})
    m.load_state_dict(flat)
    y = nnx.jit(lambda b, x: b(x))(bridge, x)              # training mode, as torch's default
    np.testing.assert_allclose(y, jnp.asarray(m(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bridge.batch_stats["1"]["running_var"][...], m[1].running_var.value, rtol=1e-6)
    bridge.eval()
    np.testing.assert_allclose(bridge(x), jnp.asarray(m.eval()(x)), rtol=1e-5, atol=1e-6)

    abstract = nnx.eval_shape(lambda: NNXModel(nnx.Rngs(0)))
    w = abstract.block.params["0"]["weight"]
    assert isinstance(w.get_value(), jax.ShapeDtypeStruct) and w.shape == (8, 6)


def test_bridge_errors() -> None:
    with pytest.raises(ValueError, match="Expected `layout` to be 'torch' or 'flax', got 'x'"):
        tflax.NNXTorchModule(block, rngs=nnx.Rngs(0), layout="x")
    with pytest.raises(TypeError, match="Expected `builder` to be a callable"):
        tflax.NNXTorchModule(3, rngs=nnx.Rngs(0))
