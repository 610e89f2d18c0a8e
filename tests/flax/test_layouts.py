"""Golden tests of the layout rules: every rule against the real flax.linen and flax.nnx layer.

One list of specs; each is run through the same checks: the converted variables have exactly
the tree of the Flax layer's own ``init``; ``flax_layer.apply(converted, x)`` equals
``module(x)`` (within 1e-5); the same with ``nnx.update``; converting back gives the module's
state bit for bit. A coverage test fails when a registered rule has no spec.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import flax.linen as fnn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

import torchlike_params as tp
from torchlike_params import flax as tflax
from torchlike_params.flax import _registry

nn = tp.nn
RTOL = ATOL = 1e-5


def cl(x: Any) -> Any:
    """Channels-first (torch) -> channels-last (Flax)."""
    return jnp.moveaxis(jnp.asarray(x), 1, -1)


def cf(y: Any) -> Any:
    return jnp.moveaxis(jnp.asarray(y), -1, 1)


def arr(y: Any) -> np.ndarray:
    return np.asarray(jnp.asarray(y))


@dataclasses.dataclass
class Spec:
    name: str
    make: Callable[[], Any]
    x_shape: tuple
    kind: str = "plain"            # plain | channels | embed | mha | lstmcell | grucell | rnn
    train: bool = False
    nnx_ok: bool = True
    lstm_cell: str = "LSTMCell"


SPECS = [
    Spec("Linear", lambda: nn.Linear(5, 7), (3, 5)),
    Spec("Linear_nobias", lambda: nn.Linear(5, 7, bias=False), (2, 3, 5)),
    Spec("Conv1d", lambda: nn.Conv1d(4, 6, 3, stride=2, padding=1), (2, 4, 9), "channels"),
    Spec("Conv2d_groups_dilation", lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                                                     groups=2), (2, 4, 9, 8), "channels"),
    Spec("Conv2d_same", lambda: nn.Conv2d(3, 5, 4, padding="same", dilation=2, bias=False), (1, 3, 7, 6), "channels"),
    Spec("Conv3d", lambda: nn.Conv3d(2, 4, 3, stride=2, padding=1), (1, 2, 5, 6, 5), "channels"),
    Spec("ConvTranspose1d", lambda: nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1),
         (2, 4, 7), "channels"),
    Spec("ConvTranspose2d_groups", lambda: nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=(1, 0),
                                                              dilation=(1, 2), groups=2), (2, 4, 5, 4), "channels"),
    Spec("ConvTranspose3d", lambda: nn.ConvTranspose3d(2, 4, 3, stride=(2, 1, 3), groups=2), (1, 2, 3, 4, 3),
         "channels"),
    Spec("Embedding", lambda: nn.Embedding(10, 4), (3, 5), "embed"),
    Spec("LayerNorm", lambda: nn.LayerNorm(6), (3, 6)),
    Spec("LayerNorm_2d_nobias", lambda: nn.LayerNorm((4, 5), bias=False), (2, 4, 5)),
    Spec("RMSNorm", lambda: nn.RMSNorm(6), (3, 6)),
    Spec("GroupNorm", lambda: nn.GroupNorm(2, 6, eps=1e-3), (2, 6, 5), "channels"),
    Spec("BatchNorm1d_eval", lambda: nn.BatchNorm1d(6), (8, 6)),
    Spec("BatchNorm1d_train", lambda: nn.BatchNorm1d(6, momentum=0.3), (4, 6, 5), "channels", train=True),
    Spec("BatchNorm2d_train", lambda: nn.BatchNorm2d(4), (3, 4, 5, 5), "channels", train=True),
    Spec("BatchNorm3d_eval", lambda: nn.BatchNorm3d(2, eps=1e-3), (2, 2, 3, 3, 3), "channels"),
    Spec("MultiheadAttention", lambda: nn.MultiheadAttention(8, 2, batch_first=True), (2, 5, 8), "mha"),
    Spec("MultiheadAttention_kdim", lambda: nn.MultiheadAttention(8, 4, kdim=6, vdim=6, batch_first=True),
         (2, 5, 8), "mha"),
    Spec("LSTMCell", lambda: nn.LSTMCell(3, 4), (2, 3), "lstmcell"),
    Spec("LSTMCell_optimized", lambda: nn.LSTMCell(3, 4), (2, 3), "lstmcell", lstm_cell="OptimizedLSTMCell"),
    Spec("GRUCell", lambda: nn.GRUCell(3, 4), (2, 3), "grucell"),
    Spec("LSTM", lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True), (2, 5, 3), "rnn"),
    Spec("GRU", lambda: nn.GRU(3, 4, num_layers=2, batch_first=True), (2, 5, 3), "rnn"),
]
IDS = [s.name for s in SPECS]


def randomize(m: Any, seed: int, *, zero_gru_hn: bool = False) -> dict:
    """Random values for every tensor (so no rule can pass on ones and zeros); loaded into m."""
    rng = np.random.default_rng(seed)
    sd = {}
    for name, v in m.state_dict().items():
        a = np.asarray(v)
        if a.dtype.kind in "iu":
            sd[name] = np.asarray(7, a.dtype)
        elif "running_var" in name:
            sd[name] = rng.uniform(0.5, 1.5, a.shape).astype(a.dtype)
        else:
            sd[name] = rng.standard_normal(a.shape).astype(a.dtype)
        if zero_gru_hn and name.startswith("bias_hh"):
            sd[name][2 * (a.shape[0] // 3):] = 0
    m.load_state_dict(sd)
    return sd


def make(spec: Spec, seed: int = 0, **kw: Any) -> Any:
    m = spec.make()
    randomize(m, seed, **kw)
    m.train(spec.train)
    return m


def inputs(spec: Spec, seed: int = 1) -> tuple:
    rng = np.random.default_rng(seed)
    if spec.kind == "embed":
        return (jnp.asarray(rng.integers(0, 10, spec.x_shape)),)
    x = jnp.asarray(rng.standard_normal(spec.x_shape).astype(np.float32))
    if spec.kind == "mha":
        kv_dim = 6 if "kdim" in spec.name else 8
        kv = jnp.asarray(rng.standard_normal(spec.x_shape[:2] + (kv_dim,)).astype(np.float32))
        return x, kv, kv * 0.5
    if spec.kind in ("lstmcell", "grucell"):
        h = jnp.asarray(rng.standard_normal((spec.x_shape[0], 4)).astype(np.float32))
        c = jnp.asarray(rng.standard_normal((spec.x_shape[0], 4)).astype(np.float32))
        return (x, h, c) if spec.kind == "lstmcell" else (x, h)
    return (x,)


def torch_forward(spec: Spec, m: Any, args: tuple) -> Any:
    """The module's forward, closed over in ``jax.jit`` (training steps through functional_call)."""
    if spec.train:
        state = {k: v for k, v in m.state_dict().items()}
        y, buffers = jax.jit(lambda s, x: tp.functional_call(m, s, (x,), return_buffers=True))(state, args[0])
        m.load_state_dict({**state, **buffers})
        return jnp.asarray(y)
    return jax.jit(lambda *a: _torch_forward(spec, m, a))(*args)


