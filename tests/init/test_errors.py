"""Bad calls: every one runs through torch and through torchlike_params (both faces where the check
exists) and must raise the same exception type with the same message. Warnings likewise."""

import warnings

import jax
import numpy as np
import pytest
import torch

import torchlike_params as tp

INF = float("inf")
NAN = float("nan")


class T:
    """torch side."""
    init = torch.nn.init

    @staticmethod
    def empty(*shape, dtype="float32"):
        return torch.empty(*shape, dtype=getattr(torch, dtype))


class O:
    """torchlike_params side (torch face)."""
    init = tp.nn.init

    @staticmethod
    def empty(*shape, dtype="float32"):
        return tp.empty(*shape, dtype=getattr(tp, dtype))


def outcome(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - compared with torch's exception
            return type(e).__name__, str(e)
    return "no error", ""


# (id, call(L)) -- the same expression run with L = T (torch) and L = O (ours)
CASES = [
    ("kaiming_uniform bad mode", lambda L: L.init.kaiming_uniform_(L.empty(3, 5), mode="fan_avg")),
    ("kaiming_normal bad mode upper", lambda L: L.init.kaiming_normal_(L.empty(3, 5), mode="FAN_AVG")),
    ("kaiming_uniform mode before fans", lambda L: L.init.kaiming_uniform_(L.empty(5), mode="bad")),
    ("kaiming_uniform unsupported nonlinearity", lambda L: L.init.kaiming_uniform_(L.empty(3, 5), nonlinearity="gelu")),
    ("kaiming_normal unsupported nonlinearity", lambda L: L.init.kaiming_normal_(L.empty(3, 5), nonlinearity="Tanh")),
    ("kaiming fans before nonlinearity", lambda L: L.init.kaiming_uniform_(L.empty(5), nonlinearity="gelu")),
    ("kaiming_uniform slope bool", lambda L: L.init.kaiming_uniform_(L.empty(3, 5), a=True)),
    ("kaiming_normal slope str", lambda L: L.init.kaiming_normal_(L.empty(3, 5), a="0.1")),
    ("kaiming_uniform slope np.float32", lambda L: L.init.kaiming_uniform_(L.empty(3, 5), a=np.float32(0.5))),
    ("kaiming_uniform 1-D", lambda L: L.init.kaiming_uniform_(L.empty(5))),
    ("kaiming_normal 1-D", lambda L: L.init.kaiming_normal_(L.empty(7))),
    ("kaiming_uniform 0-D", lambda L: L.init.kaiming_uniform_(L.empty(()))),
    ("xavier_uniform 1-D", lambda L: L.init.xavier_uniform_(L.empty(5))),
    ("xavier_normal 0-D", lambda L: L.init.xavier_normal_(L.empty(()))),
    ("xavier_normal (0,0)", lambda L: L.init.xavier_normal_(L.empty(0, 0))),
    ("xavier_uniform (0,0)", lambda L: L.init.xavier_uniform_(L.empty(0, 0))),
    ("xavier_uniform (0,0,3)", lambda L: L.init.xavier_uniform_(L.empty(0, 0, 3))),
    ("eye 3-D", lambda L: L.init.eye_(L.empty(2, 3, 4))),
    ("eye 1-D", lambda L: L.init.eye_(L.empty(3))),
    ("dirac 2-D", lambda L: L.init.dirac_(L.empty(3, 4))),
    ("dirac 6-D", lambda L: L.init.dirac_(L.empty(2, 2, 1, 1, 1, 1))),
    ("dirac groups not dividing", lambda L: L.init.dirac_(L.empty(5, 2, 3), groups=2)),
    ("dirac groups=0", lambda L: L.init.dirac_(L.empty(4, 2, 3), groups=0)),
    ("sparse 3-D", lambda L: L.init.sparse_(L.empty(3, 4, 5), 0.1)),
    ("sparse 1-D", lambda L: L.init.sparse_(L.empty(5), 0.1)),
    ("orthogonal 1-D", lambda L: L.init.orthogonal_(L.empty(5))),
    ("orthogonal 0-D", lambda L: L.init.orthogonal_(L.empty(()))),
    ("uniform a > b", lambda L: L.init.uniform_(L.empty(3, 5), 1, 0)),
    ("uniform a > b small", lambda L: L.init.uniform_(L.empty(3, 5), 1e-7, 0.0)),
    ("uniform a > b large", lambda L: L.init.uniform_(L.empty(3, 5), 123456789.0, -0.5)),
    ("uniform -inf", lambda L: L.init.uniform_(L.empty(3), -INF, 0.0)),
    ("uniform +inf", lambda L: L.init.uniform_(L.empty(3), 0.0, INF)),
    ("uniform nan", lambda L: L.init.uniform_(L.empty(3), 0.0, NAN)),
    ("uniform out of float range", lambda L: L.init.uniform_(L.empty(3), -1e39, 0.0)),
    ("uniform too wide", lambda L: L.init.uniform_(L.empty(3), -3e38, 3e38)),
    ("uniform too wide half", lambda L: L.init.uniform_(L.empty(3, dtype="float16"), -60000, 60000)),
    ("uniform out of range half", lambda L: L.init.uniform_(L.empty(3, dtype="float16"), 0, 70000)),
    ("uniform too wide bfloat16", lambda L: L.init.uniform_(L.empty(3, dtype="bfloat16"), -3e38, 3e38)),
    ("uniform out of range bfloat16", lambda L: L.init.uniform_(L.empty(3, dtype="bfloat16"), -1e39, 0)),
    ("normal std < 0", lambda L: L.init.normal_(L.empty(3, 5), 0.0, -1)),
    ("normal std -0.5", lambda L: L.init.normal_(L.empty(3, 5), std=-0.5)),
    ("normal std tiny negative", lambda L: L.init.normal_(L.empty(3, 5), std=-1e-10)),
    ("normal std nan", lambda L: L.init.normal_(L.empty(3, 5), std=NAN)),
    ("uniform int32", lambda L: L.init.uniform_(L.empty(3, 5, dtype="int32"))),
    ("uniform int8", lambda L: L.init.uniform_(L.empty(3, 5, dtype="int8"))),
    ("uniform uint8", lambda L: L.init.uniform_(L.empty(3, 5, dtype="uint8"))),
    ("uniform bool", lambda L: L.init.uniform_(L.empty(3, 5, dtype="bool"))),
    ("normal int32", lambda L: L.init.normal_(L.empty(3, 5, dtype="int32"))),
    ("normal int16", lambda L: L.init.normal_(L.empty(3, 5, dtype="int16"))),
    ("kaiming_uniform int32", lambda L: L.init.kaiming_uniform_(L.empty(3, 5, dtype="int32"))),
    ("kaiming_normal int8", lambda L: L.init.kaiming_normal_(L.empty(3, 5, dtype="int8"))),
    ("xavier_normal int32", lambda L: L.init.xavier_normal_(L.empty(3, 5, dtype="int32"))),
    ("xavier_uniform uint8", lambda L: L.init.xavier_uniform_(L.empty(3, 5, dtype="uint8"))),
    ("trunc_normal int32 (redraw branch)", lambda L: L.init.trunc_normal_(L.empty(3, 5, dtype="int32"))),
    ("trunc_normal int32 (rejection branch)", lambda L: L.init.trunc_normal_(L.empty(3, 5, dtype="int32"), a=2.0, b=4.0)),
    ("orthogonal int32", lambda L: L.init.orthogonal_(L.empty(3, 5, dtype="int32"))),
    ("sparse int32", lambda L: L.init.sparse_(L.empty(3, 5, dtype="int32"), 0.5)),
    ("normal std<0 before dtype", lambda L: L.init.normal_(L.empty(3, dtype="int32"), std=-1.0)),
    ("uniform dtype before bounds", lambda L: L.init.uniform_(L.empty(3, dtype="int32"), 1.0, 0.0)),
    ("xavier_uniform int before fans", lambda L: L.init.xavier_uniform_(L.empty(5, dtype="int32"))),
    ("calculate_gain unknown", lambda L: L.init.calculate_gain("gelu")),
    ("calculate_gain bad slope", lambda L: L.init.calculate_gain("leaky_relu", True)),
    ("correct_fan bad mode", lambda L: L.init._calculate_correct_fan(L.empty(3, 5), "fan_avg")),
    ("fans 1-D", lambda L: L.init._calculate_fan_in_and_fan_out(L.empty(4))),
    ("constant missing val", lambda L: L.init.constant_(L.empty(3))),
    ("sparse missing sparsity", lambda L: L.init.sparse_(L.empty(3, 4))),
]


def test_enough_cases():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("call", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_torch_face_same_error(call):
    theirs = outcome(lambda: call(T))
    ours = outcome(lambda: call(O))
    assert theirs[0] != "no error", "every case must be an error in torch"
    if theirs[0] == "TypeError":
        # Python's own missing-argument TypeError: same type, the message names the same argument
        assert ours[0] == "TypeError"
        assert theirs[1].split("missing", 1)[1] == ours[1].split("missing", 1)[1]
    else:
        assert ours == theirs


KEY = jax.random.key(0)
I = tp.initializers

# (id, torch call, pure-face call) for the checks the pure face has too
PURE_CASES = [
    ("kaiming_uniform bad mode", lambda: T.init.kaiming_uniform_(T.empty(3, 5), mode="fan_avg"),
     lambda: I.kaiming_uniform(KEY, (3, 5), mode="fan_avg")),
    ("kaiming_normal bad mode upper", lambda: T.init.kaiming_normal_(T.empty(3, 5), mode="FAN_AVG"),
     lambda: I.kaiming_normal(KEY, (3, 5), mode="FAN_AVG")),
    ("kaiming mode before fans", lambda: T.init.kaiming_uniform_(T.empty(5), mode="bad"),
     lambda: I.kaiming_uniform(KEY, (5,), mode="bad")),
    ("kaiming unsupported nonlinearity", lambda: T.init.kaiming_uniform_(T.empty(3, 5), nonlinearity="gelu"),
     lambda: I.kaiming_uniform(KEY, (3, 5), nonlinearity="gelu")),
    ("kaiming_normal slope str", lambda: T.init.kaiming_normal_(T.empty(3, 5), a="0.1"),
     lambda: I.kaiming_normal(KEY, (3, 5), a="0.1")),
    ("kaiming_uniform slope bool", lambda: T.init.kaiming_uniform_(T.empty(3, 5), a=True),
     lambda: I.kaiming_uniform(KEY, (3, 5), a=True)),
    ("kaiming_uniform 1-D", lambda: T.init.kaiming_uniform_(T.empty(5)), lambda: I.kaiming_uniform(KEY, (5,))),
    ("kaiming_normal 0-D", lambda: T.init.kaiming_normal_(T.empty(())), lambda: I.kaiming_normal(KEY, ())),
    ("xavier_uniform 1-D", lambda: T.init.xavier_uniform_(T.empty(5)), lambda: I.xavier_uniform(KEY, (5,))),
    ("xavier_normal 1-D", lambda: T.init.xavier_normal_(T.empty(5)), lambda: I.xavier_normal(KEY, (5,))),
    ("xavier_normal (0,0)", lambda: T.init.xavier_normal_(T.empty(0, 0)), lambda: I.xavier_normal(KEY, (0, 0))),
    ("xavier_uniform (0,0)", lambda: T.init.xavier_uniform_(T.empty(0, 0)), lambda: I.xavier_uniform(KEY, (0, 0))),
    ("eye 3-D", lambda: T.init.eye_(T.empty(2, 3, 4)), lambda: I.eye(None, (2, 3, 4))),
    ("dirac 2-D", lambda: T.init.dirac_(T.empty(3, 4)), lambda: I.dirac(None, (3, 4))),
    ("dirac groups not dividing", lambda: T.init.dirac_(T.empty(5, 2, 3), groups=2),
     lambda: I.dirac(None, (5, 2, 3), groups=2)),
    ("sparse 3-D", lambda: T.init.sparse_(T.empty(3, 4, 5), 0.1), lambda: I.sparse(KEY, (3, 4, 5), sparsity=0.1)),
    ("orthogonal 1-D", lambda: T.init.orthogonal_(T.empty(5)), lambda: I.orthogonal(KEY, (5,))),
    ("uniform a > b", lambda: T.init.uniform_(T.empty(3), 1, 0), lambda: I.uniform(KEY, (3,), a=1, b=0)),
    ("uniform inf", lambda: T.init.uniform_(T.empty(3), 0, INF), lambda: I.uniform(KEY, (3,), a=0, b=INF)),
    ("uniform -inf", lambda: T.init.uniform_(T.empty(3), -INF, 0), lambda: I.uniform(KEY, (3,), a=-INF, b=0)),
    ("uniform too wide", lambda: T.init.uniform_(T.empty(3), -3e38, 3e38),
     lambda: I.uniform(KEY, (3,), a=-3e38, b=3e38)),
    ("uniform too wide half", lambda: T.init.uniform_(T.empty(3, dtype="float16"), -60000, 60000),
     lambda: I.uniform(KEY, (3,), tp.float16, a=-60000, b=60000)),
    ("normal std < 0", lambda: T.init.normal_(T.empty(3), 0, -1), lambda: I.normal(KEY, (3,), std=-1)),
    ("uniform int32", lambda: T.init.uniform_(T.empty(3, dtype="int32")), lambda: I.uniform(KEY, (3,), tp.int32)),
    ("normal int32", lambda: T.init.normal_(T.empty(3, dtype="int32")), lambda: I.normal(KEY, (3,), tp.int32)),
    ("kaiming_uniform int32", lambda: T.init.kaiming_uniform_(T.empty(3, 5, dtype="int32")),
     lambda: I.kaiming_uniform(KEY, (3, 5), tp.int32)),
    ("xavier_normal int8", lambda: T.init.xavier_normal_(T.empty(3, 5, dtype="int8")),
     lambda: I.xavier_normal(KEY, (3, 5), tp.int8)),
    ("trunc_normal int32 redraw", lambda: T.init.trunc_normal_(T.empty(3, 5, dtype="int32")),
     lambda: I.trunc_normal(KEY, (3, 5), tp.int32)),
    ("trunc_normal int32 rejection", lambda: T.init.trunc_normal_(T.empty(3, 5, dtype="int32"), a=2.0, b=4.0),
     lambda: I.trunc_normal(KEY, (3, 5), tp.int32, a=2.0, b=4.0)),
    ("orthogonal int32", lambda: T.init.orthogonal_(T.empty(3, 5, dtype="int32")),
     lambda: I.orthogonal(KEY, (3, 5), tp.int32)),
    ("sparse int32", lambda: T.init.sparse_(T.empty(3, 5, dtype="int32"), 0.5),
     lambda: I.sparse(KEY, (3, 5), tp.int32, sparsity=0.5)),
    ("gain unknown", lambda: T.init.calculate_gain("selu2"), lambda: I.calculate_gain("selu2")),
    ("fans 1-D", lambda: T.init._calculate_fan_in_and_fan_out(T.empty(4)),
     lambda: I.calculate_fan_in_and_fan_out((4,))),
]


@pytest.mark.parametrize("torch_call,pure_call", [c[1:] for c in PURE_CASES], ids=[c[0] for c in PURE_CASES])
def test_pure_face_same_error(torch_call, pure_call):
    theirs = outcome(torch_call)
    assert theirs[0] != "no error"
    assert outcome(pure_call) == theirs


def test_error_case_count():
    assert len(CASES) + len(PURE_CASES) >= 60


# -- warnings -----------------------------------------------------------------------------------

def record(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        result = fn()
    return result, [(x.category.__name__, str(x.message), x.filename) for x in w]


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0,), (4, 0, 3), (0, 0)])
def test_zero_element_kaiming_warning(name, shape):
    t = torch.ones(shape)
    rt, wt = record(lambda: getattr(torch.nn.init, name)(t, mode="bogus", nonlinearity="bogus"))
    box = tp.ones(shape)
    ro, wo = record(lambda: getattr(tp.nn.init, name)(box, mode="bogus", nonlinearity="bogus"))
    assert rt is t and ro is box
    assert len(wt) == 1 and [w[:2] for w in wo] == [w[:2] for w in wt]
    assert wt[0][0] == "UserWarning" and "zero-element" in wt[0][1]
    # the pure face warns the same and gives an array of the right shape
    pure = getattr(tp.initializers, name[:-1])
    rp, wp = record(lambda: pure(KEY, shape, mode="bogus", nonlinearity="bogus"))
    assert [w[:2] for w in wp] == [w[:2] for w in wt]
    assert rp.shape == shape


