"""What torch's Tensor API on activations costs: eager per-op overhead and the compiled step.

Eager: each op on a ``tp.Tensor`` (``x.view``, ``x.transpose``, ``x + y``, ``F.relu``,
``x.sum(dim=)``, ``tp.cat``, a module call) against the same op in raw ``jnp`` and in torch,
small arrays (where dispatch dominates). Traced: a jitted gradient step of a torch-style
attention block through ``functional_call`` against the same block in plain ``jnp``; the
compiled programs are compared (cost analysis) and timed.

    python bench/tensor_api_bench.py
"""

from __future__ import annotations

import math
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import fmt_table, time_steady  # noqa: E402

import torchlike_params as tp  # noqa: E402
import torchlike_params.nn as nn  # noqa: E402
import torchlike_params.nn.functional as F  # noqa: E402

try:
    import torch
except ImportError:                  # pragma: no cover
    torch = None


def per_call_us(fn, n=2000):
    fn()
    r = time_steady(lambda: [fn() for _ in range(n)], reps=5, budget_s=10.0)
    return r["median_s"] / n * 1e6


def eager_table():
    xs = np.random.default_rng(0).standard_normal((8, 16, 32)).astype(np.float32)
    t, j = tp.tensor(xs), jnp.asarray(xs)
    tt = torch.from_numpy(xs) if torch else None
    lin = nn.Linear(32, 32)
    tlin = torch.nn.Linear(32, 32) if torch else None
    w = jnp.asarray(lin.weight)
    ops = [
        ("x.view(8, -1)", lambda: t.view(8, -1), lambda: j.reshape(8, -1), lambda: tt.view(8, -1)),
        ("x.transpose(1, 2)", lambda: t.transpose(1, 2), lambda: jnp.swapaxes(j, 1, 2), lambda: tt.transpose(1, 2)),
        ("x + x", lambda: t + t, lambda: j + j, lambda: tt + tt),
        ("x.sum(dim=-1)", lambda: t.sum(dim=-1), lambda: j.sum(axis=-1), lambda: tt.sum(dim=-1)),
        ("x.max(dim=1)", lambda: t.max(dim=1), lambda: (j.max(axis=1), j.argmax(axis=1)), lambda: tt.max(dim=1)),
        ("F.relu(x)", lambda: F.relu(t), lambda: jax.nn.relu(j), lambda: torch.nn.functional.relu(tt)),
        ("cat([x, x], 1)", lambda: tp.cat([t, t], 1), lambda: jnp.concatenate([j, j], 1),
         lambda: torch.cat([tt, tt], 1)),
        ("x[:, 1:, ::2]", lambda: t[:, 1:, ::2], lambda: j[:, 1:, ::2], lambda: tt[:, 1:, ::2]),
        ("Linear(32, 32)(x)", lambda: lin(t), lambda: j @ w.T + jnp.asarray(lin.bias), lambda: tlin(tt)),
    ]
    rows = []
    for name, ours, raw, theirs in ops:
        a = per_call_us(lambda: jax.block_until_ready(_first(ours()).value))
        b = per_call_us(lambda: jax.block_until_ready(_first(raw())))
        c = per_call_us(theirs) if torch else float("nan")
        rows.append([name, f"{a:.1f}", f"{b:.1f}", f"{a - b:+.1f}", f"{a / b:.2f}x", f"{c:.1f}"])
    return fmt_table(["op (8x16x32 float32)", "tp.Tensor us", "raw jnp us", "overhead us", "ratio", "torch us"],
                     rows)


def _first(v):
    return v[0] if isinstance(v, tuple) else v


class Block(nn.Module):
    def __init__(self, C=64, H=4):
        super().__init__()
        self.c_attn, self.c_proj, self.H = nn.Linear(C, 3 * C), nn.Linear(C, C), H
        self.register_buffer("bias", tp.tril(tp.ones(128, 128)).view(1, 1, 128, 128))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.H, C // self.H).transpose(1, 2)
        k = k.view(B, T, self.H, C // self.H).transpose(1, 2)
        v = v.view(B, T, self.H, C // self.H).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


def plain_block(p, x, H=4):
    B, T, C = x.shape
    qkv = x @ p["c_attn.weight"].T + p["c_attn.bias"]
    q, k, v = (a.reshape(B, T, H, C // H).transpose(0, 2, 1, 3) for a in jnp.split(qkv, 3, axis=2))
    att = (q @ jnp.swapaxes(k, -2, -1)) * (1.0 / math.sqrt(C // H))
    att = jnp.where(p["bias"][:, :, :T, :T] == 0, -jnp.inf, att)
    y = (jax.nn.softmax(att, axis=-1) @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
    return y @ p["c_proj.weight"].T + p["c_proj.bias"]


def traced_table():
    tp.manual_seed(0)
    m = Block()
    params = {k: jnp.asarray(v) for k, v in m.state_dict().items()}
    x = jnp.asarray(np.random.default_rng(1).standard_normal((16, 128, 64)).astype(np.float32))

    def step(loss):
        return jax.jit(lambda p, v: jax.tree.map(lambda a, g: a - 1e-3 * g, p, jax.grad(loss)(p, v)))

    ours = step(lambda p, v: (tp.functional_call(m, p, (v,)) ** 2).mean())
    plain = step(lambda p, v: (plain_block(p, v) ** 2).mean())
    rows, costs = [], []
    for name, f in (("tp (torch-style forward)", ours), ("plain jnp", plain)):
        import time
        t0 = time.perf_counter()
        compiled = f.lower(params, x).compile()
        comp = time.perf_counter() - t0
        c = compiled.cost_analysis()
        c = c[0] if isinstance(c, list) else c
        costs.append((c.get("flops"), c.get("bytes accessed")))
        r = time_steady(lambda: jax.block_until_ready(compiled(params, x)), reps=20, budget_s=15.0)
        rows.append([name, f"{comp:.2f}", f"{r['median_s'] * 1e3:.2f}", f"{c.get('flops'):.0f}"])
    rows.append(["ratio tp / plain", f"{float(rows[0][1]) / float(rows[1][1]):.2f}x",
                 f"{float(rows[0][2]) / float(rows[1][2]):.2f}x", "equal" if costs[0] == costs[1] else "DIFFERENT"])
    return fmt_table(["jitted SGD step, attention block 16x128x64", "compile s", "step ms", "flops"], rows)


def main():
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}, torch {torch.__version__ if torch else 'absent'}")
    print(eager_table())
    print()
    print(traced_table())


if __name__ == "__main__":
    main()