def _torch_forward(spec: Spec, m: Any, args: tuple) -> Any:
    if spec.kind == "mha":
        return m(*args, need_weights=False)[0]
    if spec.kind == "lstmcell":
        x, h, c = args
        return jnp.concatenate(m(x, (h, c)), -1)
    if spec.kind == "grucell":
        return m(*args)
    if spec.kind == "rnn":
        return m(*args)[0]
    return m(*args)


def flax_forward(spec: Spec, call: Callable, args: tuple) -> Any:
    """Run a Flax layer (``call(*flax_args)``) on the torch spec's inputs, output in torch layout."""
    if spec.kind == "channels":
        return cf(call(cl(args[0])))
    if spec.kind == "lstmcell":
        x, h, c = args
        (c1, h1), _ = call((c, h), x)
        return jnp.concatenate([h1, c1], -1)
    if spec.kind == "grucell":
        x, h = args
        return call(h, x)[1]
    return call(*args)


def round_trip_seed(spec: Spec) -> int:
    """Other values, except for recurrent layers: Flax holds ``b_ih + b_hh`` as one bias, and the
    split is recovered bit for bit from a module that holds the same biases
    (``test_rnn_bias_fold_after_training_keeps_the_forward`` covers the other case)."""
    return 0 if spec.kind in ("lstmcell", "grucell", "rnn") else 5


def close(a: Any, b: Any) -> None:
    np.testing.assert_allclose(arr(a), arr(b), rtol=RTOL, atol=ATOL)


def same_state(m: Any, ref: dict) -> None:
    got = m.state_dict()
    assert list(got) == list(ref)
    for k in ref:
        a, b = np.asarray(got[k]), np.asarray(ref[k])
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), k


