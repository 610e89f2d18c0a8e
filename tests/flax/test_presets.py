"""torchlike_params.flax: torch's default init on real flax.linen / flax.nnx layers, checked against torch 2.13."""

from __future__ import annotations

import functools
import math
import subprocess
import sys

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from flax import nnx
from scipy import stats

from torchlike_params import initializers as tinit
from torchlike_params import flax as tflax
from torchlike_params.flax import linen as tnn
from torchlike_params.flax import nnx as tnnx

P_MIN = 1e-3
N_MIN = 50_000


# ---------------------------------------------------------------------------------------------
# One case per layer family: the torch layer, the Flax input (channels-last), the preset
# builders, and how a torch weight maps onto the Flax kernel.
# ---------------------------------------------------------------------------------------------

CASES = {
    # name: (torch ctor, flax input shape, linen ctor, nnx ctor, torch weight -> Flax kernel permute)
    "linear": (lambda: torch.nn.Linear(100, 500), (1, 100),
               lambda: tnn.Dense(500), lambda r: tnnx.Linear(100, 500, rngs=r), (1, 0)),
    "conv2d": (lambda: torch.nn.Conv2d(12, 500, 3), (1, 5, 5, 12),
               lambda: tnn.Conv(500, (3, 3)), lambda r: tnnx.Conv(12, 500, (3, 3), rngs=r), (2, 3, 1, 0)),
    "conv2d_groups": (lambda: torch.nn.Conv2d(16, 500, (3, 2), groups=4), (1, 5, 5, 16),
                      lambda: tnn.Conv(500, (3, 2), feature_group_count=4),
                      lambda r: tnnx.Conv(16, 500, (3, 2), feature_group_count=4, rngs=r), (2, 3, 1, 0)),
    "conv_transpose2d": (lambda: torch.nn.ConvTranspose2d(40, 500, 3), (1, 4, 4, 40),
                         lambda: tnn.ConvTranspose(500, (3, 3)),
                         lambda r: tnnx.ConvTranspose(40, 500, (3, 3), rngs=r), (2, 3, 0, 1)),
    "conv_transpose2d_tk": (lambda: torch.nn.ConvTranspose2d(40, 500, (2, 3)), (1, 4, 4, 40),
                            lambda: tnn.ConvTranspose(500, (2, 3), transpose_kernel=True),
                            lambda r: tnnx.ConvTranspose(40, 500, (2, 3), transpose_kernel=True, rngs=r),
                            (2, 3, 1, 0)),
}
SEEDS = 100   # bias: 500 per layer x 100 seeds = 50k samples


@functools.lru_cache(maxsize=None)
def torch_pool(case: str) -> dict[str, np.ndarray]:
    """Weights (in torch layout) and biases of torch's own layer over seeds 0..SEEDS-1."""
    ctor = CASES[case][0]
    weights, biases = [], []
    for seed in range(SEEDS):
        torch.manual_seed(seed)
        layer = ctor()
        weights.append(layer.weight.detach().numpy().copy())
        biases.append(layer.bias.detach().numpy().copy())
    return {"weight": np.stack(weights), "bias": np.stack(biases)}


def _linen_params(case: str, keys: jax.Array) -> dict[str, jax.Array]:
    _, x_shape, linen_ctor, _, _ = CASES[case]
    layer = linen_ctor()
    x = jnp.ones(x_shape)
    return jax.jit(jax.vmap(lambda k: layer.init(k, x)["params"]))(keys)


def _nnx_params(case: str, keys: jax.Array) -> dict[str, jax.Array]:
    nnx_ctor = CASES[case][3]
    build = lambda k: nnx.to_pure_dict(nnx.state(nnx_ctor(nnx.Rngs(params=k)), nnx.Param))
    return jax.jit(jax.vmap(build))(keys)


FLAX_POOLS = {"linen": _linen_params, "nnx": _nnx_params}


@functools.lru_cache(maxsize=None)
def flax_pool(api: str, case: str) -> dict[str, np.ndarray]:
    keys = jax.random.split(jax.random.key(1234), SEEDS)
    return {k: np.asarray(v) for k, v in FLAX_POOLS[api](case, keys).items()}


