"""calculate_gain, fans and the float64 bound/std arithmetic, compared with torch 2.13 directly."""

import math

import numpy as np
import pytest
import torch

import torchlike_params as tp
from torchlike_params import _fans
from torchlike_params.initializers import _pure

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
BAD_NAMES = ["gelu", "Tanh", "ReLU", "", "identity", "softmax", "leaky-relu", "LINEAR"]


def _outcome(fn, *args, **kwargs):
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as e:  # noqa: BLE001 - compared with torch's exception
        return (type(e).__name__, str(e))


@pytest.mark.parametrize("name", NONLINEARITIES)
def test_gain_every_name_exact_value_and_type(name):
    ours, theirs = tp.nn.init.calculate_gain(name), torch.nn.init.calculate_gain(name)
    assert ours == theirs
    assert type(ours) is type(theirs)
    # the same through the pure namespace
    assert tp.initializers.calculate_gain(name) == theirs


@pytest.mark.parametrize("name", ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                  "conv_transpose2d", "conv_transpose3d", "sigmoid"])
def test_gain_is_python_int_one(name):
    g, tg = tp.nn.init.calculate_gain(name), torch.nn.init.calculate_gain(name)
    assert type(tg) is int and tg == 1
    assert type(g) is int and g == 1


@pytest.mark.parametrize("name", NONLINEARITIES)
@pytest.mark.parametrize("param", [None, 0.2, 1, 0, -0.5, np.float64(0.1), math.sqrt(5), 0.01, 3])
def test_gain_with_param(name, param):
    ours, theirs = tp.nn.init.calculate_gain(name, param), torch.nn.init.calculate_gain(name, param)
    assert ours == theirs and type(ours) is type(theirs)


@pytest.mark.parametrize("param", [True, False, "0.1", [0.1], np.float32(0.1), np.int64(2), 1j])
def test_gain_leaky_relu_bad_param_same_error(param):
    ours = _outcome(tp.nn.init.calculate_gain, "leaky_relu", param)
    theirs = _outcome(torch.nn.init.calculate_gain, "leaky_relu", param)
    assert ours == theirs
    if param is True or param == "0.1":
        assert theirs[0] == "ValueError"


def test_gain_torch_tensor_param_message():
    # torch rejects a tensor slope; our message must be the same for the same printed value
    theirs = _outcome(torch.nn.init.calculate_gain, "leaky_relu", torch.tensor(0.1))
    ours = _outcome(tp.nn.init.calculate_gain, "leaky_relu", tp.tensor(0.1))
    assert theirs[0] == ours[0] == "ValueError"
    assert theirs[1].startswith("negative_slope ") and ours[1].startswith("negative_slope ")
    assert theirs[1].endswith("not a valid number") and ours[1].endswith("not a valid number")


@pytest.mark.parametrize("name", BAD_NAMES)
def test_gain_unknown_name(name):
    ours, theirs = _outcome(tp.nn.init.calculate_gain, name), _outcome(torch.nn.init.calculate_gain, name)
    assert theirs[0] == "ValueError"
    assert ours == theirs


@pytest.mark.parametrize("name", ["tanh", "relu", "selu", "sigmoid"])
def test_gain_param_ignored_for_other_names(name):
    for param in ["junk", True, None, 0.3]:
        assert _outcome(tp.nn.init.calculate_gain, name, param) == _outcome(torch.nn.init.calculate_gain, name, param)


def test_selu_gain():
    assert tp.nn.init.calculate_gain("selu") == torch.nn.init.calculate_gain("selu")
    assert type(tp.nn.init.calculate_gain("selu")) is float


FAN_SHAPES = [(3, 5), (5, 3), (1, 1), (16, 8, 3, 3), (4, 0, 3), (0, 4, 3), (0, 0), (3, 0), (0, 7),
              (7, 3, 5), (2, 3, 4, 5, 6), (8, 4, 0, 2, 2), (1, 2, 1, 1, 1), (64, 3, 7, 7), (10, 20, 1),
              (3, 5, 0), (2, 2, 2, 2, 2, 2)]


