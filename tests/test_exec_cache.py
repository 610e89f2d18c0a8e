"""The eager-init executable cache: cold processes agree bit for bit, reuse the disk cache, follow
XDG_CACHE_HOME, tell hits from misses, and warn once about rejected entries."""

import json
import os
import subprocess
import sys

import numpy as np

CHILD = r"""
import sys, json, warnings, numpy as np, torchlike_params as tp
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    tp.manual_seed(123)
    m = tp.nn.Sequential(tp.nn.Linear(300, 700), tp.nn.Linear(700, 5))
    w = tp.empty(1200, 1000); tp.nn.init.normal_(w, 0.0, 0.02)
    t = tp.nn.init.trunc_normal_(tp.empty(64, 64), std=0.02)
    v = np.concatenate([np.asarray(m[0].weight).ravel(), np.asarray(m[1].bias), np.asarray(w).ravel(),
                        np.asarray(t).ravel()])
np.save(sys.argv[1], v)
print(json.dumps({"stats": tp.random.cache_stats(),
                  "warnings": [str(c.message) for c in caught if "executable cache" in str(c.message)]}))
"""


def _run(tmp_path, name, env_updates):
    env = {k: v for k, v in os.environ.items() if k not in ("TORCHLIKE_PARAMS_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(env_updates)
    out = str(tmp_path / f"{name}.npy")
    res = subprocess.run([sys.executable, "-c", CHILD, out], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    return np.load(out), json.loads(res.stdout.strip().splitlines()[-1])


def test_cold_processes_agree_and_the_second_one_hits(tmp_path):
    cache = str(tmp_path / "xla")
    first, info1 = _run(tmp_path, "first", {"TORCHLIKE_PARAMS_CACHE_DIR": cache})
    entries = sorted(os.listdir(cache))
    assert entries and all(e.endswith(".pkl") for e in entries)
    assert info1["stats"]["misses"] == len(entries) and info1["stats"]["disk_hits"] == 0
    second, info2 = _run(tmp_path, "second", {"TORCHLIKE_PARAMS_CACHE_DIR": cache})
    assert sorted(os.listdir(cache)) == entries        # nothing new compiled
    assert info2["stats"]["misses"] == 0 and info2["stats"]["disk_hits"] == len(entries)
    off, info3 = _run(tmp_path, "off", {"TORCHLIKE_PARAMS_CACHE_DIR": "off"})
    assert info3["stats"]["disk_hits"] == 0 and info3["stats"]["misses"] == len(entries)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, off)


def test_cache_follows_xdg_cache_home(tmp_path):
    xdg = tmp_path / "xdg"
    _run(tmp_path, "xdg", {"XDG_CACHE_HOME": str(xdg)})
    assert list((xdg / "torchlike_params" / "xla").glob("*.pkl"))


def test_corrupt_entries_are_recompiled_counted_and_warned_once(tmp_path):
    cache = tmp_path / "xla"
    first, _ = _run(tmp_path, "first", {"TORCHLIKE_PARAMS_CACHE_DIR": str(cache)})
    entries = list(cache.iterdir())
    assert len(entries) >= 2
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    again, info = _run(tmp_path, "again", {"TORCHLIKE_PARAMS_CACHE_DIR": str(cache)})
    np.testing.assert_array_equal(first, again)
    assert info["stats"]["rejected"] == len(entries)
    assert len(info["warnings"]) == 1                  # one warning, however many entries were bad
    third, info3 = _run(tmp_path, "third", {"TORCHLIKE_PARAMS_CACHE_DIR": str(cache)})
    assert info3["stats"]["rejected"] == 0 and info3["stats"]["disk_hits"] == len(entries)


def test_key_includes_the_host_cpu():
    from torchlike_params.random import _exec_cache
    import jax.numpy as jnp
    k1 = _exec_cache._key("p", (jnp.ones(2),), {})
    _exec_cache.host_cpu.cache_clear()
    orig = _exec_cache.host_cpu
    try:
        _exec_cache.host_cpu = lambda: "another-machine"
        k2 = _exec_cache._key("p", (jnp.ones(2),), {})
    finally:
        _exec_cache.host_cpu = orig
    assert k1 != k2