def ks(flax_values: np.ndarray, torch_values: np.ndarray) -> float:
    a, b = np.ravel(flax_values), np.ravel(torch_values)
    assert a.size >= N_MIN and b.size >= N_MIN
    p = stats.ks_2samp(a, b).pvalue
    print(f"KS p={p:.3g} (n={a.size})")
    return p


def torch_fan_in(weight: torch.Tensor) -> int:
    return torch.nn.init._calculate_fan_in_and_fan_out(weight)[0]


# ---------------------------------------------------------------------------------------------
# Distributions of real preset layers against real torch layers
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("api", ["linen", "nnx"])
@pytest.mark.parametrize("case", list(CASES))
def test_kernel_and_bias_match_torch_distribution(api: str, case: str) -> None:
    tp, fp = torch_pool(case), flax_pool(api, case)
    perm = CASES[case][4]
    # layout: the Flax kernel is the torch weight permuted
    assert fp["kernel"].shape[1:] == np.transpose(tp["weight"][0], perm).shape
    assert fp["bias"].shape == tp["bias"].shape
    # bounds: both below torch's 1/sqrt(fan_in) and equally close to it
    fan_in = torch_fan_in(CASES[case][0]().weight)
    bound = 1 / math.sqrt(fan_in)
    for name, torch_name in (("kernel", "weight"), ("bias", "bias")):
        f_max, t_max = np.abs(fp[name]).max(), np.abs(tp[torch_name]).max()
        assert f_max <= bound * (1 + 1e-6) and t_max <= bound * (1 + 1e-6)
        assert abs(f_max - t_max) / t_max < 1e-3, (name, f_max, t_max)
    # KS: kernel over the first seeds (>= 50k samples), bias over all seeds
    n_w = max(3, -(-N_MIN // tp["weight"][0].size))
    assert ks(fp["kernel"][:n_w], tp["weight"][:n_w]) > P_MIN
    assert ks(fp["bias"], tp["bias"]) > P_MIN


def test_bias_bound_uses_kernel_fan_in_not_input_size() -> None:
    # ConvTranspose: torch's fan_in is out*prod(k) (400*9), not in*prod(k) (8*9) nor in (8)
    torch.manual_seed(0)
    weight = torch.nn.ConvTranspose2d(8, 400, 3).weight
    bound = 1 / math.sqrt(torch_fan_in(weight))
    linen = tnn.ConvTranspose(400, (3, 3)).init(jax.random.key(0), jnp.ones((1, 2, 2, 8)))["params"]["bias"]
    nnx_bias = tnnx.ConvTranspose(8, 400, (3, 3), rngs=nnx.Rngs(0)).bias[...]
    for bias in (linen, nnx_bias):
        assert 0.98 * bound < float(jnp.abs(bias).max()) <= bound


@pytest.mark.parametrize("api", ["linen", "nnx"])
def test_embed_matches_torch_embedding(api: str) -> None:
    torch_w = []
    for seed in range(4):
        torch.manual_seed(seed)
        torch_w.append(torch.nn.Embedding(1000, 16).weight.detach().numpy())
    keys = jax.random.split(jax.random.key(7), 4)
    if api == "linen":
        layer = tnn.Embed(1000, 16)
        ours = jax.vmap(lambda k: layer.init(k, jnp.zeros((1,), jnp.int32))["params"]["embedding"])(keys)
    else:
        ours = jnp.stack([tnnx.Embed(1000, 16, rngs=nnx.Rngs(int(s))).embedding[...] for s in range(4)])
    assert ours.shape[1:] == torch_w[0].shape
    assert ks(np.asarray(ours), np.stack(torch_w)) > P_MIN


@pytest.mark.parametrize("layer, torch_ctor, flax_shape, kw", [
    ("conv", lambda: torch.nn.Conv2d(16, 64, 3, groups=2), (3, 3, 8, 64), {}),
    ("conv_transpose", lambda: torch.nn.ConvTranspose2d(64, 32, 3), (3, 3, 64, 32), {}),
    ("conv_transpose", lambda: torch.nn.ConvTranspose2d(64, 32, 3), (3, 3, 32, 64), {"transpose_kernel": True}),
    ("dense", lambda: torch.nn.Linear(512, 128), (512, 128), {}),
])
@pytest.mark.parametrize("mode, nonlinearity, distribution", [
    ("fan_out", "relu", "normal"), ("fan_in", "tanh", "uniform")])
def test_kaiming_options_match_torch_init(layer, torch_ctor, flax_shape, kw, mode, nonlinearity,
                                          distribution) -> None:
    torch_fill = torch.nn.init.kaiming_normal_ if distribution == "normal" else torch.nn.init.kaiming_uniform_
    init = tflax.torch_kernel_init(layer, a=0, mode=mode, nonlinearity=nonlinearity,
                                   distribution=distribution, **kw)
    torch_w, ours = [], []
    n = -(-N_MIN // math.prod(flax_shape))
    for seed in range(max(n, 3)):
        torch.manual_seed(seed)
        w = torch_ctor().weight.detach()
        torch_fill(w, a=0, mode=mode, nonlinearity=nonlinearity)
        torch_w.append(w.numpy().copy())
        ours.append(np.asarray(init(jax.random.key(seed), flax_shape)))
    assert tflax.torch_weight_shape(layer, flax_shape, **kw) == torch_w[0].shape
    assert ks(np.stack(ours), np.stack(torch_w)) > P_MIN


# ---------------------------------------------------------------------------------------------
# Layouts, fans and the initializer protocol
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layer, torch_ctor, flax_shape, perm, kw", [
    ("dense", lambda: torch.nn.Linear(7, 5), (7, 5), (1, 0), {}),
    ("linear", lambda: torch.nn.Linear(7, 5), (7, 5), (1, 0), {}),
    ("conv", lambda: torch.nn.Conv2d(6, 9, (3, 2), groups=3), (3, 2, 2, 9), (2, 3, 1, 0), {}),
    ("conv", lambda: torch.nn.Conv3d(4, 6, 2), (2, 2, 2, 4, 6), (2, 3, 4, 1, 0), {}),
    ("conv_transpose", lambda: torch.nn.ConvTranspose2d(6, 8, (3, 2)), (3, 2, 6, 8), (2, 3, 0, 1), {}),
    ("conv_transpose", lambda: torch.nn.ConvTranspose1d(6, 8, 3), (3, 8, 6), (2, 1, 0), {"transpose_kernel": True}),
])
def test_torch_weight_shape_and_fan_in_match_torch(layer, torch_ctor, flax_shape, perm, kw) -> None:
    weight = torch_ctor().weight
    assert tuple(weight.permute(*perm).shape) == flax_shape
    assert tflax.torch_weight_shape(layer, flax_shape, **kw) == tuple(weight.shape)
    assert tflax.torch_fan_in(layer, flax_shape, **kw) == torch_fan_in(weight)


def test_preset_kernel_shapes_are_torch_weights_permuted() -> None:
    linen = lambda m, x: jax.eval_shape(m.init, jax.random.key(0), x)["params"]
    nnx_ = lambda f: nnx.eval_shape(lambda: f(nnx.Rngs(0)))
    x2 = jnp.ones((1, 6, 6, 6))
    lin = tuple(torch.nn.Linear(7, 5).weight.T.shape)
    assert linen(tnn.Dense(5), jnp.ones((1, 7)))["kernel"].shape == lin
    assert nnx_(lambda r: tnnx.Linear(7, 5, rngs=r)).kernel.shape == lin
    hwio = tuple(torch.nn.Conv2d(6, 8, 3, groups=2).weight.permute(2, 3, 1, 0).shape)
    assert linen(tnn.Conv(8, (3, 3), feature_group_count=2), x2)["kernel"].shape == hwio
    assert nnx_(lambda r: tnnx.Conv(6, 8, (3, 3), feature_group_count=2, rngs=r)).kernel.shape == hwio
    emb = tuple(torch.nn.Embedding(11, 3).weight.shape)
    assert linen(tnn.Embed(11, 3), jnp.zeros((1,), jnp.int32))["embedding"].shape == emb
    assert nnx_(lambda r: tnnx.Embed(11, 3, rngs=r)).embedding.shape == emb


@pytest.mark.parametrize("layer, flax_shape, perm, kw", [
    ("dense", (6, 4), (1, 0), {}),
    ("conv", (3, 2, 5, 4), (2, 3, 1, 0), {}),
    ("conv", (5, 20, 4), (2, 1, 0), {}),
    ("conv_transpose", (3, 2, 5, 4), (2, 3, 0, 1), {}),
    ("conv_transpose", (3, 2, 5, 4), (2, 3, 1, 0), {"transpose_kernel": True}),
])
def test_kernel_is_the_pure_torch_layout_sample_permuted(layer, flax_shape, perm, kw) -> None:
    key = jax.random.key(3)
    torch_shape = tflax.torch_weight_shape(layer, flax_shape, **kw)
    expected = jnp.transpose(tinit.kaiming_uniform(key, torch_shape, a=math.sqrt(5)), perm)
    np.testing.assert_array_equal(tflax.torch_kernel_init(layer, **kw)(key, flax_shape), expected)


def test_initializers_work_under_jit_and_partial() -> None:
    key = jax.random.key(0)
    kernel = tflax.torch_kernel_init("conv")
    jitted = jax.jit(kernel, static_argnums=(1, 2))
    np.testing.assert_array_equal(jitted(key, (3, 3, 4, 8), jnp.float32), kernel(key, (3, 3, 4, 8)))
    bias = functools.partial(tflax.torch_bias_init(36), shape=(8,), dtype=jnp.bfloat16)
    b = jax.jit(bias)(key)
    assert b.shape == (8,) and b.dtype == jnp.bfloat16
    np.testing.assert_array_equal(b, tflax.torch_bias_init(36)(key, (8,), jnp.bfloat16))
    embed = jax.jit(functools.partial(tflax.torch_embed_init(), shape=(4, 3)))(key)
    assert embed.shape == (4, 3) and embed.dtype == jnp.float32
    # the protocol: plain Flax layers accept them as kernel_init / bias_init
    v = nn.Dense(8, kernel_init=tflax.torch_kernel_init("dense"), bias_init=tflax.torch_bias_init(64)).init(
        key, jnp.ones((1, 64)))["params"]
    assert float(jnp.abs(v["kernel"]).max()) <= 1 / 8 and 0 < float(jnp.abs(v["bias"]).max()) <= 1 / 8


def test_bias_fan_in_zero_gives_zeros_like_torch() -> None:
    torch.manual_seed(0)
    with pytest.warns(UserWarning, match="zero-element"):
        torch_bias = torch.nn.Linear(0, 3).bias.detach().numpy()
    np.testing.assert_array_equal(tflax.torch_bias_init(0)(jax.random.key(0), (3,)), torch_bias)


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"Expected `layer` to be one of .*, got 'lstm'"):
        tflax.torch_kernel_init("lstm")
    with pytest.raises(ValueError, match=r"Expected `distribution` to be one of \('uniform', 'normal'\), "
                                         r"got 'truncated_normal'"):
        tflax.torch_kernel_init("dense", distribution="truncated_normal")
    with pytest.raises(ValueError, match=r"Expected `shape` of a Flax dense kernel to be \(in, out\), got \(2, 3, 4\)"):
        tflax.torch_kernel_init("dense")(jax.random.key(0), (2, 3, 4))
    with pytest.raises(ValueError, match=r"Expected `fan_in` to be an int, got None"):
        tflax.torch_bias_init()(jax.random.key(0), (3,))
    with pytest.raises(ValueError, match=r"Expected `fan_in` to be a non-negative int, got -1"):
        tflax.torch_bias_init(-1)
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):     # torch's own check and text
        tflax.torch_kernel_init("dense", mode="fan_avg")(jax.random.key(0), (2, 3))


