"""GPT-2-small's state to Flax layout and back, against a plain ``jax.tree.map`` transpose floor.

The model is a ``torchlike_params.nn`` GPT-2 (124M numbers: wte, wpe, 12 blocks of
LayerNorm / Linear(768, 2304) / Linear(768, 768) / LayerNorm / Linear(768, 3072) /
Linear(3072, 768), ln_f, an untied lm_head), built abstract (no memory); its state is random.

* ``ours``: ``to_linen_variables(model, state)`` then ``linen_variables_to_state(model, v)``.
* ``floor``: ``jax.tree.map`` over the same arrays doing exactly the layout work (transpose the
  Linear weights, keep the rest), there and back.

Two array kinds: host NumPy arrays (the converters stay on the host and return contiguous
copies; the floor uses ``np.ascontiguousarray(a.T)``) and ``jax.Array`` s on the default
device (``jnp.transpose``, blocked on). Prints the medians and the ratio (target <= 1.2).

    python bench/flax_bench.py [--reps 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import time_steady  # noqa: E402

import torchlike_params as tp  # noqa: E402
from torchlike_params import flax as tflax  # noqa: E402

nn = tp.nn


class Block(nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = nn.ModuleDict({"c_attn": nn.Linear(d, 3 * d), "c_proj": nn.Linear(d, d)})
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.ModuleDict({"c_fc": nn.Linear(d, 4 * d), "c_proj": nn.Linear(4 * d, d)})


class GPT2(nn.Module):
    def __init__(self, vocab: int = 50257, ctx: int = 1024, d: int = 768, layers: int = 12) -> None:
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.h = nn.ModuleList([Block(d) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    model = tp.abstract_module(GPT2)
    rng = np.random.default_rng(0)
    host = {n: rng.standard_normal(p.shape, dtype=np.float32) for n, p in model.named_parameters()}
    linear = {n for n, m in model.named_modules() if isinstance(m, nn.Linear) for n in [n + ".weight"]}
    print(f"GPT-2-small: {len(host)} tensors, {sum(a.size for a in host.values()) / 1e6:.1f}M numbers")

    def ours(state: dict) -> Any:
        v = tflax.to_linen_variables(model, state)
        return tflax.linen_variables_to_state(model, v)

    def floor_np(state: dict) -> Any:
        there = {n: np.ascontiguousarray(a.T) if n in linear else a for n, a in state.items()}
        return {n: np.ascontiguousarray(a.T) if n in linear else a for n, a in there.items()}

    def floor_jnp(state: dict) -> Any:
        f = lambda t: jax.tree.map(lambda n, a: jnp.transpose(a) if n in linear else a,  # noqa: E731
                                   {n: n for n in t}, t)
        return f(f(state))

    def check(out: dict, state: dict) -> None:
        for n in state:
            assert np.array_equal(np.asarray(out[n]), np.asarray(state[n])), n

    check(ours(host), host)
    rows = []
    for kind, state, floor in [("host numpy", host, floor_np),
                               ("jax.Array", {n: jnp.asarray(a) for n, a in host.items()}, floor_jnp)]:
        block = jax.block_until_ready
        t_ours = time_steady(lambda: block(list(ours(state).values())), reps=args.reps)["median_s"]
        t_floor = time_steady(lambda: block(list(floor(state).values())), reps=args.reps)["median_s"]
        rows.append((kind, t_ours, t_floor))
    print(f"{'arrays':<12} {'ours (s)':>9} {'floor (s)':>10} {'ratio':>6}")
    for kind, a, b in rows:
        print(f"{kind:<12} {a:>9.3f} {b:>10.3f} {a / b:>6.2f}")


if __name__ == "__main__":
    main()
