"""The eager-init executable cache: cold processes agree bit for bit, and reuse the disk cache."""

import os
import subprocess
import sys

import numpy as np

CHILD = r"""
import sys, numpy as np, torchlike_params as tp
tp.manual_seed(123)
m = tp.nn.Sequential(tp.nn.Linear(300, 700), tp.nn.Linear(700, 5))
w = tp.empty(1200, 1000); tp.nn.init.normal_(w, 0.0, 0.02)
np.save(sys.argv[1], np.concatenate([np.asarray(m[0].weight).ravel(), np.asarray(m[1].bias), np.asarray(w).ravel()]))
"""


def _run(tmp_path, name, cache):
    env = dict(os.environ, TORCHLIKE_PARAMS_CACHE_DIR=cache)
    out = str(tmp_path / f"{name}.npy")
    res = subprocess.run([sys.executable, "-c", CHILD, out], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    return np.load(out)


def test_cold_processes_agree_with_and_without_cache(tmp_path):
    cache = str(tmp_path / "xla")
    first = _run(tmp_path, "first", cache)
    entries = sorted(os.listdir(cache))
    assert entries and all(e.endswith(".pkl") for e in entries)
    second = _run(tmp_path, "second", cache)          # loads every executable from disk
    assert sorted(os.listdir(cache)) == entries        # nothing new compiled
    off = _run(tmp_path, "off", "off")
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(first, off)


def test_corrupt_entry_is_recompiled(tmp_path):
    cache = tmp_path / "xla"
    first = _run(tmp_path, "first", str(cache))
    for entry in cache.iterdir():
        entry.write_bytes(b"not a pickle")
    again = _run(tmp_path, "again", str(cache))
    np.testing.assert_array_equal(first, again)