def test_no_warning_on_ordinary_kaiming():
    _, wt = record(lambda: torch.nn.init.kaiming_uniform_(torch.empty(3, 5)))
    _, wo = record(lambda: tp.nn.init.kaiming_uniform_(tp.empty(3, 5)))
    assert wt == [] and wo == []


@pytest.mark.parametrize("kw", [dict(mean=10.0, std=1.0, a=-2.0, b=2.0), dict(mean=-5.0, std=0.5, a=0.0, b=1.0),
                                dict(mean=0.0, std=1.0, a=2.5, b=4.0)])
def test_trunc_normal_mean_far_warning(kw):
    _, wt = record(lambda: torch.nn.init.trunc_normal_(torch.empty(50), **kw))
    _, wo = record(lambda: tp.nn.init.trunc_normal_(tp.empty(50), **kw))
    _, wp = record(lambda: tp.initializers.trunc_normal(KEY, (50,), **kw))
    assert len(wt) == 1 and wt[0][0] == "UserWarning"
    # torch's stacklevel=2 points inside torch/nn/init.py (its private helper); compare type and text
    assert [w[:2] for w in wo] == [w[:2] for w in wt]
    assert [w[:2] for w in wp] == [w[:2] for w in wt]


def test_trunc_normal_no_warning_near():
    _, wt = record(lambda: torch.nn.init.trunc_normal_(torch.empty(50), mean=3.9, std=1.0, a=-2.0, b=2.0))
    _, wo = record(lambda: tp.nn.init.trunc_normal_(tp.empty(50), mean=3.9, std=1.0, a=-2.0, b=2.0))
    assert wt == [] and wo == []