def test_flax_conv_transpose_has_no_groups() -> None:
    """Documented limitation: torch's ConvTranspose groups cannot be expressed in Flax 0.12."""
    with pytest.raises(TypeError):
        tnnx.ConvTranspose(4, 4, 3, feature_group_count=2, rngs=nnx.Rngs(0))
    with pytest.raises(TypeError):
        tnn.ConvTranspose(4, 3, feature_group_count=2)


# ---------------------------------------------------------------------------------------------
# Checkpoint compatibility: same parameter tree as the unmodified Flax classes
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ours, theirs, x", [
    (tnn.Dense(4), nn.Dense(4), jnp.ones((1, 3))),
    (tnn.Dense(4, use_bias=False), nn.Dense(4, use_bias=False), jnp.ones((1, 3))),
    (tnn.Conv(4, (3, 3)), nn.Conv(4, (3, 3)), jnp.ones((1, 5, 5, 2))),
    (tnn.ConvTranspose(4, (3, 3), transpose_kernel=True), nn.ConvTranspose(4, (3, 3), transpose_kernel=True),
     jnp.ones((1, 5, 5, 2))),
    (tnn.Embed(5, 3), nn.Embed(5, 3), jnp.zeros((2,), jnp.int32)),
])
def test_linen_parameter_tree_equals_flax(ours, theirs, x) -> None:
    shapes = lambda m: jax.tree_util.tree_map(jnp.shape, jax.eval_shape(m.init, jax.random.key(0), x))
    assert shapes(ours) == shapes(theirs)
    assert isinstance(ours, type(theirs))