@pytest.mark.parametrize("shape", FAN_SHAPES)
def test_fans_match_torch(shape):
    t = torch.empty(shape)
    expected = torch.nn.init._calculate_fan_in_and_fan_out(t)
    box = tp.empty(shape)
    assert tp.nn.init._calculate_fan_in_and_fan_out(box) == expected
    assert tp.nn.init.calculate_fan_in_and_fan_out(box) == expected
    assert _fans.calculate_fan_in_and_fan_out(shape) == expected
    assert _fans.calculate_fan_in_and_fan_out(list(shape)) == expected
    assert tp.initializers.calculate_fan_in_and_fan_out(shape) == expected
    assert all(type(f) is int for f in _fans.calculate_fan_in_and_fan_out(box))


@pytest.mark.parametrize("shape", [(), (5,), (0,), (1,)])
def test_fans_fewer_than_two_dims(shape):
    theirs = _outcome(torch.nn.init._calculate_fan_in_and_fan_out, torch.empty(shape))
    assert theirs[0] == "ValueError"
    assert _outcome(tp.nn.init._calculate_fan_in_and_fan_out, tp.empty(shape)) == theirs
    assert _outcome(_fans.calculate_fan_in_and_fan_out, shape) == theirs


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_IN", "Fan_Out", "fan_avg", "FAN_AVG", "fanin", ""])
@pytest.mark.parametrize("shape", [(16, 8, 3, 3), (3, 5), (4, 0, 3), (5,), ()])
def test_correct_fan_modes(mode, shape):
    theirs = _outcome(torch.nn.init._calculate_correct_fan, torch.empty(shape), mode)
    assert _outcome(tp.nn.init._calculate_correct_fan, tp.empty(shape), mode) == theirs
    assert _outcome(_fans.calculate_correct_fan, shape, mode) == theirs


def test_mode_validated_before_fans():
    # a 1-D tensor with a bad mode: torch reports the mode, not the dimensionality
    theirs = _outcome(torch.nn.init._calculate_correct_fan, torch.empty(5), "FAN_AVG")
    assert theirs[0] == "ValueError" and "fan_avg" in theirs[1]
    assert _outcome(tp.nn.init._calculate_correct_fan, tp.empty(5), "FAN_AVG") == theirs


# -- float64 bounds: captured from torch's own code path and from ours ----------------------------

def _capture_torch(monkeypatch, fn, shape, **kwargs):
    calls = []
    monkeypatch.setattr(torch.Tensor, "uniform_",
                        lambda self, a=0.0, b=1.0, generator=None: calls.append(("u", a, b)) or self)
    monkeypatch.setattr(torch.Tensor, "normal_",
                        lambda self, mean=0.0, std=1.0, generator=None: calls.append(("n", mean, std)) or self)
    fn(torch.empty(shape), **kwargs)
    monkeypatch.undo()
    return calls


def _capture_ours(monkeypatch, fn, shape, **kwargs):
    calls = []
    monkeypatch.setattr(tp.Tensor, "uniform_",
                        lambda self, a=0.0, b=1.0, generator=None, key=None: calls.append(("u", a, b)) or self)
    monkeypatch.setattr(tp.Tensor, "normal_",
                        lambda self, mean=0.0, std=1.0, generator=None, key=None: calls.append(("n", mean, std)) or self)
    fn(tp.empty(shape), **kwargs)
    monkeypatch.undo()
    return calls


def _capture_pure(monkeypatch, fn, shape, **kwargs):
    calls = []
    monkeypatch.setattr(_pure, "uniform", lambda key, shape, dtype, *, a, b: calls.append(("u", a, b)))
    monkeypatch.setattr(_pure, "normal", lambda key, shape, dtype, *, mean, std: calls.append(("n", mean, std)))
    fn(None, shape, **kwargs)
    monkeypatch.undo()
    return calls


BOUND_SHAPES = [(3, 5), (5, 4), (1, 1), (7, 1), (16, 8, 3, 3), (64, 3, 7, 7), (10, 20, 3), (2, 3, 4, 5, 6),
                (768, 3072), (3072, 768), (50257, 768), (17, 13)]