def shapes(tree: Any) -> Any:
    return jax.tree.map(lambda a: (tuple(a.shape), str(a.dtype)), tree)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_golden(spec: Spec) -> None:
    """The linen layer, then the NNX layer (sharing the module's output where the values agree)."""
    args = inputs(spec)
    y = check_linen(spec, make(spec), args)
    gru = spec.kind == "grucell" or (spec.kind == "rnn" and "GRU" in spec.name)
    check_nnx(spec, make(spec, zero_gru_hn=gru), args, None if spec.train or gru else y, gru)


def check_linen(spec: Spec, m: Any, args: tuple) -> Any:
    before = {k: np.asarray(v) for k, v in m.state_dict().items()}
    v = tflax.to_linen_variables(m)
    layer = tflax.linen_layer(m)
    flax_args = args if spec.kind not in ("channels",) else (cl(args[0]),)
    if spec.kind in ("lstmcell", "grucell"):
        flax_args = (jax.tree.map(jnp.zeros_like, (args[1], args[2]) if spec.kind == "lstmcell" else args[1]),
                     args[0])
    ref_vars = jax.eval_shape(layer.init, jax.random.key(0), *flax_args)     # Flax's own tree
    theirs = {k: ref_vars[k] for k in ref_vars}
    ours = {k: v[k] for k in v if k != "torch_counters"}
    assert shapes(ours) == shapes(theirs)

    if spec.train:
        y_flax, updated = jax.jit(lambda v, x: layer.apply(v, x, mutable=["batch_stats"]))(v, cl(args[0]))
        y_flax = cf(y_flax)
    else:
        y_flax = jax.jit(lambda v, *a: flax_forward(spec, lambda *b: layer.apply(v, *b), a))(v, *args)
    y = torch_forward(spec, m, args)
    close(y_flax, y)

    if spec.train:                  # running statistics after one step
        x = np.asarray(cl(args[0])).reshape(-1, args[0].shape[1])
        n, mom = x.shape[0], m.momentum
        close(updated["batch_stats"]["mean"], m.running_mean.value)
        # Flax averages the biased batch variance, torch the unbiased one: the one documented difference.
        close(updated["batch_stats"]["var"] + mom * x.var(0) / (n - 1), m.running_var.value)
        assert int(m.num_batches_tracked.value) == int(v["torch_counters"]["num_batches_tracked"]) + 1

    # Round trip: into a fresh module with other values, bit for bit.
    m2 = make(spec, seed=round_trip_seed(spec))
    tflax.from_linen_variables(m2, v)
    same_state(m2, before)
    return y


def check_nnx(spec: Spec, m: Any, args: tuple, y: Any, gru: bool) -> None:
    """``m``: with b_hn zeroed for GRUs (flax.nnx.GRUCell has no hidden bias on the n gate)."""
    before = {k: np.asarray(v) for k, v in m.state_dict().items()}
    state = tflax.to_nnx_state(m, lstm_cell=spec.lstm_cell)
    build = lambda: tflax.nnx_layer(m, rngs=nnx.Rngs(0), lstm_cell=spec.lstm_cell)  # noqa: E731
    layer = build() if spec.kind == "rnn" else nnx.eval_shape(build)     # nnx.RNN holds an RNG key
    theirs = nnx.to_pure_dict(nnx.state(layer, nnx.Any(nnx.Param, nnx.BatchStat)))
    ours = nnx.to_pure_dict(state)
    counters = [p for p, var in nnx.to_flat_state(state) if isinstance(var, tflax.TorchCounter)]
    for p in counters:          # counters are extra: compare the rest with Flax's own tree
        node = ours
        for k in p[:-1]:
            node = node[k]
        del node[p[-1]]
    assert shapes(ours) == shapes(theirs)
    nnx.update(layer, state)
    if spec.kind == "mha":
        call = lambda layer, *a: layer(*a, decode=False)  # noqa: E731
    else:
        call = lambda layer, *a: layer(*a)  # noqa: E731
    y_flax = nnx.jit(lambda layer, *a: flax_forward(spec, lambda *b: call(layer, *b), a))(layer, *args)
    y = torch_forward(spec, m, args) if y is None else y
    close(y_flax, y)
    if spec.train:
        close(layer.mean[...], m.running_mean.value)

    m2 = make(spec, seed=round_trip_seed(spec), zero_gru_hn=gru)
    if spec.train:      # the Flax layer's statistics moved: compare with what the module had
        nnx.update(layer, tflax.to_nnx_state(m, lstm_cell=spec.lstm_cell))
        before = {k: np.asarray(v) for k, v in m.state_dict().items()}
    tflax.from_nnx_state(m2, layer, lstm_cell=spec.lstm_cell)
    same_state(m2, before)


