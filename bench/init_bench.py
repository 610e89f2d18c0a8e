"""Benchmark: torchlike_params' nn.init against torch.nn.init, jax.nn.initializers and Flax NNX.

Part 1 - steady-state throughput (one process, after warm-up) of kaiming_uniform,
kaiming_normal, trunc_normal (std=0.02, torch's default absolute bounds a=-2, b=2) and
orthogonal on (4096, 4096) and (512, 512, 3, 3), for:

  ours-jit      the pure face ``torchlike_params.initializers.*`` under ``jax.jit``
                (static shape/dtype, a fresh key per call, block_until_ready);
  ours-inplace  the torch face ``tp.nn.init.*_(box)`` in eager mode with the default
                generator (its eager CPU path assembles draws from fixed-size compiled chunks);
  torch         ``torch.nn.init.*_`` on a ``torch.empty`` tensor (default thread count);
  jax.nn        the ``jax.nn.initializers`` with the same distribution, jitted:
                  kaiming_uniform  variance_scaling(2.0, 'fan_in', 'uniform', in_axis=1, out_axis=0)
                  kaiming_normal   variance_scaling(2.0, 'fan_in', 'normal',  in_axis=1, out_axis=0)
                  trunc_normal     jax.random.truncated_normal(k, -2/0.02, 2/0.02, shape) * 0.02
                                   (no exact initializer: jax's truncated_normal cuts at +-2 std)
                  orthogonal       orthogonal() on torch's flat (shape[0], numel // shape[0]), reshaped
                (kaiming_* use torch's defaults a=0, leaky_relu: gain**2 = 2.)

Part 2 - cold-process time to fill GPT-2-small's 148 tensors / 124,439,808 numbers with torch's
layer-default distributions, each side in a fresh ``python -c`` subprocess, 3 runs, median:
torch, ours (tp.empty + tp.nn.init, default generator, eager), a naive eager JAX loop
(jax.random per tensor, one compile per distinct shape) and Flax NNX (real nnx.Embed /
nnx.Linear / nnx.LayerNorm layers built eagerly with default ``nnx.Rngs``, given initializers
with torch's distributions; kernels are in Flax's (in, out) layout).

Usage:  python bench/init_bench.py [--quick] [--out bench/results/init_bench.json]
"""

from __future__ import annotations

import argparse
import tempfile
import itertools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from _common import fmt_table, time_steady  # noqa: E402

INITS = ("kaiming_uniform", "kaiming_normal", "trunc_normal", "orthogonal")
IMPLS = ("ours-jit", "ours-inplace", "torch", "jax.nn")
TN_STD, TN_A, TN_B = 0.02, -2.0, 2.0


# --------------------------------------------------------------------------------------------
# Part 1: steady-state throughput
# --------------------------------------------------------------------------------------------
_COMPILES = {"n": 0, "s": 0.0}


def _install_compile_counter():
    import jax

    def listen(name, dur, **kw):
        if name == "/jax/core/compile/backend_compile_duration":
            _COMPILES["n"] += 1
            _COMPILES["s"] += dur
    jax.monitoring.register_event_duration_secs_listener(listen)