def test_flax_linen_checkpoint_runs_in_preset() -> None:
    x = jnp.ones((2, 3))
    v = nn.Dense(4).init(jax.random.key(1), x)
    np.testing.assert_array_equal(tnn.Dense(4).apply(v, x), nn.Dense(4).apply(v, x))


@pytest.mark.parametrize("ours, theirs", [
    (lambda r: tnnx.Linear(3, 4, rngs=r), lambda r: nnx.Linear(3, 4, rngs=r)),
    (lambda r: tnnx.Linear(3, 4, use_bias=False, rngs=r), lambda r: nnx.Linear(3, 4, use_bias=False, rngs=r)),
    (lambda r: tnnx.Conv(2, 4, (3, 3), rngs=r), lambda r: nnx.Conv(2, 4, (3, 3), rngs=r)),
    (lambda r: tnnx.ConvTranspose(2, 4, (3, 3), rngs=r), lambda r: nnx.ConvTranspose(2, 4, (3, 3), rngs=r)),
    (lambda r: tnnx.Embed(5, 3, rngs=r), lambda r: nnx.Embed(5, 3, rngs=r)),
])
def test_nnx_state_equals_flax(ours, theirs) -> None:
    a, b = ours(nnx.Rngs(0)), theirs(nnx.Rngs(0))
    sa = jax.tree_util.tree_map(jnp.shape, nnx.to_pure_dict(nnx.state(a)))
    sb = jax.tree_util.tree_map(jnp.shape, nnx.to_pure_dict(nnx.state(b)))
    assert sa == sb
    assert isinstance(a, type(b))
    nnx.update(a, nnx.state(b))       # a Flax state loads into the preset
    np.testing.assert_array_equal(nnx.to_pure_dict(nnx.state(a))["kernel" if "kernel" in sa else "embedding"],
                                  nnx.to_pure_dict(nnx.state(b))["kernel" if "kernel" in sb else "embedding"])


