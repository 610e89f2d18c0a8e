"""The port examples (``examples/ports/``) at their small sizes: each model file is torch code with
swapped imports; built by torch and by torchlike_params from that one source, they must agree on
structure, initial distributions, outputs, gradients and buffers, and the port must train.

Each test runs one example's ``main(small=True)``: two builds, a jitted forward+backward
comparison against torch, a few optax steps. Tolerances: differences at most 1e-4 relative to
the larger of 1 and the torch value's scale (float32 through a whole network).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PORTS = Path(__file__).resolve().parents[1] / "examples" / "ports"
if str(PORTS) not in sys.path:
    sys.path.insert(0, str(PORTS))

import _harness as H  # noqa: E402

TOL = 1e-4


def _runner(name: str):
    spec = importlib.util.spec_from_file_location(f"_ports_runner_{name}", PORTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _close(diff: float, scale: float, tol: float = TOL) -> bool:
    return diff <= tol * max(1.0, scale)


def _check_structure(res: dict) -> None:
    s = res["structure"]
    assert s["repr_equal"], "repr(model) differs from torch's"
    assert s["init_worst"] < 0.2, f"initial std/mean differ from torch's by {s['init_worst']:.1%}"


def _check_step(r: dict, grad_tol: float = TOL) -> None:
    assert _close(r["out"], r["out_scale"]), f"outputs differ by {r['out']:.2e} (scale {r['out_scale']:.2e})"
    assert _close(r["loss"], abs(r["loss_value"])), f"losses differ by {r['loss']:.2e}"
    assert _close(r["grad"], r["grad_scale"], grad_tol), \
        f"gradients differ by {r['grad']:.2e} (scale {r['grad_scale']:.2e})"
    assert r["buffers"] <= 1e-5, f"buffers differ by {r['buffers']:.2e}"
    assert r["grad_scale"] > 0, "all-zero gradients compare trivially"


def _check_losses(losses: list) -> None:
    assert all(np.isfinite(losses)), losses
    assert H.decreased(losses), f"the loss did not go down: {losses}"


def test_resnet18(tmp_path):
    res = _runner("resnet18").main(small=True, out_dir=tmp_path)
    _check_structure(res)
    _check_step(res["eval"])
    _check_step(res["train"])         # batch statistics, and running statistics updated like torch's
    assert res["train"]["buffers"] <= 1e-5
    _check_losses(res["losses"])
    assert (tmp_path / "resnet18_loss.png").stat().st_size > 1000


def test_dcgan():
    res = _runner("dcgan").main(small=True, plot=False)
    _check_structure(res)
    _check_step(res["eval"])
    _check_step(res["train"])
    _check_losses(res["history"]["errD"])
    assert all(np.isfinite(res["history"]["errG"]))


def test_mnist_cnn():
    res = _runner("mnist_cnn").main(small=True, plot=False)
    _check_structure(res)
    _check_step(res["eval"])
    _check_losses(res["losses"])
    ours, ref = res["test"]["ours"], res["test"]["torch"]
    assert res["test"]["loss_diff"] <= 1e-4 * max(1.0, ref[0])
    assert ours[1] == ref[1]            # the example's test() gives torch's accuracy on the port's weights


@pytest.mark.parametrize("flash", [True, False], ids=["sdpa", "tril-mask"])
def test_gpt2(flash):
    res = _runner("gpt2").main(small=True, flash=flash, plot=False)
    _check_structure(res)
    assert res["num_params"][0] == res["num_params"][1]
    assert res["structure"]["ties"] == [["transformer.wte.weight", "lm_head.weight"]]
    _check_step(res["eval"])
    _check_losses(res["losses"])
    assert res["generate_equal"], "greedy generate() differs from torch's on the same weights"
    assert res["crop_diff"] == 0.0


def test_word_lm():
    res = _runner("word_lm").main(small=True, plot=False)
    _check_structure(res)
    assert res["structure"]["ties"] == [["encoder.weight", "decoder.weight"]]     # tie_weights=True
    _check_step(res["eval"])
    assert res["clip"]["norm"] <= 1e-5 and res["clip"]["grads"] <= 1e-6
    _check_losses(res["losses"])


def test_transformer_classifier():
    res = _runner("transformer_classifier").main(small=True, plot=False)
    _check_structure(res)
    assert res["pe"] <= 1e-5
    _check_step(res["eval"])
    _check_losses(res["losses"])


# -- the mechanism: one source, imports swapped --------------------------------------------------
@pytest.mark.parametrize("name", ["resnet", "dcgan", "mnist", "gpt", "word_lm", "transformer_classifier"])
def test_model_files_differ_from_torch_only_in_imports(name):
    import torch
    source = (H.MODELS / f"{name}.py").read_text()
    swapped = H.swap_imports(source)
    changed = [(a, b) for a, b in zip(source.splitlines(), swapped.splitlines()) if a != b]
    assert changed and all(a.lstrip().startswith(("import ", "from ")) for a, _ in changed)
    ref = H.load_model_file(name, "torch")
    assert ref.nn is torch.nn          # the twin really is torch


def test_swap_imports_rejects_other_uses():
    with pytest.raises(ValueError, match="outside an import line at line 2"):
        H.swap_imports("import torchlike_params as torch\nx = torchlike_params.ones(2)\n")


def test_runs_from_the_command_line(tmp_path):
    proc = subprocess.run([sys.executable, str(PORTS / "word_lm.py"), "--small", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "max|grad diff|" in proc.stdout and "| epoch   3 |" in proc.stdout
    assert (tmp_path / "word_lm_loss.png").exists()