def make_cases(shape):
    """{impl: {init: case}}; case = dict(run=blocks until done, value=-> numpy, prepare=AOT compile)."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    import torch
    import torchlike_params as tp
    from torchlike_params import initializers as P

    n = math.prod(shape)
    rows = shape[0]
    keys = [jax.random.key(i) for i in range(64)]
    counter = itertools.count()

    def next_key():
        return keys[next(counter) % len(keys)]

    def jitted(f):
        fj = jax.jit(f)
        cell = [fj]

        def prepare():   # ahead-of-time compile, used where a warm-up run is too expensive
            cell[0] = fj.lower(keys[0]).compile()
        return {"run": lambda: cell[0](next_key()).block_until_ready(),
                "value": lambda: np.asarray(cell[0](next_key())), "prepare": prepare}

    dt = jnp.float32
    ours_jit = {
        "kaiming_uniform": jitted(lambda k: P.kaiming_uniform(k, shape, dt)),
        "kaiming_normal": jitted(lambda k: P.kaiming_normal(k, shape, dt)),
        "trunc_normal": jitted(lambda k: P.trunc_normal(k, shape, dt, std=TN_STD, a=TN_A, b=TN_B)),
        "orthogonal": jitted(lambda k: P.orthogonal(k, shape, dt)),
    }

    box = tp.empty(*shape)

    def inplace(call):
        return {"run": lambda: call(box).value.block_until_ready(),
                "value": lambda: np.asarray(call(box).value), "prepare": None}

    ours_inplace = {
        "kaiming_uniform": inplace(lambda b: tp.nn.init.kaiming_uniform_(b)),
        "kaiming_normal": inplace(lambda b: tp.nn.init.kaiming_normal_(b)),
        "trunc_normal": inplace(lambda b: tp.nn.init.trunc_normal_(b, std=TN_STD, a=TN_A, b=TN_B)),
        "orthogonal": inplace(lambda b: tp.nn.init.orthogonal_(b)),
    }

    t = torch.empty(shape)

    def tcall(call):
        return {"run": lambda: call(t), "value": lambda: call(t).numpy().copy(), "prepare": None}

    torch_ = {
        "kaiming_uniform": tcall(lambda x: torch.nn.init.kaiming_uniform_(x)),
        "kaiming_normal": tcall(lambda x: torch.nn.init.kaiming_normal_(x)),
        "trunc_normal": tcall(lambda x: torch.nn.init.trunc_normal_(x, std=TN_STD, a=TN_A, b=TN_B)),
        "orthogonal": tcall(lambda x: torch.nn.init.orthogonal_(x)),
    }

    ini = jax.nn.initializers
    vs_u = ini.variance_scaling(2.0, "fan_in", "uniform", in_axis=1, out_axis=0)
    vs_n = ini.variance_scaling(2.0, "fan_in", "normal", in_axis=1, out_axis=0)
    orth = ini.orthogonal()
    jaxnn = {
        "kaiming_uniform": jitted(lambda k: vs_u(k, shape, dt)),
        "kaiming_normal": jitted(lambda k: vs_n(k, shape, dt)),
        "trunc_normal": jitted(lambda k: jax.random.truncated_normal(
            k, TN_A / TN_STD, TN_B / TN_STD, shape, dt) * TN_STD),
        "orthogonal": jitted(lambda k: orth(k, (rows, n // rows), dt).reshape(shape)),
    }
    return {"ours-jit": ours_jit, "ours-inplace": ours_inplace, "torch": torch_, "jax.nn": jaxnn}


def run_steady(shapes, reps, budget_s, big_reps, big_budget_s, log):
    """Big orthogonal (numel >= 4096**2): no warm-up run (a QR there takes 10-40 s on 2 cores).
    The jitted sides are compiled ahead of time instead; the eager sides' first timed rep
    includes their (sub-second) compile; torch has nothing to compile."""
    _install_compile_counter()
    results = []
    for shape in shapes:
        n = math.prod(shape)
        cases = make_cases(shape)
        for init in INITS:
            big = init == "orthogonal" and n >= 4096 * 4096
            r, budget = (big_reps, big_budget_s) if big else (reps, budget_s)
            row = {"init": init, "shape": list(shape), "numel": n, "impls": {}}
            for impl in IMPLS:
                case = cases[impl][init]
                c_start = dict(_COMPILES)
                c_warm = {}
                m = time_steady(case["run"], reps=r, warmup=0 if big else 1, budget_s=budget,
                                min_reps=min(2, r), prepare=case["prepare"] if big else None,
                                on_warm=lambda: c_warm.update(_COMPILES))
                m["xla_compiles_warmup"] = c_warm["n"] - c_start["n"]
                m["xla_compiles_timed"] = _COMPILES["n"] - c_warm["n"]
                m["compile_s_timed"] = _COMPILES["s"] - c_warm["s"]
                v = case["value"]()
                m["std"] = float(v.std())
                m["ms"] = m["median_s"] * 1e3
                m["melem_s"] = n / m["median_s"] / 1e6
                notes = []
                if big:
                    notes.append(f"{r} timed reps requested, no warm-up run"
                                 + (" (AOT-compiled first)" if case["prepare"] else
                                    " (first rep includes any compile)" if impl != "torch" else ""))
                if m["reduced"]:
                    notes.append(f"stopped after {m['reps']} of {r} reps (time budget {budget:.0f}s)")
                if m["xla_compiles_timed"]:
                    notes.append(f"{m['xla_compiles_timed']} XLA compiles ({m['compile_s_timed']:.2f}s) "
                                 f"during {m['reps']} timed reps")
                if notes:
                    m["note"] = "; ".join(notes)
                row["impls"][impl] = m
                log(f"  {init:16s} {str(tuple(shape)):20s} {impl:13s} {m['ms']:10.2f} ms "
                    f"{m['melem_s']:9.1f} Melem/s  reps={m['reps']}  warmup={m['warmup_s']:.2f}s "
                    f"compiles(warm/timed)={m['xla_compiles_warmup']}/{m['xla_compiles_timed']} "
                    f"std={m['std']:.5g}")
            stds = [m["std"] for m in row["impls"].values()]
            row["std_spread"] = (max(stds) - min(stds)) / statistics.median(stds)
            if row["std_spread"] > 0.02:
                log(f"  WARNING: output std differs by {row['std_spread']:.1%} across impls for {init} {shape}")
            ij = row["impls"]
            row["ratios"] = {
                "ours-jit/jax.nn": ij["ours-jit"]["median_s"] / ij["jax.nn"]["median_s"],
                "ours-inplace/jax.nn": ij["ours-inplace"]["median_s"] / ij["jax.nn"]["median_s"],
                "ours-jit/torch": ij["ours-jit"]["median_s"] / ij["torch"]["median_s"],
                "ours-inplace/torch": ij["ours-inplace"]["median_s"] / ij["torch"]["median_s"],
            }
            results.append(row)
    return results


# --------------------------------------------------------------------------------------------
# Part 2: cold-process GPT-2-small fill
# --------------------------------------------------------------------------------------------
def gpt2_spec(n_layer=12, d=768, vocab=50257, n_pos=1024):
    """[(name, shape, kind, fan_in)] in torch layout; kind in normal/ones/zeros/kaiming/bias."""
    spec = [("wte.weight", [vocab, d], "normal", 0), ("wpe.weight", [n_pos, d], "normal", 0)]

    def linear(name, fin, fout):
        spec.append((f"{name}.weight", [fout, fin], "kaiming", fin))
        spec.append((f"{name}.bias", [fout], "bias", fin))

    def ln(name):
        spec.append((f"{name}.weight", [d], "ones", 0))
        spec.append((f"{name}.bias", [d], "zeros", 0))

    for i in range(n_layer):
        h = f"h.{i}"
        ln(f"{h}.ln_1")
        linear(f"{h}.attn.c_attn", d, 3 * d)
        linear(f"{h}.attn.c_proj", d, d)
        ln(f"{h}.ln_2")
        linear(f"{h}.mlp.c_fc", d, 4 * d)
        linear(f"{h}.mlp.c_proj", 4 * d, d)
    ln("ln_f")
    return spec


_CHILD_HEAD = r"""
import time
_t0 = time.perf_counter()
import json, math, sys
sys.path.insert(0, {root!r})
"""

_JAX_MONITOR = r"""
import jax
_ev = {}
def _listen(name, dur, **kw):
    c = _ev.setdefault(name, [0, 0.0]); c[0] += 1; c[1] += dur
