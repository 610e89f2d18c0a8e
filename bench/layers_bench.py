"""Layers in training: torchlike_params vs Flax NNX vs torch, in one run.

* ``resnet18``: torchvision's ResNet-18 layout (BatchNorm in train mode), batch 8, 64x64 inputs,
  one jitted forward+backward+SGD step. Ours runs through ``tp.functional_call(...,
  return_buffers=True)``; NNX is the same architecture with ``nnx.split``/``nnx.merge`` inside
  one ``jax.jit`` (NNX's fastest documented form); torch is eager.
* ``gpt2``: a GPT-2-small-shaped decoder (12 layers, d=768, 12 heads, vocab 50257), batch 1,
  sequence 128, one jitted forward+backward+SGD step. Same three sides.
* ``lstm``: a 2-layer LSTM (input 64, hidden 128, batch 16) forward+backward over 256 steps,
  jitted; torch's CPU LSTM and ``nnx.RNN(nnx.OptimizedLSTMCell)`` stacked twice.

Each prints the compile time (first call) and the median step time, and ratios against NNX
and torch. Writes ``bench/results/layers_bench.json``.

    python bench/layers_bench.py [--quick] [--models resnet18,gpt2,lstm]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
import torch  # noqa: E402
from flax import nnx  # noqa: E402

import torchlike_params as tp  # noqa: E402
from _common import fmt_table, time_steady  # noqa: E402

torch.set_num_threads(os.cpu_count() or 1)


# -- model definitions: one source for torch and torchlike_params ------------------------------------
def define(nn, F, fw):
    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            idt = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + idt)

    class ResNet18(nn.Module):
        def __init__(self, num_classes=1000):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            chans = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]
            for i, (cin, cout, s) in enumerate(chans, 1):
                setattr(self, f"layer{i}", nn.Sequential(BasicBlock(cin, cout, s), BasicBlock(cout, cout, 1)))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(fw.flatten(self.avgpool(x), 1))

    class Block(nn.Module):
        def __init__(self, d, h):
            super().__init__()
            self.h = h
            self.ln_1 = nn.LayerNorm(d)
            self.c_attn = nn.Linear(d, 3 * d)
            self.c_proj = nn.Linear(d, d)
            self.ln_2 = nn.LayerNorm(d)
            self.c_fc = nn.Linear(d, 4 * d)
            self.mlp_proj = nn.Linear(4 * d, d)
            self.gelu = nn.GELU(approximate="tanh")

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = fw.split(self.c_attn(self.ln_1(x)), C, dim=2)
            q, k, v = (fw.swapaxes(t.reshape(B, T, self.h, C // self.h), 1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.c_proj(fw.swapaxes(y, 1, 2).reshape(B, T, C))
            return x + self.mlp_proj(self.gelu(self.c_fc(self.ln_2(x))))

    class GPT(nn.Module):
        def __init__(self, vocab=50257, n_pos=1024, d=768, n_layer=12, h=12):
            super().__init__()
            self.wte = nn.Embedding(vocab, d)
            self.wpe = nn.Embedding(n_pos, d)
            self.h = nn.ModuleList([Block(d, h) for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(d)
            self.lm_head = nn.Linear(d, vocab, bias=False)
            self.lm_head.weight = self.wte.weight

        def forward(self, idx):
            T = idx.shape[1]
            x = self.wte(idx) + self.wpe(fw.arange(T))
            for block in self.h:
                x = block(x)
            return self.lm_head(self.ln_f(x))

    return ResNet18, GPT


class _TP:      # the few top-level tensor functions the shared model code calls
    flatten = staticmethod(lambda x, s: jnp.reshape(x, x.shape[:s] + (-1,)))
    split = staticmethod(lambda x, n, dim: jnp.split(x, x.shape[dim] // n, axis=dim))
    swapaxes = staticmethod(jnp.swapaxes)
    arange = staticmethod(jnp.arange)


class _Torch:
    flatten = staticmethod(torch.flatten)
    split = staticmethod(lambda x, n, dim: x.split(n, dim=dim))
    swapaxes = staticmethod(lambda x, a, b: x.transpose(a, b))
    arange = staticmethod(torch.arange)


TP_ResNet18, TP_GPT = define(tp.nn, tp.nn.functional, _TP)
T_ResNet18, T_GPT = define(torch.nn, torch.nn.functional, _Torch)


# -- the same architectures in Flax NNX -------------------------------------------------------------
class NBlock(nnx.Module):
    def __init__(self, cin, cout, stride, rngs):
        self.conv1 = nnx.Conv(cin, cout, (3, 3), (stride, stride), padding=1, use_bias=False, rngs=rngs)
        self.bn1 = nnx.BatchNorm(cout, momentum=0.9, epsilon=1e-5, rngs=rngs)
        self.conv2 = nnx.Conv(cout, cout, (3, 3), padding=1, use_bias=False, rngs=rngs)
        self.bn2 = nnx.BatchNorm(cout, momentum=0.9, epsilon=1e-5, rngs=rngs)
        self.has_down = stride != 1 or cin != cout
        if self.has_down:
            self.down = nnx.Conv(cin, cout, (1, 1), (stride, stride), use_bias=False, rngs=rngs)
            self.down_bn = nnx.BatchNorm(cout, momentum=0.9, epsilon=1e-5, rngs=rngs)

    def __call__(self, x):
        idt = self.down_bn(self.down(x)) if self.has_down else x
        out = jax.nn.relu(self.bn1(self.conv1(x)))
        return jax.nn.relu(self.bn2(self.conv2(out)) + idt)


class NResNet18(nnx.Module):
    def __init__(self, rngs, num_classes=1000):
        self.conv1 = nnx.Conv(3, 64, (7, 7), (2, 2), padding=3, use_bias=False, rngs=rngs)
        self.bn1 = nnx.BatchNorm(64, momentum=0.9, epsilon=1e-5, rngs=rngs)
        blocks = []
        for cin, cout, s in [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]:
            blocks += [NBlock(cin, cout, s, rngs), NBlock(cout, cout, 1, rngs)]
        self.blocks = nnx.List(blocks)
        self.fc = nnx.Linear(512, num_classes, rngs=rngs)

    def __call__(self, x):                                   # NHWC
        x = jax.nn.relu(self.bn1(self.conv1(x)))
        x = nnx.max_pool(x, (3, 3), (2, 2), padding=((1, 1), (1, 1)))
        for b in self.blocks:
            x = b(x)
        return self.fc(x.mean(axis=(1, 2)))


class NBlockT(nnx.Module):
    def __init__(self, d, h, rngs):
        self.h = h
        self.ln_1 = nnx.LayerNorm(d, epsilon=1e-5, rngs=rngs)
        self.c_attn = nnx.Linear(d, 3 * d, rngs=rngs)
        self.c_proj = nnx.Linear(d, d, rngs=rngs)
        self.ln_2 = nnx.LayerNorm(d, epsilon=1e-5, rngs=rngs)
        self.c_fc = nnx.Linear(d, 4 * d, rngs=rngs)
        self.mlp_proj = nnx.Linear(4 * d, d, rngs=rngs)

    def __call__(self, x):
        B, T, C = x.shape
        q, k, v = jnp.split(self.c_attn(self.ln_1(x)), 3, axis=2)
        q, k, v = (t.reshape(B, T, self.h, C // self.h) for t in (q, k, v))
        y = jax.nn.dot_product_attention(q, k, v, is_causal=True)
        x = x + self.c_proj(y.reshape(B, T, C))
        return x + self.mlp_proj(jax.nn.gelu(self.c_fc(self.ln_2(x)), approximate=True))


class NGPT(nnx.Module):
    def __init__(self, rngs, vocab=50257, n_pos=1024, d=768, n_layer=12, h=12):
        self.wte = nnx.Embed(vocab, d, rngs=rngs)
        self.wpe = nnx.Embed(n_pos, d, rngs=rngs)
        self.h = nnx.List([NBlockT(d, h, rngs) for _ in range(n_layer)])
        self.ln_f = nnx.LayerNorm(d, epsilon=1e-5, rngs=rngs)

    def __call__(self, idx):
        x = self.wte(idx) + self.wpe(jnp.arange(idx.shape[1]))
        for b in self.h:
            x = b(x)
        return self.wte.attend(self.ln_f(x))


# -- steps -------------------------------------------------------------------------------------------
def xent(logits, y):
    return optax.softmax_cross_entropy_with_integer_labels(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).mean()


def ours_step(model, x, y, lr=0.01):
    model.train()
    params = {n: p.value for n, p in model.named_parameters()}
    buffers = {n: b.value for n, b in model.named_buffers()}

    @jax.jit
    def step(params, buffers, x, y):
        def loss(p):
            out, new_buffers = tp.functional_call(model, {**p, **buffers}, (x,), return_buffers=True)
            return xent(out, y), new_buffers
        (value, new_buffers), grads = jax.value_and_grad(loss, has_aux=True)(params)
        return jax.tree.map(lambda p, g: p - lr * g, params, grads), new_buffers, value

    state = [params, buffers]

    def run():
        state[0], state[1], v = step(state[0], state[1], x, y)
        v.block_until_ready()
    return run


def nnx_step(model, x, y, lr=0.01):
    """Flax's performance-guide form: split once, ``merge`` + ``nnx.value_and_grad`` inside ``jax.jit``."""
    model.train()
    graphdef, state = nnx.split(model)

    def loss_fn(m, x, y):
        return xent(m(x), y)

    @jax.jit
    def step(state, x, y):
        m = nnx.merge(graphdef, state)
        value, grads = nnx.value_and_grad(loss_fn)(m, x, y)
        params = nnx.state(m, nnx.Param)
        nnx.update(m, jax.tree.map(lambda p, g: p - lr * g, params, grads))
        return nnx.state(m), value

    holder = [state]

    def run():
        holder[0], v = step(holder[0], x, y)
        v.block_until_ready()
    return run


