"""The presets for norms, attention and RNN cells against torch 2.13's own layers.

Init: the distribution of each Flax kernel against torch's (two-sample KS test over one large
layer each); forward: torch's layer with random weights, transferred through the layout
rules, against the preset's output.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from flax import nnx
from scipy import stats

import torchlike_params as tp
from torchlike_params import flax as tflax
from torchlike_params.flax import linen as tnn
from torchlike_params.flax import nnx as tnnx

P_MIN = 1e-3


def ks(ours: Any, theirs: Any) -> None:
    a = np.asarray(ours, np.float64).ravel()
    b = theirs.detach().numpy().astype(np.float64).ravel()
    assert stats.ks_2samp(a, b).pvalue > P_MIN
    assert abs(a).max() <= abs(b).max() * 1.01 + 1e-6


def transfer(torch_layer: Any, tp_layer: Any) -> Any:
    """torch's weights into the torchlike layer (torch names), then out through the rules."""
    for p in torch_layer.parameters():
        with torch.no_grad():
            p.copy_(torch.randn_like(p) * 0.5)
    tp_layer.load_state_dict({k: v.detach().numpy() for k, v in torch_layer.state_dict().items()})
    return tp_layer


def test_mha_init_distribution() -> None:
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(256, 4)
    lin = tnn.MultiHeadDotProductAttention(num_heads=4).init(jax.random.key(0), jnp.ones((1, 2, 256)))["params"]
    ks(lin["query"]["kernel"], ref.in_proj_weight)
    ks(lin["out"]["kernel"], ref.out_proj.weight)
    assert not np.asarray(lin["key"]["bias"]).any() and not np.asarray(lin["out"]["bias"]).any()
    m = tnnx.MultiHeadAttention(4, 256, rngs=nnx.Rngs(1))
    ks(m.value.kernel[...], ref.in_proj_weight)
    ks(m.out.kernel[...], ref.out_proj.weight)


def test_rnn_cell_init_distribution() -> None:
    torch.manual_seed(0)
    lstm, gru = torch.nn.LSTMCell(64, 256), torch.nn.GRUCell(64, 256)
    cell = tnn.LSTMCell(256)
    v = jax.jit(cell.init)(jax.random.key(0), cell.initialize_carry(jax.random.key(0), (1, 64)), jnp.ones((1, 64)))
    ks(v["params"]["ii"]["kernel"], lstm.weight_ih)
    ks(v["params"]["hf"]["kernel"], lstm.weight_hh)
    ks(v["params"]["ho"]["bias"], lstm.bias_hh)
    g = tnnx.GRUCell(64, 256, rngs=nnx.Rngs(0))
    ks(g.dense_i.kernel[...], gru.weight_ih)
    ks(g.dense_h.kernel[...], gru.weight_hh)
    o = tnnx.OptimizedLSTMCell(64, 256, rngs=nnx.Rngs(0))
    ks(o.dense_h.kernel[...], lstm.weight_hh)
    ks(tnnx.LSTMCell(64, 256, rngs=nnx.Rngs(2)).ii.kernel[...], lstm.weight_ih)


def test_norm_defaults_match_torch() -> None:
    assert tnn.LayerNorm().epsilon == torch.nn.LayerNorm(3).eps
    assert tnn.GroupNorm().epsilon == torch.nn.GroupNorm(1, 3).eps
    bn = torch.nn.BatchNorm1d(3)
    assert tnn.BatchNorm().momentum == 1 - bn.momentum and tnn.BatchNorm().epsilon == bn.eps
    m = tnnx.BatchNorm(3, rngs=nnx.Rngs(0))
    assert (m.momentum, m.epsilon) == (1 - bn.momentum, bn.eps)
    assert m.scale[...].tolist() == bn.weight.tolist() and m.var[...].tolist() == bn.running_var.tolist()