jax.monitoring.register_event_duration_secs_listener(_listen)
def _compile_stats():
    b = _ev.get("/jax/core/compile/backend_compile_duration", [0, 0.0])
    tr = _ev.get("/jax/core/compile/jaxpr_trace_duration", [0, 0.0])
    ml = _ev.get("/jax/core/compile/jaxpr_to_mlir_module_duration", [0, 0.0])
    return {"xla_compiles": b[0], "backend_compile_s": b[1], "trace_s": tr[1], "lower_s": ml[1]}
"""

_CHILD_TAIL = r"""
_t2 = time.perf_counter()
_out = {"import_s": _t1 - _t0, "fill_s": _t2 - _t1, "total_s": _t2 - _t0,
        "tensors": _count, "numbers": _numbers}
try:
    _out.update(_compile_stats())
except NameError:
    pass
print("RESULT " + json.dumps(_out))
"""

CHILD = {
    "torch": r"""
import torch
_t1 = time.perf_counter()
spec = json.loads(sys.argv[1])
I = torch.nn.init
params = []
for name, shape, kind, fan_in in spec:
    t = torch.empty(shape)
    if kind == "normal": I.normal_(t)
    elif kind == "ones": I.ones_(t)
    elif kind == "zeros": I.zeros_(t)
    elif kind == "kaiming": I.kaiming_uniform_(t, a=math.sqrt(5))
    else:
        b = 1 / math.sqrt(fan_in); I.uniform_(t, -b, b)
    params.append(t)
