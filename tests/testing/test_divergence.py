"""``torchlike_params.testing``: the divergence report and the assertion helpers, against real torch 2.13.

Each model is written once against an ``nn`` namespace and built twice (``torch.nn`` and
``tp.nn``), as a port is. A planted difference (a wrong padding, a wrong eps, a wrong
activation, a wrong backward) must be named first by the report; the numbers in the tables
are checked against differences computed here directly.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp
from torchlike_params.testing import (DivergenceReport, assert_outputs_close, assert_state_close,
                                      compare_modules)

RNG = np.random.default_rng(0)
IMAGES = RNG.standard_normal((4, 3, 8, 8)).astype(np.float32)
TOKENS = RNG.integers(0, 20, (2, 5))
SEQ = RNG.standard_normal((2, 5, 16)).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# The models, written once per framework namespace
# ---------------------------------------------------------------------------------------------
def cnn(nn, *, padding=1, padding_mode="zeros", eps=1e-5):
    """conv-bn-relu-pool twice, then global pooling and a linear head; the second block is the
    one a test gets wrong."""
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(8, 8, 3, padding=padding, padding_mode=padding_mode), nn.BatchNorm2d(8, eps=eps),
                nn.ReLU())
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(8, 5)

        def forward(self, x):
            x = self.features(x)
            return self.fc(self.pool(x).flatten(1))
    return Net()


def lstm_lm(nn):
    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 6)
            self.rnn = nn.LSTM(6, 8, num_layers=2, batch_first=True)
            self.head = nn.Linear(8, 20)

        def forward(self, idx):
            out, (h, c) = self.rnn(self.emb(idx))
            return self.head(out), (h, c)
    return LM()


def encoder(nn, *, norm2_eps=1e-5):
    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0, batch_first=True)
            self.block.norm2 = nn.LayerNorm(16, eps=norm2_eps)
            self.head = nn.Linear(16, 3)

        def forward(self, x, mask=None):
            return self.head(self.block(x, src_key_padding_mask=mask).mean(1))
    return Classifier()


def mlp(nn, act):
    """Linear, an activation, Linear: the activation class is the planted difference."""
    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(6, 8)
            self.act = act()
            self.fc2 = nn.Linear(8, 3)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))
    return MLP()


def pair(make, **ours_kwargs):
    torch.manual_seed(0)
    return make(torch.nn), make(tp.nn, **ours_kwargs)


def _np(t):
    return t.detach().numpy()


# ---------------------------------------------------------------------------------------------
# Equal weights: no divergence, every module and parameter matched, numbers as computed here
# ---------------------------------------------------------------------------------------------
def test_cnn_equal_weights_no_divergence_and_numbers_match_a_direct_comparison():
    theirs, ours = pair(cnn)
    report = compare_modules(theirs, ours, IMAGES, verbose=False)
    assert isinstance(report, DivergenceReport)
    assert report.ok, str(report)
    assert report.first_divergent is None and report.grads.first_divergent is None
    names = [n for n, _ in theirs.named_modules()]
    # calls in the order they finish: children of `features` in order, then `features`, ..., root last
    assert [r.label for r in report.forward.rows] == names[2:9] + ["features", "pool", "fc", ""]
    assert all(r.note == "" and r.torch_type == r.our_type for r in report.forward.rows)
    assert sorted(r.label for r in report.grads.rows) == sorted(n for n, _ in theirs.named_parameters())
    assert report.grads.rows[0].label == "fc.weight"             # nearest the loss first
    assert report.grads.rows[-1].label == "features.0.bias"
    # the root row's figure is the difference of the two outputs (torch ran once more in train
    # mode: batch statistics do not depend on the running ones, so the output is the same; ours
    # ran jitted there and eagerly here, which may move the last bit)
    ours_out = np.asarray(tp.functional_call(ours, ours.state_dict(), jnp.asarray(IMAGES)))
    theirs_out = _np(theirs(torch.from_numpy(IMAGES)))
    root = report.forward.row("")
    assert root.shapes == root.our_shapes == ((4, 5),)
    assert abs(root.max_abs - np.abs(ours_out.astype(np.float64) - theirs_out).max()) < 1e-7
    assert 0 < root.max_abs < 1e-5
    text = str(report)
    assert "no divergence" in text and "FIRST" not in text and ">>" not in text
    assert text.count("\n\n") == 3        # three tables (forward, parameter and input gradients), a summary
    assert text.endswith("Summary: no divergence.")


def test_lstm_tuple_outputs_are_compared_leaf_by_leaf():
    theirs, ours = pair(lstm_lm)
    report = compare_modules(theirs, ours, TOKENS, verbose=False, input_grads=False)
    assert report.ok, str(report)
    rnn = report.forward.row("rnn")
    assert rnn.shapes == ((2, 5, 8), (2, 2, 8), (2, 2, 8))      # (out, (h, c))
    assert report.forward.row("").shapes == ((2, 5, 20), (2, 2, 8), (2, 2, 8))
    assert [r.label for r in report.grads.rows][:2] == ["head.weight", "head.bias"]
    assert report.grads.rows[-1].label == "emb.weight"
    assert report.input_grads is None


def test_transformer_block_equal_then_wrong_layernorm_eps_is_named_first():
    theirs, ours = pair(encoder)
    mask = np.zeros((2, 5), bool)
    mask[0, 3:] = True                                     # keyword inputs are converted too
    report = compare_modules(theirs, ours, SEQ, kwargs={"mask": mask}, verbose=False, grads=False)
    assert report.ok, str(report)
    assert report.rows == report.forward.rows
    labels = [r.label for r in report.forward.rows]
    assert labels.index("block.self_attn") < labels.index("block.norm1") < labels.index("block.norm2")
    assert labels[-3:] == ["block", "head", ""]

    theirs, ours = pair(encoder, norm2_eps=1e-1)
    report = compare_modules(theirs, ours, SEQ, verbose=False)
    assert report.first_divergent.label == "block.norm2"
    assert report.forward.row("block.norm1").divergent is False
    assert report.input_grads.first_divergent.label == "block.norm2"
    assert "first divergence: `block.norm2` (LayerNorm)" in str(report)


# ---------------------------------------------------------------------------------------------
# Planted differences in the forward pass
# ---------------------------------------------------------------------------------------------
def test_wrong_padding_changes_shapes_and_is_named_first():
    theirs, ours = pair(cnn, padding=0)
    report = compare_modules(theirs, ours, IMAGES, verbose=False, grads=False)
    first = report.first_divergent
    assert first.label == "features.4" and first.torch_type == "Conv2d"
    assert first.shapes == ((4, 8, 4, 4),) and first.our_shapes == ((4, 8, 2, 2),)
    assert first.note == "shape"
    assert report.forward.divergent_labels[:3] == ["features.4", "features.5", "features.6"]
    text = str(report.forward)
    first_line = next(line for line in text.splitlines() if line.startswith(">>"))
    assert "features.4" in first_line and "4x8x4x4 vs ours 4x8x2x2" in first_line and "<- FIRST" in first_line


def test_wrong_padding_mode_same_shapes_is_named_first_with_its_difference():
    theirs, ours = pair(cnn, padding_mode="reflect")
    report = compare_modules(theirs, ours, IMAGES, verbose=False, grads=False)
    first = report.first_divergent
    assert first.label == "features.4" and first.shapes == first.our_shapes
    # the figure is the difference of the two convolutions' outputs, recomputed here
    x = torch.from_numpy(IMAGES)
    with torch.no_grad():
        h = theirs.features[:4](x)
        want = theirs.features[4](h).numpy()
    conv = tp.nn.Conv2d(8, 8, 3, padding=1, padding_mode="reflect")
    conv.load_state_dict(theirs.features[4].state_dict())
    got = np.asarray(conv(jnp.asarray(h.numpy())))
    assert first.max_abs == pytest.approx(np.abs(got.astype(np.float64) - want).max(), rel=1e-5)
    assert all(not r.divergent for r in report.forward.rows[:4])


def test_wrong_batchnorm_eps_is_named_first_in_forward_and_input_gradients():
    theirs, ours = pair(cnn, eps=1e-2)
    report = compare_modules(theirs, ours, IMAGES, verbose=False)
    assert report.first_divergent.label == "features.5"
    assert report.first_divergent.torch_type == "BatchNorm2d"
    assert not report.ok
    # backward: the BatchNorm is the first module whose input gradient differs
    assert report.input_grads.first_divergent.label == "features.5"
    assert report.input_grads.row("features.6").divergent is False
    assert str(report).endswith("Summary: the outputs first differ at `features.5` (BatchNorm2d); "
                                "the gradient differences follow from it.")


def test_wrong_activation_in_a_module_called_twice_labels_each_call():
    class Twice:
        def __init__(self, nn, act):
            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(5, 5)
                    self.act = act(nn)

                def forward(self, x):
                    return self.fc(self.act(self.fc(x)))
            self.model = M()

    torch.manual_seed(0)
    theirs = Twice(torch.nn, lambda nn: nn.Tanh()).model
    ours = Twice(tp.nn, lambda nn: nn.Hardtanh()).model
    x = RNG.standard_normal((3, 5)).astype(np.float32) * 3
    report = compare_modules(theirs, ours, x, verbose=False, jit=False, input_grads=False)
    assert [r.label for r in report.forward.rows] == ["fc#0", "act", "fc#1", ""]
    assert report.forward.row("fc#0").divergent is False
    assert report.first_divergent.label == "act"
    assert report.first_divergent.type_text == "Tanh vs Hardtanh"
    assert report.forward.divergent_labels == ["act", "fc#1", ""]


# ---------------------------------------------------------------------------------------------
# Planted differences in the backward pass only
# ---------------------------------------------------------------------------------------------
def _straight_through_relu(nn):
    """ReLU forward whose backward lets every gradient through (a wrong backward, same forward)."""
    @jax.custom_vjp
    def relu(x):
        return jnp.maximum(x, 0)
    relu.defvjp(lambda x: (jnp.maximum(x, 0), None), lambda _, g: (g,))

    class StraightThroughReLU(nn.Module):
        def forward(self, x):
            return relu(jnp.asarray(x))
    return StraightThroughReLU()


def test_wrong_backward_is_named_by_the_gradient_tables_not_the_forward():
    torch.manual_seed(0)
    theirs = mlp(torch.nn, torch.nn.ReLU)
    ours = mlp(tp.nn, lambda: _straight_through_relu(tp.nn))
    x = RNG.standard_normal((7, 6)).astype(np.float32)
    report = compare_modules(theirs, ours, x, verbose=False)
    assert report.forward.ok, str(report.forward)
    assert report.forward.row("act").type_text == "ReLU vs StraightThroughReLU"
    assert [r.label for r in report.grads.rows] == ["fc2.weight", "fc2.bias", "fc1.weight", "fc1.bias"]
    assert report.grads.divergent_labels == ["fc1.weight", "fc1.bias"]
    assert report.grads.first_divergent.label == "fc1.weight"
    assert report.input_grads.first_divergent.label == "act"
    assert report.input_grads.row("fc2").divergent is False
    assert not report.ok
    assert report.summary == ("Summary: the outputs match; backward first differs at the input of `act` "
                              "and parameter `fc1.weight`.")


def test_a_parameter_without_gradient_is_named_alone():
    class Frozen(tp.nn.Linear):
        def forward(self, x):
            return jnp.asarray(x) @ jax.lax.stop_gradient(self.weight.value).T + self.bias.value

    torch.manual_seed(0)
    theirs = mlp(torch.nn, torch.nn.Tanh)
    ours = mlp(tp.nn, tp.nn.Tanh)
    ours.fc2 = Frozen(8, 3)
    x = RNG.standard_normal((7, 6)).astype(np.float32)
    report = compare_modules(theirs, ours, x, verbose=False, input_grads=False)
    assert report.forward.ok
    assert report.grads.divergent_labels == ["fc2.weight"]
    row = report.grads.first_divergent
    # ours is 0: the largest difference is the largest torch gradient, the relative one 1
    theirs.zero_grad()
    y = theirs(torch.from_numpy(x))
    (y * torch.as_tensor(np.random.default_rng(0).standard_normal(y.shape), dtype=y.dtype)).sum().backward()
    assert row.max_abs == pytest.approx(float(theirs.fc2.weight.grad.abs().max()), rel=1e-6)
    assert row.max_rel == 1.0


def test_loss_fn_one_callable_or_a_pair():
    torch.manual_seed(0)
    theirs, ours = mlp(torch.nn, torch.nn.Tanh), mlp(tp.nn, tp.nn.Tanh)
    x = RNG.standard_normal((7, 6)).astype(np.float32)
    same = compare_modules(theirs, ours, x, loss_fn=lambda out: (out ** 2).mean(), verbose=False)
    assert same.ok, str(same)
    doubled = compare_modules(theirs, ours, x, loss_fn=(lambda out: (out ** 2).mean(),
                                                        lambda out: 2 * (out ** 2).mean()),
                              verbose=False, input_grads=False)
    assert doubled.forward.ok
    assert doubled.grads.first_divergent.label == "fc2.weight"
    assert all(r.divergent and r.max_rel == pytest.approx(1.0, rel=1e-4) for r in doubled.grads.rows)
    with pytest.raises(TypeError, match=re.escape("Expected `loss_fn` to be a callable or a pair")):
        compare_modules(theirs, ours, x, loss_fn=(len,), verbose=False)


# ---------------------------------------------------------------------------------------------
# Unmatched calls, modes, printing
# ---------------------------------------------------------------------------------------------
def test_calls_on_one_side_only_are_listed_and_modes_are_noted(capsys):
    class Functional(tp.nn.Module):                  # calls F.relu: no module "1"
        def __init__(self):
            super().__init__()
            self.add_module("0", tp.nn.Linear(4, 3))
            self.add_module("2", tp.nn.Linear(3, 2))

        def forward(self, x):
            return {"y": getattr(self, "2")(tp.nn.functional.relu(getattr(self, "0")(x)))}

    class Dict(torch.nn.Sequential):
        def forward(self, x):
            return {"y": super().forward(x)}

    torch.manual_seed(0)
    theirs = Dict(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)).eval()
    ours = Functional()
    report = compare_modules(theirs, ours, RNG.standard_normal((2, 4)).astype(np.float32), grads=False)
    assert [r.label for r in report.forward.rows] == ["0", "1", "2", ""]
    only = report.forward.row("1")
    assert only.note == "only in torch" and not only.divergent and only.our_shapes == ()
    assert report.forward.row("").shapes == ((2, 2),)            # a dict output
    assert report.ok
    assert report.notes and "`(root)` (torch eval, ours train)" in report.notes[0]
    printed = capsys.readouterr().out
    assert printed.strip() == str(report).strip()
    assert printed.startswith("note: train/eval modes differ")
    assert "only in torch" in printed


# ---------------------------------------------------------------------------------------------
# assert_state_close / assert_outputs_close
# ---------------------------------------------------------------------------------------------
def test_assert_state_close_passes_either_way_round_and_for_modules():
    theirs, ours = pair(cnn)
    ours.load_state_dict({k: _np(v) for k, v in theirs.state_dict().items()})
    assert_state_close(ours.state_dict(), theirs.state_dict())
    assert_state_close(theirs.state_dict(), ours.state_dict())
    assert_state_close(ours, theirs)
    assert_state_close(tp.to_nested(ours.state_dict()), theirs)


def test_assert_state_close_report_names_keys_shapes_and_worst_elements():
    theirs, ours = pair(cnn)
    sd = {k: _np(v).copy() for k, v in theirs.state_dict().items()}
    sd["features.4.weight"][2, 1, 0, 2] += 0.25
    sd["fc.bias"] = sd["fc.bias"][:3]
    sd["classifier.weight"] = sd.pop("fc.weight")
    with pytest.raises(AssertionError) as e:
        assert_state_close(sd, theirs.state_dict(), names=("ours", "torch"), msg="after loading")
    text = str(e.value)
    lines = text.splitlines()
    assert lines[0] == "after loading"
    assert lines[1] == "State dicts are not close (atol=1e-05, rtol=1e-05):"
    assert "missing keys (in torch, not in ours): 'fc.weight'" in lines
    assert "unexpected keys (in ours, not in torch): 'classifier.weight'" in lines
    assert "  'fc.bias': ours (3,), torch (5,)" in lines
    assert "values differ in 1 of" in text
    worst = next(line for line in lines if "'features.4.weight'" in line)
    want = _np(theirs.features[4].weight)[2, 1, 0, 2]
    assert "1 of 576 elements differ" in worst and "at index (2, 1, 0, 2)" in worst
    assert f"(ours {str(want + np.float32(0.25))}, torch {str(want)})" in worst
    with pytest.raises(TypeError, match=re.escape("Expected `expected` to be a state dict")):
        assert_state_close({}, [1, 2])


def test_assert_state_close_dtype_check_and_tolerances():
    a = {"w": np.ones(3, np.float32), "n": np.array(3, np.int64)}
    b = {"w": jnp.ones(3) * (1 + 5e-6), "n": jnp.array(3)}
    assert_state_close(a, b)                                      # int64 vs int32 ignored by default
    with pytest.raises(AssertionError, match=r"dtype mismatches \(1\):\n  'n': actual int64, expected int32"):
        assert_state_close(a, b, check_dtype=True)
    with pytest.raises(AssertionError, match=r"'w' \(3,\): 3 of 3 elements differ"):
        assert_state_close(a, b, atol=0.0, rtol=1e-6)


def test_assert_outputs_close_on_lstm_outputs():
    theirs, ours = pair(lstm_lm)
    ours.load_state_dict({k: _np(v) for k, v in theirs.state_dict().items()})
    t_out = theirs(torch.from_numpy(TOKENS))
    o_out = ours(jnp.asarray(TOKENS))
    assert_outputs_close(o_out, t_out, names=("ours", "torch"))
    logits, (h, c) = o_out
    with pytest.raises(AssertionError) as e:
        assert_outputs_close((logits, (h, c + 1e-3)), t_out, names=("ours", "torch"))
    assert "values differ in 1 of 3 compared arrays:\n  [1][1] (2, 2, 8): 32 of 32 elements differ" in str(e.value)
    with pytest.raises(AssertionError) as e:
        assert_outputs_close((logits, h), t_out)
    text = str(e.value)
    assert "missing paths (in expected, not in actual): [1][0], [1][1]" in text
    assert "unexpected paths (in actual, not in expected): [1]" in text
    with pytest.raises(AssertionError, match=re.escape("output: actual (2, 5, 20), expected (2, 5)")):
        assert_outputs_close(logits, t_out[0][..., 0])


# ---------------------------------------------------------------------------------------------
# torch is optional: imported lazily, with an install hint when missing
# ---------------------------------------------------------------------------------------------
def test_without_torch_compare_says_how_to_install_and_asserts_still_work(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)             # `import torch` now raises ImportError
    with pytest.raises(ImportError) as e:
        compare_modules(object(), tp.nn.Linear(2, 2), np.ones((1, 2), np.float32))
    msg = str(e.value)
    assert "pip install torch==2.13.0" in msg
    assert "--index-url https://download.pytorch.org/whl/cpu" in msg
    assert_state_close({"w": jnp.ones(2)}, {"w": np.ones(2)})
    assert_outputs_close(jnp.ones(2), tp.ones(2))


def test_importing_does_not_load_torch_or_this_package():
    code = textwrap.dedent("""
        import sys
        import torchlike_params, torchlike_params.nn
        print("TESTING", "torchlike_params.testing" in sys.modules)
        import torchlike_params.testing
        print("TORCH", "torch" in sys.modules)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       cwd=str(Path(__file__).resolve().parents[2]))
    assert r.returncode == 0, r.stderr
    out = dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())
    assert out == {"TESTING": "False", "TORCH": "False"}
