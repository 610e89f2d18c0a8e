"""Eager fills for every model shape, in cold processes: torch vs torchlike_params, one run.

Scenarios (each: a fresh process imports the framework, builds, then reads every parameter
with ``np.asarray``/``.numpy()``; build and read are timed separately):

* ``gpt2_trunc``: GPT-2-small's 148 tensors, every weight ``trunc_normal_(std=0.02)`` (the ViT,
  timm and HF init), biases zero, LayerNorms one/zero.
* ``gpt2_default``: the same tensors with torch's default distributions (the existing fill, to
  check it did not slow down).
* ``gpt2_modules``: GPT-2-small built from ``nn.Embedding``, ``nn.LayerNorm`` and ``nn.Linear``
  with torch's default init.
* ``linear_1x1``: ``ModuleList([Linear(1, 1) for _ in range(5000)])`` (10,000 tiny draws).
* ``small_norms``: 1,000 blocks of ``LayerNorm(32)`` + ``Linear(32, 32)`` (many small draws and
  deterministic fills).

Sides: ``torch``; ``ours`` (executable cache warmed by one discarded run, as every run after the
first on a machine); ``ours-nocache`` (``TORCHLIKE_PARAMS_CACHE_DIR=off``: compiles its few
programs in every process). Prints medians and ratios against torch; writes JSON to
``bench/results/seam_bench.json``.

    python bench/seam_bench.py [--runs 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from _common import fmt_table  # noqa: E402

CHILD = r"""
import time, sys, json, math
_t0 = time.perf_counter()
import numpy as np
side, scenario = sys.argv[1], sys.argv[2]
if side == "torch":
    import torch as fw
    def read(p): return p.detach().numpy()
else:
    sys.path.insert(0, {root!r})
    import torchlike_params as fw
    def read(p): return np.asarray(p)
nn, I = fw.nn, fw.nn.init
_t1 = time.perf_counter()
fw.manual_seed(0)
d, L, V, P = 768, 12, 50257, 1024
if scenario.startswith("gpt2"):
    trunc = scenario == "gpt2_trunc"
    params = []
    def weight(shape, fan_in):
        t = fw.empty(*shape)
        if trunc: I.trunc_normal_(t, std=0.02)
        elif fan_in == 0: I.normal_(t)
        else: I.kaiming_uniform_(t, a=math.sqrt(5))
        params.append(t)
    def bias(n, fan_in):
        t = fw.empty(n)
        if trunc: I.zeros_(t)
        else:
            b = 1 / math.sqrt(fan_in); I.uniform_(t, -b, b)
        params.append(t)
    def ln():
        params.append(I.ones_(fw.empty(d))); params.append(I.zeros_(fw.empty(d)))
    weight((V, d), 0); weight((P, d), 0)
    for _ in range(L):
        ln()
        for fin, fout in ((d, 3 * d), (d, d)):
            weight((fout, fin), fin); bias(fout, fin)
        ln()
        for fin, fout in ((d, 4 * d), (4 * d, d)):
            weight((fout, fin), fin); bias(fout, fin)
    ln()
elif scenario == "gpt2_modules":
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.c_fc, self.mlp_proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(V, d), nn.Embedding(P, d)
            self.h = nn.ModuleList([Block() for _ in range(L)])
            self.ln_f = nn.LayerNorm(d)
    model = GPT()
    params = list(model.parameters())
elif scenario == "linear_1x1":
    model = nn.ModuleList([nn.Linear(1, 1) for _ in range(5000)])
    params = list(model.parameters())
elif scenario == "small_norms":
    model = nn.ModuleList([nn.Sequential(nn.LayerNorm(32), nn.Linear(32, 32)) for _ in range(1000)])
    params = list(model.parameters())
_t2 = time.perf_counter()
total = 0.0
for p in params:
    a = read(p)
    total += float(a.ravel()[0]) if a.size else 0.0
_t3 = time.perf_counter()
print("RESULT " + json.dumps({{"import_s": _t1 - _t0, "build_s": _t2 - _t1, "read_s": _t3 - _t2,
                              "build_read_s": _t3 - _t1, "tensors": len(params),
                              "numbers": int(sum(int(np.prod(p.shape)) for p in params))}}))
"""

SCENARIOS = ("gpt2_trunc", "gpt2_default", "gpt2_modules", "linear_1x1", "small_norms")
SIDES = ("torch", "ours", "ours-nocache")
_CACHE_DIR = os.path.join(tempfile.gettempdir(), "torchlike_params_seam_bench_xla")


def run_one(side: str, scenario: str) -> dict:
    env = dict(os.environ)
    if side == "ours":
        env["TORCHLIKE_PARAMS_CACHE_DIR"] = _CACHE_DIR
    elif side == "ours-nocache":
        env["TORCHLIKE_PARAMS_CACHE_DIR"] = "off"
    code = CHILD.format(root=ROOT)
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code, "torch" if side == "torch" else "ours", scenario],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"{side}/{scenario} failed:\n{p.stderr[-3000:]}")
    r = json.loads(next(l for l in p.stdout.splitlines() if l.startswith("RESULT "))[7:])
    r["process_wall_s"] = wall
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one run per side (smoke test)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--out", default=os.path.join(HERE, "results", "seam_bench.json"))
    args = ap.parse_args()
    runs = 1 if args.quick else args.runs
    results: dict = {}
    for scenario in args.scenarios.split(","):
        run_one("ours", scenario)               # warm the executable cache (not timed)
        results[scenario] = {}
        for side in SIDES:
            samples = [run_one(side, scenario) for _ in range(runs)]
            med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
            results[scenario][side] = {"median": med, "runs": samples}
            print(f"{scenario:13s} {side:13s} build {med['build_s']:.3f}s read {med['read_s']:.3f}s "
                  f"build+read {med['build_read_s']:.3f}s", flush=True)
    rows = []
    for scenario, sides in results.items():
        t = sides["torch"]["median"]
        for side in SIDES:
            m = sides[side]["median"]
            rows.append([f"{scenario}/{side}", f"{m['build_s']:.3f}", f"{m['read_s']:.3f}",
                         f"{m['build_read_s']:.3f}", f"{m['build_read_s'] / t['build_read_s']:.2f}"])
    print()
    print(fmt_table(["scenario/side", "build s", "read s", "build+read s", "vs torch"], rows))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"runs": runs, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