_count, _numbers = len(params), sum(p.numel() for p in params)
""",
    "ours": r"""
import torchlike_params as tp
_t1 = time.perf_counter()
spec = json.loads(sys.argv[1])
I = tp.nn.init
params = []
for name, shape, kind, fan_in in spec:
    t = tp.empty(*shape)
    if kind == "normal": I.normal_(t)
    elif kind == "ones": I.ones_(t)
    elif kind == "zeros": I.zeros_(t)
    elif kind == "kaiming": I.kaiming_uniform_(t, a=math.sqrt(5))
    else:
        b = 1 / math.sqrt(fan_in); I.uniform_(t, -b, b)
    params.append(t)
for p in params:
    p.value.block_until_ready()
_count, _numbers = len(params), sum(p.numel() for p in params)
""",
    "jax-eager": r"""
import jax.numpy as jnp
_t1 = time.perf_counter()
spec = json.loads(sys.argv[1])
key = jax.random.key(0)
params = []
for name, shape, kind, fan_in in spec:
    shape = tuple(shape)
    if kind in ("ones", "zeros"):
        params.append((jnp.ones if kind == "ones" else jnp.zeros)(shape, jnp.float32))
        continue
    key, sub = jax.random.split(key)
    if kind == "normal":
        params.append(jax.random.normal(sub, shape, jnp.float32))
    else:   # kaiming_uniform(a=sqrt(5)) and the bias both give U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        b = 1 / math.sqrt(fan_in)
        params.append(jax.random.uniform(sub, shape, jnp.float32, -b, b))
for p in params:
    p.block_until_ready()
_count, _numbers = len(params), sum(p.size for p in params)
""",
    "flax-nnx": r"""
from flax import nnx
import jax.numpy as jnp
_t1 = time.perf_counter()
cfg = json.loads(sys.argv[2])
d, L, V, P = cfg["d"], cfg["n_layer"], cfg["vocab"], cfg["n_pos"]
ini = jax.nn.initializers
kaiming = ini.variance_scaling(1.0 / 3.0, "fan_in", "uniform")   # = kaiming_uniform(a=sqrt(5)) on (in, out)
def bias_init(fan_in):
    b = 1 / math.sqrt(fan_in)
    return lambda key, shape, dtype=jnp.float32: jax.random.uniform(key, shape, dtype, -b, b)
def linear(fin, fout, rngs):
    return nnx.Linear(fin, fout, kernel_init=kaiming, bias_init=bias_init(fin), rngs=rngs)
class Block(nnx.Module):
    def __init__(self, rngs):
        self.ln_1 = nnx.LayerNorm(d, rngs=rngs)
        self.c_attn = linear(d, 3 * d, rngs)
        self.attn_proj = linear(d, d, rngs)
        self.ln_2 = nnx.LayerNorm(d, rngs=rngs)
        self.c_fc = linear(d, 4 * d, rngs)
        self.mlp_proj = linear(4 * d, d, rngs)
class GPT2(nnx.Module):
    def __init__(self, rngs):
        self.wte = nnx.Embed(V, d, embedding_init=ini.normal(1.0), rngs=rngs)
        self.wpe = nnx.Embed(P, d, embedding_init=ini.normal(1.0), rngs=rngs)
        self.h = nnx.List([Block(rngs) for _ in range(L)])
        self.ln_f = nnx.LayerNorm(d, rngs=rngs)
model = GPT2(nnx.Rngs(0))
leaves = jax.tree.leaves(nnx.state(model, nnx.Param))
for p in leaves:
    p.block_until_ready()