KAIMING_CASES = [dict(), dict(a=math.sqrt(5)), dict(a=0.2, mode="fan_out"), dict(a=1, nonlinearity="leaky_relu"),
                 dict(nonlinearity="relu"), dict(nonlinearity="relu", mode="FAN_OUT"), dict(nonlinearity="tanh"),
                 dict(nonlinearity="linear"), dict(nonlinearity="selu"), dict(nonlinearity="sigmoid", mode="fan_out"),
                 dict(a=np.float64(0.1)), dict(a=0.01, mode="Fan_In"), dict(nonlinearity="conv2d", a=3.0)]


@pytest.mark.parametrize("shape", BOUND_SHAPES)
@pytest.mark.parametrize("kw", KAIMING_CASES, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "default")
def test_kaiming_bounds_bit_exact(monkeypatch, shape, kw):
    for tname, ours_fn, pure_fn in (("kaiming_uniform_", tp.nn.init.kaiming_uniform_, tp.initializers.kaiming_uniform),
                                    ("kaiming_normal_", tp.nn.init.kaiming_normal_, tp.initializers.kaiming_normal)):
        theirs = _capture_torch(monkeypatch, getattr(torch.nn.init, tname), shape, **kw)
        assert len(theirs) == 1
        assert _capture_ours(monkeypatch, ours_fn, shape, **kw) == theirs
        assert _capture_pure(monkeypatch, pure_fn, shape, **kw) == theirs
        # and the helper: std = gain / sqrt(fan) exactly as torch's formula
        fan = torch.nn.init._calculate_correct_fan(torch.empty(shape), kw.get("mode", "fan_in"))
        gain = torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0))
        std = gain / math.sqrt(fan)
        ours_std = _fans.kaiming_std(shape, **kw)
        assert ours_std == std
        if tname == "kaiming_uniform_":
            assert theirs[0][2] == math.sqrt(3.0) * ours_std and theirs[0][1] == -theirs[0][2]
        else:
            assert theirs[0][2] == ours_std


@pytest.mark.parametrize("shape", BOUND_SHAPES)
@pytest.mark.parametrize("gain", [1.0, 1, math.sqrt(2.0), 5.0 / 3, 0.02, np.float64(0.5)])
def test_xavier_bounds_bit_exact(monkeypatch, shape, gain):
    for tname, ours_fn, pure_fn in (("xavier_uniform_", tp.nn.init.xavier_uniform_, tp.initializers.xavier_uniform),
                                    ("xavier_normal_", tp.nn.init.xavier_normal_, tp.initializers.xavier_normal)):
        theirs = _capture_torch(monkeypatch, getattr(torch.nn.init, tname), shape, gain=gain)
        assert len(theirs) == 1
        assert _capture_ours(monkeypatch, ours_fn, shape, gain=gain) == theirs
        assert _capture_pure(monkeypatch, pure_fn, shape, gain=gain) == theirs
        fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
        assert _fans.xavier_std(shape, gain) == std


@pytest.mark.parametrize("fan_in", [1, 3, 5, 64, 768, 3072, 12345])
def test_default_linear_bound_sqrt5(monkeypatch, fan_in):
    """torch's default Linear weight bound: kaiming_uniform_(a=sqrt(5)); not the same float as 1/sqrt(fan_in)."""
    theirs = _capture_torch(monkeypatch, torch.nn.init.kaiming_uniform_, (4, fan_in), a=math.sqrt(5))
    bound = theirs[0][2]
    assert math.sqrt(3.0) * _fans.kaiming_std((4, fan_in), a=math.sqrt(5)) == bound
    assert _capture_pure(monkeypatch, tp.initializers.kaiming_uniform, (4, fan_in), a=math.sqrt(5)) == theirs
    # the bias bound of nn.Linear: 1/sqrt(fan_in), computed by torch in its reset_parameters
    lin = torch.nn.Linear(fan_in, 2)
    w_fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(lin.weight)
    assert _fans.bias_bound(w_fan_in) == 1 / math.sqrt(w_fan_in)


def test_bias_bound_zero_fan():
    # torch: bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    fan_in = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(3, 0))[0]
    assert fan_in == 0
    assert _fans.bias_bound(fan_in) == 0