# ---------------------------------------------------------------------------------------------
# Forward equivalence with torch weights copied in
# ---------------------------------------------------------------------------------------------

def _close(ours, theirs: torch.Tensor) -> None:
    np.testing.assert_allclose(np.asarray(ours), theirs.detach().numpy(), atol=1e-5, rtol=1e-5)


def test_forward_linear_matches_torch() -> None:
    torch.manual_seed(0)
    t = torch.nn.Linear(6, 5)
    x = np.random.default_rng(0).standard_normal((3, 6), dtype=np.float32)
    params = {"kernel": jnp.asarray(t.weight.detach().numpy().T), "bias": jnp.asarray(t.bias.detach().numpy())}
    _close(tnn.Dense(5).apply({"params": params}, x), t(torch.from_numpy(x)))
    m = tnnx.Linear(6, 5, rngs=nnx.Rngs(0))
    nnx.update(m, nnx.State(params))
    _close(m(x), t(torch.from_numpy(x)))


def test_forward_conv2d_with_groups_and_default_padding_matches_torch() -> None:
    torch.manual_seed(0)
    t = torch.nn.Conv2d(4, 6, 3, groups=2)
    x = np.random.default_rng(0).standard_normal((2, 4, 7, 7), dtype=np.float32)     # NCHW
    params = {"kernel": jnp.asarray(t.weight.detach().permute(2, 3, 1, 0).numpy()),
              "bias": jnp.asarray(t.bias.detach().numpy())}
    expected = t(torch.from_numpy(x)).permute(0, 2, 3, 1)                          # NHWC
    x_nhwc = x.transpose(0, 2, 3, 1)
    _close(tnn.Conv(6, (3, 3), feature_group_count=2).apply({"params": params}, x_nhwc), expected)
    m = tnnx.Conv(4, 6, (3, 3), feature_group_count=2, rngs=nnx.Rngs(0))
    nnx.update(m, nnx.State(params))
    _close(m(x_nhwc), expected)