_count, _numbers = len(leaves), sum(p.size for p in leaves)
""",
}
COLD_SIDES = ("torch", "ours", "ours-nocache", "jax-eager", "flax-nnx")
# "ours" runs with a bench-local executable cache warmed by one discarded run (every run after
# the first on a machine); "ours-nocache" compiles its few chunk programs in every process.
_CACHE_DIR = os.path.join(tempfile.gettempdir(), "torchlike_params_bench_xla")
_SIDE_ENV = {"ours": {"TORCHLIKE_PARAMS_CACHE_DIR": _CACHE_DIR},
             "ours-nocache": {"TORCHLIKE_PARAMS_CACHE_DIR": "off"}}
CHILD["ours-nocache"] = CHILD["ours"]


def child_code(side):
    code = _CHILD_HEAD.format(root=ROOT)
    if side != "torch":
        code += _JAX_MONITOR
    return code + CHILD[side] + _CHILD_TAIL


def run_cold(spec, cfg, runs, log):
    n_t, n_num = len(spec), sum(math.prod(s) for _, s, _, _ in spec)
    out = {}
    for side in COLD_SIDES:
        code = child_code(side)
        samples = []
        env = dict(os.environ, **_SIDE_ENV.get(side, {}))
        if side == "ours":   # warm the executable cache once (not timed)
            subprocess.run([sys.executable, "-c", code, json.dumps(spec), json.dumps(cfg)],
                           capture_output=True, text=True, cwd=ROOT, env=env)
        for i in range(runs):
            t = time.perf_counter()
            p = subprocess.run([sys.executable, "-c", code, json.dumps(spec), json.dumps(cfg)],
                               capture_output=True, text=True, cwd=ROOT, env=env)
            wall = time.perf_counter() - t
            if p.returncode != 0:
                raise RuntimeError(f"cold child {side!r} failed:\n{p.stderr[-4000:]}")
            line = next(l for l in p.stdout.splitlines() if l.startswith("RESULT "))
            r = json.loads(line[len("RESULT "):])
            r["process_wall_s"] = wall
            assert r["tensors"] == n_t and r["numbers"] == n_num, (side, r, n_t, n_num)
            samples.append(r)
            extra = (f" xla_compiles={r['xla_compiles']} backend_compile={r['backend_compile_s']:.2f}s"
                     f" trace={r['trace_s']:.2f}s lower={r['lower_s']:.2f}s" if "xla_compiles" in r else "")
            log(f"  {side:10s} run {i + 1}: import {r['import_s']:.2f}s fill {r['fill_s']:.2f}s "
                f"total {r['total_s']:.2f}s process {wall:.2f}s{extra}")
        med = {k: statistics.median(s[k] for s in samples)
               for k in samples[0] if isinstance(samples[0][k], (int, float))}
        out[side] = {"median": med, "runs": samples}
    for side in COLD_SIDES:
        m, tm = out[side]["median"], out["torch"]["median"]
        out[side]["ratio_vs_torch"] = {k: m[k] / tm[k] for k in ("import_s", "fill_s", "total_s", "process_wall_s")}
    return out


# --------------------------------------------------------------------------------------------
def _git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, timeout=10).stdout.strip()
    except Exception:  # pragma: no cover - no git
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller shapes, fewer reps (< 60 s smoke test)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "init_bench.json"))
    ap.add_argument("--skip-steady", action="store_true", help="run only part 2 (the cold GPT-2 fill)")
    args = ap.parse_args()

    # GPT-2-small's parameter set: asserted whatever the mode.
    full_spec = gpt2_spec()
    assert len(full_spec) == 148, len(full_spec)
    assert sum(math.prod(s) for _, s, _, _ in full_spec) == 124_439_808

    if args.quick:
        shapes = [(64, 64, 3, 3)]   # one small shape: every init x impl still runs
        reps, big_reps, budget_s, big_budget_s, cold_runs = 3, 2, 2.0, 2.0, 1
        cfg = dict(n_layer=1, d=768, vocab=50257, n_pos=1024)
    else:
        shapes = [(4096, 4096), (512, 512, 3, 3)]
        reps, big_reps, budget_s, big_budget_s, cold_runs = 9, 2, 20.0, 60.0, 3
        cfg = dict(n_layer=12, d=768, vocab=50257, n_pos=1024)
    spec = gpt2_spec(**cfg)
    n_t, n_num = len(spec), sum(math.prod(s) for _, s, _, _ in spec)

    def log(msg):
        print(msg, flush=True)

    t_start = time.perf_counter()
    import jax
    import torch
    import flax

    env = {"python": platform.python_version(), "jax": jax.__version__, "flax": flax.__version__,
           "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
           "cpu_count": os.cpu_count(), "jax_backend": jax.default_backend(),
           "machine": platform.machine(), "quick": args.quick, "loadavg_start": os.getloadavg(),
           "git_head": _git("rev-parse", "--short", "HEAD"),
           "library_dirty": bool(_git("status", "--porcelain", "--", "torchlike_params"))}
    log(f"env: {env}")
    if env["loadavg_start"][0] > 0.5:
        log(f"WARNING: 1-min load average is {env['loadavg_start'][0]:.2f} before starting: other processes "
            "compete for the CPUs and the timings will be noisy")

    log(f"\n[1] steady-state throughput (median of up to {reps} reps after 1 warm-up; "
        f"orthogonal on 4096x4096: {big_reps} reps, no warm-up run)")
    steady = [] if args.skip_steady else run_steady(shapes, reps, budget_s, big_reps, big_budget_s, log)
    env["part1_s"] = time.perf_counter() - t_start
    env["loadavg_after_part1"] = os.getloadavg()

    log(f"\n[2] cold-process GPT-2 fill: {n_t} tensors, {n_num:,} numbers, {cold_runs} run(s) per side")
    t_cold = time.perf_counter()
    cold = run_cold(spec, cfg, cold_runs, log)
    env["part2_s"] = time.perf_counter() - t_cold
    env["loadavg_end"] = os.getloadavg()

    # ---- tables -----------------------------------------------------------------------------
    print("\n" + "=" * 100)
    print("Steady-state init throughput: median ms (Melem/s); ratios are time ours / other "
          "(< 1 = ours faster)")
    rows = []
    for r in steady:
        ij = r["impls"]
        cell = {k: f"{ij[k]['ms']:.1f} ({ij[k]['melem_s']:.0f})" for k in IMPLS}
        ra = r["ratios"]
        rows.append([r["init"], "x".join(map(str, r["shape"])), *(cell[k] for k in IMPLS),
                     f"{ra['ours-jit/jax.nn']:.2f}", f"{ra['ours-inplace/jax.nn']:.2f}",
                     f"{ra['ours-jit/torch']:.2f}", f"{ra['ours-inplace/torch']:.2f}",
                     "/".join(str(ij[k]["reps"]) for k in IMPLS)])
    print(fmt_table(["init", "shape", *IMPLS, "jit/jax.nn", "inpl/jax.nn", "jit/torch", "inpl/torch", "reps"],
                    rows))
    notes = sorted({f"{r['init']} {tuple(r['shape'])} {k}: {m['note']}" for r in steady
                    for k, m in r["impls"].items() if m.get("note")})
    for n in notes:
        print("note:", n)
    print("target: ours-jit/jax.nn <= 1.05")

    print(f"\nCold-process GPT-2-small fill ({n_t} tensors, {n_num:,} numbers; median of {cold_runs} "
          f"fresh process(es)); seconds, ratio vs torch in brackets")
    rows = []
    for side in COLD_SIDES:
        m, ra = cold[side]["median"], cold[side]["ratio_vs_torch"]
        comp = (f"{int(m['xla_compiles'])} / {m['backend_compile_s']:.2f}s" if "xla_compiles" in m else "-")
        rows.append([side, f"{m['import_s']:.2f} ({ra['import_s']:.2f}x)", f"{m['fill_s']:.2f} ({ra['fill_s']:.2f}x)",
                     f"{m['total_s']:.2f} ({ra['total_s']:.2f}x)",
                     f"{m['process_wall_s']:.2f} ({ra['process_wall_s']:.2f}x)", comp])
    print(fmt_table(["side", "import", "fill", "import+fill", "process wall", "XLA compiles / time"], rows))
    print("target: ours fill <= 1.5x torch"
          + ("" if not args.quick else "   [QUICK: 1-layer config, not GPT-2-small]"))
    print("flax-nnx: nnx.Embed/nnx.Linear/nnx.LayerNorm with default nnx.Rngs(0), torch's distributions")

    elapsed = time.perf_counter() - t_start
    print(f"\nbenchmark wall time: {elapsed:.1f}s (part 1 {env['part1_s']:.1f}s, part 2 {env['part2_s']:.1f}s); "
          f"1-min load average start/after part 1/end: {env['loadavg_start'][0]:.2f}/"
          f"{env['loadavg_after_part1'][0]:.2f}/{env['loadavg_end'][0]:.2f} on {os.cpu_count()} CPUs")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"env": env, "steady": steady, "cold": {"config": cfg, "tensors": n_t, "numbers": n_num,
                   "runs": cold_runs, "sides": cold}, "wall_s": elapsed}, f, indent=1)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