def x_of(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_norm_forward_after_transfer() -> None:
    x = x_of(4, 6, 5)                      # (N, C, L)
    xl = jnp.moveaxis(x, 1, -1)
    for ref, ours, flax_layer, flax_nnx in [
        (torch.nn.GroupNorm(3, 6), tp.nn.GroupNorm(3, 6), tnn.GroupNorm(num_groups=3),
         lambda: tnnx.GroupNorm(6, num_groups=3, rngs=nnx.Rngs(0))),
        (torch.nn.BatchNorm1d(6), tp.nn.BatchNorm1d(6), tnn.BatchNorm(use_running_average=False),
         lambda: tnnx.BatchNorm(6, rngs=nnx.Rngs(0))),
    ]:
        transfer(ref, ours)
        want = np.moveaxis(ref(torch.from_numpy(x)).detach().numpy(), 1, -1)
        v = tflax.to_linen_variables(ours)
        got = flax_layer.apply(v, xl, mutable=["batch_stats"])[0]
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
        m = flax_nnx()
        nnx.update(m, tflax.to_nnx_state(ours))
        np.testing.assert_allclose(m(xl), want, rtol=1e-5, atol=1e-5)
        if isinstance(ref, torch.nn.BatchNorm1d):          # running mean after one step
            np.testing.assert_allclose(m.mean[...], ref.running_mean.numpy(), rtol=1e-5, atol=1e-6)
    ref, ours = torch.nn.LayerNorm(5), tp.nn.LayerNorm(5)
    transfer(ref, ours)
    want = ref(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(tnn.LayerNorm().apply(tflax.to_linen_variables(ours), x), want, rtol=1e-5,
                               atol=1e-5)
    m = tnnx.LayerNorm(5, rngs=nnx.Rngs(0))
    nnx.update(m, tflax.to_nnx_state(ours))
    np.testing.assert_allclose(m(x), want, rtol=1e-5, atol=1e-5)


def test_mha_forward_after_transfer() -> None:
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    ours = transfer(ref, tp.nn.MultiheadAttention(8, 2, batch_first=True))
    q, kv = x_of(2, 5, 8), x_of(2, 4, 8, seed=1)
    want = ref(torch.from_numpy(q), torch.from_numpy(kv), torch.from_numpy(kv), need_weights=False)[0]
    want = want.detach().numpy()
    got = tnn.MultiHeadDotProductAttention(num_heads=2).apply(tflax.to_linen_variables(ours), q, kv, kv)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    m = tnnx.MultiHeadAttention(2, 8, rngs=nnx.Rngs(0))
    nnx.update(m, tflax.to_nnx_state(ours))
    np.testing.assert_allclose(m(q, kv, kv), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_rnn_cell_forward_after_transfer(kind: str) -> None:
    torch.manual_seed(0)
    ref = getattr(torch.nn, kind + "Cell")(3, 4)
    ours = transfer(ref, getattr(tp.nn, kind + "Cell")(3, 4))
    x, h, c = x_of(2, 3), x_of(2, 4, seed=1), x_of(2, 4, seed=2)
    tx, th, tc = map(torch.from_numpy, (x, h, c))
    if kind == "LSTM":
        want = ref(tx, (th, tc))[0].detach().numpy()
        got = tnn.LSTMCell(4).apply(tflax.to_linen_variables(ours), (c, h), x)[1]
        m = tnnx.OptimizedLSTMCell(3, 4, rngs=nnx.Rngs(0))
        nnx.update(m, tflax.to_nnx_state(ours, lstm_cell="OptimizedLSTMCell"))
        got_nnx = m((c, h), x)[1]
    else:
        want = ref(tx, th).detach().numpy()
        got = tnn.GRUCell(4).apply(tflax.to_linen_variables(ours), h, x)[1]
        with torch.no_grad():                       # flax.nnx.GRUCell has no b_hn
            ref.bias_hh[8:] = 0
        ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
        m = tnnx.GRUCell(3, 4, rngs=nnx.Rngs(0))
        nnx.update(m, tflax.to_nnx_state(ours))
        got_nnx = m(h, x)[1]
        want_nnx = ref(tx, th).detach().numpy()
        np.testing.assert_allclose(got_nnx, want_nnx, rtol=1e-5, atol=1e-5)
        got_nnx = None
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    if got_nnx is not None:
        np.testing.assert_allclose(got_nnx, want, rtol=1e-5, atol=1e-5)