@pytest.mark.parametrize("kernel, stride, padding", [(3, 2, "VALID"), (2, 3, [(1, 1), (1, 1)])])
def test_forward_conv_transpose2d_matches_torch(kernel, stride, padding) -> None:
    # torch weights need transpose_kernel=True; 'VALID' is torch's padding=0 while stride <= kernel,
    # otherwise the documented explicit padding (k-1, k-1)
    torch.manual_seed(0)
    t = torch.nn.ConvTranspose2d(4, 6, kernel, stride=stride)
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 5), dtype=np.float32)
    params = {"kernel": jnp.asarray(t.weight.detach().permute(2, 3, 1, 0).numpy()),
              "bias": jnp.asarray(t.bias.detach().numpy())}
    expected = t(torch.from_numpy(x)).permute(0, 2, 3, 1)
    x_nhwc = x.transpose(0, 2, 3, 1)
    linen = tnn.ConvTranspose(6, (kernel, kernel), strides=(stride, stride), padding=padding, transpose_kernel=True)
    _close(linen.apply({"params": params}, x_nhwc), expected)
    m = tnnx.ConvTranspose(4, 6, (kernel, kernel), (stride, stride), padding=padding, transpose_kernel=True,
                           rngs=nnx.Rngs(0))
    nnx.update(m, nnx.State(params))
    _close(m(x_nhwc), expected)


# ---------------------------------------------------------------------------------------------
# The presets differ from Flax's defaults where torch does
# ---------------------------------------------------------------------------------------------

def test_presets_differ_from_flax_defaults_as_torch_does() -> None:
    x = jnp.ones((1, 512))
    flax_std = float(nn.Dense(256).init(jax.random.key(0), x)["params"]["kernel"].std())
    ours = tnn.Dense(256).init(jax.random.key(0), x)["params"]
    torch.manual_seed(0)
    torch_std = float(torch.nn.Linear(512, 256).weight.detach().std())
    assert abs(float(ours["kernel"].std()) / torch_std - 1) < 0.02
    assert abs(flax_std / torch_std - math.sqrt(3)) < 0.05          # lecun_normal is sqrt(3) x wider
    assert float(jnp.abs(ours["bias"]).max()) > 0                    # Flax's default bias is zeros
    # torch's padding=0: the preset conv shrinks the image as torch does; Flax's 'SAME' does not
    x_img = jnp.ones((1, 8, 8, 3))
    torch_hw = torch.nn.Conv2d(3, 4, 3)(torch.ones(1, 3, 8, 8)).shape[2:]
    out_hw = lambda m: jax.eval_shape(m.init_with_output, jax.random.key(0), x_img)[0].shape[1:3]
    assert out_hw(tnn.Conv(4, (3, 3))) == tuple(torch_hw)
    assert out_hw(nn.Conv(4, (3, 3))) == (8, 8)


def test_core_does_not_import_flax() -> None:
    code = "import sys, torchlike_params; assert 'flax' not in sys.modules, 'flax loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)
    import torchlike_params as tp
    assert tp.flax is tflax and tp.flax.linen is tnn and tp.flax.nnx is tnnx