def test_every_rule_has_a_spec() -> None:
    covered = {type(s.make()) for s in SPECS}
    keep = {cls for cls, rule in _registry._RULES.items() if rule is tflax.TORCH_LAYOUT}
    missing = sorted(cls.__name__ for cls in set(_registry._RULES) - covered - keep
                     if cls.__module__.startswith("torchlike_params"))
    assert not missing


# -------------------------------------------------------------------------------------------
# A whole model, host arrays, traced use.
# -------------------------------------------------------------------------------------------

def test_nested_names_and_numpy_state_stay_on_host() -> None:
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.ModuleList([nn.BatchNorm1d(4), nn.Embedding(5, 4)]))
    sd = {k: np.asarray(v) for k, v in m.state_dict().items()}
    v = tflax.to_linen_variables(m, sd)
    assert set(v["params"]) == {"0", "2"} and set(v["params"]["2"]) == {"0", "1"}
    assert all(isinstance(a, np.ndarray) for a in jax.tree.leaves(v))
    assert v["params"]["0"]["kernel"].flags.c_contiguous
    back = tflax.linen_variables_to_state(m, v)
    assert all(isinstance(a, np.ndarray) for a in back.values())
    assert all(np.array_equal(back[k], sd[k]) for k in sd)
    s = tflax.to_nnx_state(m)
    assert set(nnx.to_pure_dict(s)) == {0, 2}


def test_conversion_under_jit_on_an_abstract_module() -> None:
    build = lambda: nn.Sequential(nn.Conv2d(3, 4, 3, groups=1), nn.BatchNorm2d(4), nn.LSTMCell(4, 2))  # noqa: E731
    init = tp.compile_init(build)
    skeleton = tp.abstract_module(build)
    state = init(jax.random.key(0))
    v = jax.jit(lambda s: tflax.to_linen_variables(skeleton, dict(s)))(state)
    back = jax.jit(lambda v: tflax.linen_variables_to_state(skeleton, v))(v)
    for k in state:
        if "bias_" not in k:
            assert np.array_equal(np.asarray(back[k]), np.asarray(state[k])), k
    # An abstract module holds no biases to split Flax's folded LSTM bias by: all of it goes to bias_ih.
    np.testing.assert_array_equal(back["2.bias_ih"], np.asarray(state["2.bias_ih"] + state["2.bias_hh"]))
    assert not np.asarray(back["2.bias_hh"]).any()


def test_num_batches_tracked_kept_or_dropped_explicitly() -> None:
    m = nn.BatchNorm1d(3)
    m(jnp.ones((4, 3)))
    v = tflax.to_linen_variables(m)
    assert int(v["torch_counters"]["num_batches_tracked"]) == 1
    dropped = tflax.to_linen_variables(m, num_batches_tracked="drop")
    assert "torch_counters" not in dropped
    m2 = nn.BatchNorm1d(3)
    m2.num_batches_tracked.fill_(9)
    tflax.from_linen_variables(m2, dropped)      # Flax-made variables: the module keeps its count
    assert int(m2.num_batches_tracked) == 9
    with pytest.raises(ValueError, match="Expected `num_batches_tracked` to be 'keep' or 'drop', got 'x'"):
        tflax.to_linen_variables(m, num_batches_tracked="x")


# -------------------------------------------------------------------------------------------
# Errors: each names the path; a failed import leaves the module unchanged.
# -------------------------------------------------------------------------------------------

class Scale(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gain = nn.Parameter(tp.ones(3))

    def forward(self, x: Any) -> Any:
        return x * self.gain


def test_missing_rule_names_the_path() -> None:
    m = nn.Sequential(nn.Linear(2, 3), Scale())
    with pytest.raises(tflax.LayoutError, match=r"No Flax layout rule for `1` \(Scale\), which holds `1.gain`"):
        tflax.to_linen_variables(m)


def test_user_rule() -> None:
    def to_flax(layer, t, ctx):
        return {"params": {"g": t["gain"] * 2}}

    def from_flax(layer, v, ctx):
        return {"gain": ctx.take(v, "params", "g", shape=(3,)) / 2}

    class Scale2(Scale):
        pass

    tflax.register_rule(Scale2, tflax.Rule(to_flax, from_flax, "scale"))
    m = nn.Sequential(Scale2())
    v = tflax.to_linen_variables(m)
    assert v["params"]["0"]["g"].tolist() == [2.0, 2.0, 2.0]
    v["params"]["0"]["g"] = jnp.full(3, 8.0)
    assert tflax.from_linen_variables(m, v)[0].gain.tolist() == [4.0, 4.0, 4.0]
    with pytest.raises(TypeError, match="Expected `rule` to be a torchlike_params.flax.Rule, got function"):
        tflax.register_rule(Scale2, to_flax)


def model() -> Any:
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 2))