ALIASES = {
    "uniform": lambda L: (L.empty(3, 4),),
    "normal": lambda L: (L.empty(3, 4),),
    "constant": lambda L: (L.empty(3, 4), 0.5),
    "eye": lambda L: (L.empty(3, 4),),
    "dirac": lambda L: (L.empty(4, 3, 3),),
    "xavier_uniform": lambda L: (L.empty(3, 4),),
    "xavier_normal": lambda L: (L.empty(3, 4),),
    "kaiming_uniform": lambda L: (L.empty(3, 4),),
    "kaiming_normal": lambda L: (L.empty(3, 4),),
    "orthogonal": lambda L: (L.empty(3, 4),),
    "sparse": lambda L: (L.empty(3, 4), 0.5),
}


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_deprecated_alias_future_warning(name):
    targs, oargs = ALIASES[name](T), ALIASES[name](O)
    rt, wt = record(lambda: getattr(torch.nn.init, name)(*targs))
    ro, wo = record(lambda: getattr(tp.nn.init, name)(*oargs))
    assert rt is targs[0] and ro is oargs[0]
    assert len(wt) == 1 and wt[0][0] == "FutureWarning"
    assert wo == wt      # same category, text and stacklevel (this file)
    assert getattr(tp.init, name) is getattr(tp.nn.init, name)
    # the deprecated alias does the same thing as the underscore function
    if name in ("constant", "eye", "dirac"):
        np.testing.assert_array_equal(np.asarray(ro), getattr(tp.nn.init, name + "_")(*ALIASES[name](O)).value)