def torch_step(model, x, y, lr=0.01):
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=lr)

    def run():
        opt.zero_grad()
        out = model(x)
        loss = torch.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
        loss.backward()
        opt.step()
    return run


def measure(name, make, reps, budget):
    t0 = time.perf_counter()
    run = make()
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    run()
    first_s = time.perf_counter() - t0
    r = time_steady(run, reps=reps, warmup=1, budget_s=budget)
    r.update(build_s=build_s, first_call_s=first_s)
    print(f"  {name:8s} first call (compile) {first_s:7.2f}s   step {r['median_s'] * 1e3:9.1f} ms "
          f"({r['reps']} reps)", flush=True)
    return r


def bench_resnet(reps, budget):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3, 64, 64)).astype(np.float32)
    y = rng.integers(0, 1000, (8,))
    tp.manual_seed(0)
    return {
        "ours": measure("ours", lambda: ours_step(TP_ResNet18(), jnp.asarray(x), jnp.asarray(y)), reps, budget),
        "nnx": measure("nnx", lambda: nnx_step(NResNet18(nnx.Rngs(0)), jnp.asarray(x.transpose(0, 2, 3, 1)),
                                               jnp.asarray(y)), reps, budget),
        "torch": measure("torch", lambda: torch_step(T_ResNet18(), torch.from_numpy(x), torch.from_numpy(y)),
                         reps, budget),
    }