def test_shape_mismatch_unknown_and_missing_keys_leave_module_unchanged() -> None:
    m = model()
    before = {k: np.asarray(v) for k, v in m.state_dict().items()}
    good = tflax.to_linen_variables(m)

    bad = jax.tree.map(lambda a: a, good)
    bad["params"]["3"]["kernel"] = jnp.zeros((2, 4))
    with pytest.raises(tflax.LayoutError, match=r"Expected `params/3/kernel` to have shape \(4, 2\), got \(2, 4\)"):
        tflax.from_linen_variables(m, bad)

    bad = jax.tree.map(lambda a: a + 1, good)
    bad["params"]["0"]["extra"] = jnp.zeros(2)
    with pytest.raises(tflax.LayoutError, match="Unexpected key.*`params/0/extra`"):
        tflax.from_linen_variables(m, bad)

    bad = jax.tree.map(lambda a: a + 1, good)
    bad["params"]["9"] = {"kernel": jnp.zeros(2)}
    with pytest.raises(tflax.LayoutError, match="Unexpected key.*`params/9/kernel`"):
        tflax.from_linen_variables(m, bad)

    bad = jax.tree.map(lambda a: a + 1, good)
    del bad["batch_stats"]["1"]["var"]
    with pytest.raises(tflax.LayoutError, match="Missing key `batch_stats/1/var`"):
        tflax.from_linen_variables(m, bad)

    with pytest.raises(tflax.LayoutError, match=r"Unexpected collection\(s\) \['cache'\]"):
        tflax.from_linen_variables(m, {**good, "cache": {}})
    with pytest.raises(tflax.LayoutError, match="Unexpected key.*'9.weight'"):
        tflax.to_linen_variables(m, {**m.state_dict(), "9.weight": np.zeros(2)})
    same_state(m, before)


def test_values_that_flax_can_hold_but_torch_cannot() -> None:
    m = nn.ConvTranspose2d(4, 6, 3, groups=2)
    v = tflax.to_linen_variables(m)
    v["params"]["kernel"] = v["params"]["kernel"].at[0, 0, 0, 3].set(1.0)     # off the group blocks
    with pytest.raises(tflax.LayoutError, match="Expected `params/kernel` to be block-diagonal over groups=2"):
        tflax.from_linen_variables(m, v)
    with pytest.raises(tflax.LayoutError, match=r"flax.nnx.GRUCell has no hidden-side bias for the n gate"):
        tflax.to_nnx_state(nn.GRUCell(2, 3))
    with pytest.raises(tflax.LayoutError, match="add_bias_kv=True or add_zero_attn=True has no Flax twin"):
        tflax.to_linen_variables(nn.MultiheadAttention(4, 2, add_bias_kv=True))
    with pytest.raises(tflax.LayoutError, match="momentum=None"):
        tflax.linen_layer(nn.BatchNorm1d(3, momentum=None))


def test_rnn_bias_fold_after_training_keeps_the_forward() -> None:
    m = nn.LSTMCell(3, 4)
    v = tflax.to_linen_variables(m)
    v["params"]["hi"]["bias"] = v["params"]["hi"]["bias"] + 1.0       # trained in Flax
    x = jnp.ones((2, 3))
    y_flax = tflax.linen_layer(m).apply(v, (jnp.zeros((2, 4)), jnp.zeros((2, 4))), x)[1]
    tflax.from_linen_variables(m, v)
    close(m(x)[0], y_flax)
    assert float(abs(m.bias_hh.value[:4]).max()) == 0.0     # moved into bias_ih


def test_torch_layout_layers_keep_names() -> None:
    m = nn.Sequential(nn.PReLU(), nn.Bilinear(2, 3, 4), nn.InstanceNorm1d(3, affine=True, track_running_stats=True))
    v = tflax.to_linen_variables(m)
    assert shapes(v)["params"]["1"] == {"weight": ((4, 2, 3), "float32"), "bias": ((4,), "float32")}
    assert set(v["batch_stats"]["2"]) == {"running_mean", "running_var", "num_batches_tracked"}
    m2 = nn.Sequential(nn.PReLU(), nn.Bilinear(2, 3, 4), nn.InstanceNorm1d(3, affine=True, track_running_stats=True))
    tflax.from_linen_variables(m2, v)
    same_state(m2, {k: np.asarray(a) for k, a in m.state_dict().items()})