def test_deprecated_alias_sets_match_torch():
    names = [n for n in dir(torch.nn.init) if not n.startswith("_") and hasattr(torch.nn.init, n + "_")]
    assert sorted(names) == sorted(ALIASES)
    for n in names:
        assert callable(getattr(tp.nn.init, n))


@pytest.mark.parametrize("name", ["ones", "zeros", "trunc_normal"])
def test_no_alias_for_ones_zeros_trunc_normal(name):
    assert hasattr(torch.nn.init, name + "_")
    assert not hasattr(torch.nn.init, name)
    assert hasattr(tp.nn.init, name + "_")
    assert not hasattr(tp.nn.init, name)
    assert not hasattr(tp.init, name)


def test_every_torch_init_function_exists():
    public = [n for n in dir(torch.nn.init) if not n.startswith("_") and callable(getattr(torch.nn.init, n))
              and getattr(getattr(torch.nn.init, n), "__module__", "") == "torch.nn.init"]
    missing = [n for n in public if not hasattr(tp.nn.init, n)]
    assert missing == []


@pytest.mark.parametrize("name", ["uniform", "normal", "xavier_uniform", "kaiming_normal", "orthogonal"])
def test_pure_faces_do_not_warn(name):
    _, w = record(lambda: getattr(tp.initializers, name)(KEY, (3, 4)))
    assert w == []