def bench_gpt2(reps, budget):
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 50257, (1, 128))
    y = rng.integers(0, 50257, (1, 128))
    tp.manual_seed(0)
    return {
        "ours": measure("ours", lambda: ours_step(TP_GPT(), jnp.asarray(idx), jnp.asarray(y)), reps, budget),
        "nnx": measure("nnx", lambda: nnx_step(NGPT(nnx.Rngs(0)), jnp.asarray(idx), jnp.asarray(y)), reps, budget),
        "torch": measure("torch", lambda: torch_step(T_GPT(), torch.from_numpy(idx), torch.from_numpy(y)),
                         reps, budget),
    }


def bench_lstm(reps, budget):
    rng = np.random.default_rng(0)
    T, B, I, H = 256, 16, 64, 128
    x = rng.standard_normal((T, B, I)).astype(np.float32)

    def ours():
        tp.manual_seed(0)
        m = tp.nn.LSTM(I, H, num_layers=2)
        params = {n: p.value for n, p in m.named_parameters()}
        f = jax.jit(jax.value_and_grad(lambda p, x: tp.functional_call(m, p, (x,))[0].sum()))
        xs = jnp.asarray(x)

        def run():
            v, g = f(params, xs)
            v.block_until_ready()
        return run

    def flax_nnx():
        rngs = nnx.Rngs(0)
        layers = [nnx.RNN(nnx.OptimizedLSTMCell(I, H, rngs=rngs)), nnx.RNN(nnx.OptimizedLSTMCell(H, H, rngs=rngs))]
        graphdef, state = nnx.split(nnx.List(layers))
        xs = jnp.asarray(x.transpose(1, 0, 2))      # batch-major

        def loss(ls, xs):
            h = xs
            for layer in ls:
                h = layer(h)
            return h.sum()

        @jax.jit
        def f(state, xs):
            return nnx.value_and_grad(loss)(nnx.merge(graphdef, state), xs)

        def run():
            v, g = f(state, xs)
            v.block_until_ready()
        return run

    def torch_lstm():
        torch.manual_seed(0)
        m = torch.nn.LSTM(I, H, num_layers=2)
        xs = torch.from_numpy(x)

        def run():
            m.zero_grad()
            m(xs)[0].sum().backward()
        return run

    return {"ours": measure("ours", ours, reps, budget), "nnx": measure("nnx", flax_nnx, reps, budget),
            "torch": measure("torch", torch_lstm, reps, budget)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--models", default="resnet18,gpt2,lstm")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "layers_bench.json"))
    args = ap.parse_args()
    reps, budget = (3, 10.0) if args.quick else (10, 60.0)
    benches = {"resnet18": bench_resnet, "gpt2": bench_gpt2, "lstm": bench_lstm}
    results = {}
    for name in args.models.split(","):
        print(f"{name}:", flush=True)
        results[name] = benches[name](reps, budget)
    rows = []
    for name, r in results.items():
        o, n, t = (r[k]["median_s"] for k in ("ours", "nnx", "torch"))
        rows.append([name, f"{o * 1e3:.1f}", f"{n * 1e3:.1f}", f"{t * 1e3:.1f}", f"{o / n:.3f}", f"{o / t:.2f}",
                     f"{r['ours']['first_call_s']:.1f}", f"{r['nnx']['first_call_s']:.1f}"])
    print()
    print(fmt_table(["model", "ours ms", "nnx ms", "torch ms", "ours/nnx", "ours/torch", "compile ours s",
                     "compile nnx s"], rows))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"jax": jax.__version__, "torch": torch.__version__, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
