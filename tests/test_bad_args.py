"""A differential walk of the public API with bad arguments: torch 2.13 and torchlike_params side by side.

Every case is a ``setup`` (statements that build fresh objects) and a ``call`` (one statement), run
once with ``FW`` bound to torch and once to torchlike_params. Where torch raises, we must raise:

1. the same exception type, or, where torch's error is an accident of its implementation (an
   AttributeError from calling a method on a str, a TypeError from comparing a str with an int, ...),
   the documented policy: a ``TypeError``/``ValueError`` "Expected `x` to be ..., got ..." that
   names the argument;
2. a message equal to torch's (first line), or one that names the argument (``case.arg``);
3. a message of ours, not one from JAX/NumPy/Python internals: it matches none of ``INTERNAL`` and
   the innermost traceback frame is inside ``torchlike_params`` (unless the message is torch's own
   text exactly, as for Python's argument binding errors);
4. nothing changed: every box (values, shape, dtype, flags, storage cell), every module (registries,
   attributes, boxes) and the default generator's state are as they were before the call.

Where torch accepts, we must accept too (no over-strict checks): the generated tables include valid
values as well, and ``GOOD`` lists edge values torch accepts. Cases are generated from signatures
where possible (``nn.init``, every layer constructor of ``tp.nn``).

Run ``python tests/test_bad_args.py`` for a report of every mismatch and the case counts.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
import re
import traceback
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp

_PKG = os.path.dirname(tp.__file__)


@dataclasses.dataclass
class Case:
    id: str
    call: str                 # one statement; FW is torch or torchlike_params
    setup: str = ""           # statements run first (fresh objects), not part of the comparison
    arg: str | None = None    # the argument a message of ours must name when it is not torch's text
    gen: bool = True          # the default generator must not advance (False: torch draws too, as in constructors)


def C(id: str, call: str, setup: str = "", arg: str | None = None) -> Case:
    return Case(id, call, setup, arg)


# Messages that come from JAX, NumPy or Python internals, never from a check of ours.
INTERNAL = [r"broadcast_in_dim", r"dot_general", r"not a valid JAX array type", r"Error interpreting argument",
            r"math domain error", r"could not convert string to float", r"invalid literal for int",
            r"out of bounds for uint32", r"unpack", r"unsupported operand type", r"object has no attribute",
            r"object is not subscriptable", r"object is not iterable", r"not supported between instances",
            r"can't multiply sequence", r"must be real number", r"cannot be interpreted as an integer",
            r"object of type .* has no len", r"list indices must be", r"'NoneType' object", r"data type .* not understood",
            r"Shapes must be 1D sequences", r"jax", r"XLA", r"numpy", r"float\(\) argument must be",
            r"int\(\) argument must be", r"argument of type .* is not iterable",
            r"Cannot interpret", r"dtype=object", r"inhomogeneous", r"unhashable type"]
_INTERNAL = re.compile("|".join(INTERNAL))
# torch's own message is an accident of its implementation (policy: ours is an "Expected `x`" error).
_ACCIDENTAL = re.compile("|".join(INTERNAL + [r"'.*' object", r"Boolean value of Tensor", r"only one element tensors"]))
# Python's own argument binding errors (a missing or extra argument): raised before any code of ours runs.
_BINDING = re.compile(r"missing \d+ required|takes (no|exactly one|from \d+ to \d+|\d+) (positional )?arguments?|"
                      r"unexpected keyword argument")


def _env(fw) -> dict:
    fc = torch.func.functional_call if fw is torch else tp.functional_call
    return {"FW": fw, "np": np, "math": math, "jnp": jnp, "functional_call": fc,
            "Gen": torch.Generator if fw is torch else tp.random.Generator}


# -- snapshots: nothing may change when a call fails ---------------------------------------------------
def _box_state(t) -> tuple:
    flags = tuple(getattr(t, n) for n, _ in type(t)._defaults())
    return (type(t), id(t._storage), tuple(t.shape), str(t.dtype), flags, np.array(np.asarray(t)))


def _module_state(m) -> list:
    out = []
    for name, sub in m.named_modules(remove_duplicate=False):
        out.append((name, type(sub), sub.training,
                    [(k, id(v)) for k, v in sub._parameters.items()],
                    [(k, id(v)) for k, v in sub._buffers.items()],
                    [(k, id(v)) for k, v in sub._modules.items()],
                    sorted(sub._non_persistent_buffers_set),
                    sorted((k, id(v)) for k, v in sub.__dict__.items())))
        for t in list(sub._parameters.values()) + list(sub._buffers.values()):
            if t is not None:
                out.append(_box_state(t))
    return out


def _snapshot(ns: dict, gen: bool = True) -> list:
    snap = [("default generator", tp.random.get_default_generator().get_state())] if gen else []
    for k, v in sorted(ns.items()):
        if isinstance(v, tp.Tensor):
            snap.append((k, _box_state(v)))
        elif isinstance(v, tp.nn.Module):
            snap.append((k, _module_state(v)))
        elif isinstance(v, tp.random.Generator):
            snap.append((k, v.get_state()))
    return snap


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and np.array_equal(
            a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


# -- running a case --------------------------------------------------------------------------------------
@dataclasses.dataclass
class Outcome:
    kind: str                 # "ok" or the exception type's name
    msg: str = ""
    frame: str = ""           # file of the innermost traceback frame
    changed: bool = False


def _run(case: Case, fw) -> Outcome:
    ns = _env(fw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(case.setup, ns)
        snap = _snapshot(ns, case.gen) if fw is tp else None
        try:
            with torch.no_grad():     # in-place changes of a Parameter are torch code under no_grad
                exec(case.call, ns)
        except Exception as e:  # noqa: BLE001 - the comparison is the point
            tb = traceback.extract_tb(e.__traceback__)
            out = Outcome(type(e).__name__, str(e), tb[-1].filename if tb else "")
        else:
            return Outcome("ok")
        if snap is not None:
            out.changed = not _same(snap, _snapshot(ns, case.gen))
    return out


_CLASS_PATH = re.compile(r"<class '(?:torch\.nn\.modules|torchlike_params\.nn)\.(?:[\w]+\.)*(\w+)'>")


def _first(msg: str) -> str:
    """The first line, with class paths reduced to class names (the documented difference: messages
    that name a class name ours, ``torchlike_params.nn._containers.Sequential``)."""
    line = msg.strip().splitlines()[0] if msg.strip() else ""
    return _CLASS_PATH.sub(r"<class '\1'>", line)


def _names(msg: str, arg: str | None) -> bool:
    return arg is not None and re.search(rf"(`|'|\"|\b){re.escape(arg)}(`|'|\"|\b)", msg) is not None


def check(case: Case) -> str | None:
    """None when ours behaves as the rules say, else a description of the difference."""
    theirs, ours = _run(case, torch), _run(case, tp)
    if theirs.kind == "ok":
        return None if ours.kind == "ok" else f"torch accepts, ours raises {ours.kind}: {ours.msg[:300]}"
    if ours.kind == "ok":
        return f"torch raises {theirs.kind}: {_first(theirs.msg)[:200]!r}; ours accepts"
    problems = []
    exact = _first(ours.msg) == _first(theirs.msg)
    accidental = theirs.kind == "AttributeError" or (theirs.kind in ("TypeError", "ValueError", "IndexError",
                                                                     "KeyError")
                                                     and _ACCIDENTAL.search(_first(theirs.msg)) is not None)
    if ours.kind != theirs.kind and not (accidental and ours.kind in ("TypeError", "ValueError")
                                         and (ours.msg.startswith("Expected `") or _names(ours.msg, case.arg))):
        problems.append(f"type {ours.kind} != torch's {theirs.kind}")
    binding = ours.kind == theirs.kind == "TypeError" and _BINDING.search(ours.msg) is not None
    if not exact and not binding:
        if not _names(ours.msg, case.arg) and not ours.msg.startswith("Expected `"):
            problems.append("message is neither torch's nor names the argument")
        if _INTERNAL.search(ours.msg):
            problems.append("message from internals")
        if not ours.frame.startswith(_PKG):
            problems.append(f"raised outside torchlike_params ({ours.frame})")
    if ours.changed:
        problems.append("state changed")
    if problems:
        return (f"{'; '.join(problems)}\n    torch: {theirs.kind}: {_first(theirs.msg)[:240]!r}\n"
                f"    ours:  {ours.kind}: {_first(ours.msg)[:240]!r}")
    return None


# -- the tables ------------------------------------------------------------------------------------------
_BAD_SIZES = [("-1", "-1"), ("(2,-3)", "2, -3"), ("2.5", "2.5"), ("'a'", "'a'"), ("None", "None"), ("True", "True"),
              ("[2,'a']", "[2, 'a']"), ("(2,None)", "(2, None)"), ("2,'a'", "2, 'a'"), ("[]x", "[[2]]"),
              ("tensor", "FW.ones(2)")]
FACTORIES = [C(f"{fn}({sid})", f"FW.{fn}({s})", arg="size")
             for fn in ("empty", "zeros", "ones", "rand", "randn") for sid, s in _BAD_SIZES]
FACTORIES += [C(f"{fn}() no size", f"FW.{fn}()", arg="size") for fn in ("empty", "zeros", "ones", "rand", "randn")]
FACTORIES += [C(f"{fn}(dtype={d})", f"FW.{fn}(2, dtype={d})", arg="dtype")
              for fn in ("empty", "zeros", "ones", "rand", "randn") for d in ("str", "'bogus'", "3", "FW.ones(1)")]
FACTORIES += [C(f"{fn}(int dtype)", f"FW.{fn}(2, dtype=FW.int32)", arg="dtype") for fn in ("rand", "randn")]
FACTORIES += [C(f"{fn}(generator='a')", f"FW.{fn}(2, generator='a')", arg="generator") for fn in ("rand", "randn")]
FACTORIES += [
    C("full()", "FW.full()"), C("full(size)", "FW.full((2,))"), C("full(2, 1.)", "FW.full(2, 1.0)", arg="size"),
    C("full((-1,),1)", "FW.full((-1,), 1.0)"), C("full((2.5,),1)", "FW.full((2.5,), 1.0)", arg="size"),
    C("full str", "FW.full((2,), 'a')", arg="fill_value"), C("full None", "FW.full((2,), None)", arg="fill_value"),
    C("full list", "FW.full((2,), [1.0, 2.0])", arg="fill_value"),
    C("full 1-d tensor", "FW.full((2,), FW.ones(2))", arg="fill_value"),
    C("full dtype=str", "FW.full((2,), 1.0, dtype=str)", arg="dtype"),
    C("tensor(None)", "FW.tensor(None)", arg="data"), C("tensor(ragged)", "FW.tensor([[1, 2], [3]])", arg="data"),
    C("tensor(object())", "FW.tensor(object())", arg="data"), C("tensor('a')", "FW.tensor('a')", arg="data"),
    C("tensor([1,'a'])", "FW.tensor([1, 'a'])", arg="data"), C("tensor({})", "FW.tensor({})", arg="data"),
    C("tensor([None])", "FW.tensor([None, 1.0])", arg="data"), C("tensor(dtype=str)", "FW.tensor([1.0], dtype=str)",
                                                                 arg="dtype"),
    C("tensor(dtype='bogus')", "FW.tensor([1.0], dtype='bogus')", arg="dtype"),
    C("tensor() no data", "FW.tensor()", arg="data"), C("tensor(2**70)", "FW.tensor(2**70)", arg="data"),
    C("Tensor(2.5)", "FW.Tensor(2.5)", arg="data"), C("Tensor('a')", "FW.Tensor('a')", arg="data"),
    C("Tensor(None)", "FW.Tensor(None)", arg="data"), C("Tensor(-1)", "FW.Tensor(-1)", arg="size"),
    C("Tensor(2,-1)", "FW.Tensor(2, -1)", arg="size"), C("Tensor(2,'a')", "FW.Tensor(2, 'a')", arg="size"),
    C("Tensor(2, 2.5)", "FW.Tensor(2, 2.5)", arg="size"), C("Tensor(True)", "FW.Tensor(True)", arg="data"),
    C("Tensor(ragged)", "FW.Tensor([[1.0], [2.0, 3.0]])", arg="data"),
    C("Tensor([1,'a'])", "FW.Tensor([1.0, 'a'])", arg="data"),
]
for _fn in ("zeros_like", "ones_like", "empty_like"):
    FACTORIES += [C(f"{_fn}('a')", f"FW.{_fn}('a')", arg="input"), C(f"{_fn}(None)", f"FW.{_fn}(None)", arg="input"),
                  C(f"{_fn}(list)", f"FW.{_fn}([1.0, 2.0])", arg="input"),
                  C(f"{_fn}(3)", f"FW.{_fn}(3)", arg="input"),
                  C(f"{_fn}(dtype=str)", f"FW.{_fn}(FW.ones(2), dtype=str)", arg="dtype"),
                  C(f"{_fn}()", f"FW.{_fn}()", arg="input")]
    FACTORIES += [C(f"{_fn}(device='bogus')", f"FW.{_fn}(FW.ones(2), device='bogus')", arg="device"),
                  C(f"{_fn}(device=1.5)", f"FW.{_fn}(FW.ones(2), device=1.5)", arg="device")]
for _fn, _args in (("empty", "2"), ("zeros", "2"), ("ones", "2"), ("rand", "2"), ("randn", "2"), ("full", "(2,), 1.0"),
                   ("tensor", "[1.0]")):
    FACTORIES += [C(f"{_fn}(device='bogus')", f"FW.{_fn}({_args}, device='bogus')", arg="device"),
                  C(f"{_fn}(device='cpu:x')", f"FW.{_fn}({_args}, device='cpu:x')", arg="device"),
                  C(f"{_fn}(device=1.5)", f"FW.{_fn}({_args}, device=1.5)", arg="device"),
                  C(f"{_fn}(device=[0])", f"FW.{_fn}({_args}, device=[0])", arg="device")]
FACTORIES += [C(f"{fn}('a', 2)", f"FW.{fn}('a', 2)", arg="size") for fn in ("empty", "zeros", "ones", "rand", "randn")]
FACTORIES += [C(f"{fn}((2, 3, 'a'))", f"FW.{fn}((2, 3, 'a'))", arg="size") for fn in ("empty", "zeros", "rand")]
FACTORIES += [C("empty(-1, device='bogus')", "FW.empty(-1, device='bogus')", arg="device"),
              C("empty('a', device='bogus')", "FW.empty('a', device='bogus')", arg="size")]

_T = "t = FW.rand(3)\n"
_I = "t = FW.zeros(3, dtype=FW.int32)\n"
_B = "t = FW.zeros(3, dtype=FW.bool)\n"
_P = "t = FW.nn.Parameter(FW.rand(3))\n"
_M = "t = FW.rand(2, 3)\n"
BOX = []
for _pre, _k in ((_T, "t"), (_P, "p")):
    BOX += [
        C(f"{_k}.fill_('a')", "t.fill_('a')", _pre, arg="value"), C(f"{_k}.fill_(None)", "t.fill_(None)", _pre, "value"),
        C(f"{_k}.fill_([1])", "t.fill_([1.0])", _pre, "value"), C(f"{_k}.fill_(1e40)", "t.fill_(1e40)", _pre, "value"),
        C(f"{_k}.fill_(1-d)", "t.fill_(FW.ones(1))", _pre, "value"), C(f"{_k}.fill_(2-d)", "t.fill_(FW.ones(3, 1))",
                                                                        _pre, "value"),
        C(f"{_k}.fill_()", "t.fill_()", _pre, "value"), C(f"{_k}.fill_(1j)", "t.fill_(1j)", _pre, "value"),
        C(f"{_k}.zero_(1)", "t.zero_(1)", _pre),
        C(f"{_k}.uniform_('a')", "t.uniform_('a')", _pre, "from"), C(f"{_k}.uniform_(0,'b')", "t.uniform_(0.0, 'b')",
                                                                      _pre, "to"),
        C(f"{_k}.uniform_(None)", "t.uniform_(None)", _pre, "from"), C(f"{_k}.uniform_(1,0)", "t.uniform_(1.0, 0.0)",
                                                                        _pre, "from"),
        C(f"{_k}.uniform_(-inf)", "t.uniform_(-math.inf, 0.0)", _pre, "from"),
        C(f"{_k}.uniform_(0,1e39)", "t.uniform_(0.0, 1e39)", _pre, "to"),
        C(f"{_k}.uniform_(-3e38,3e38)", "t.uniform_(-3e38, 3e38)", _pre, "to"),
        C(f"{_k}.uniform_(gen='a')", "t.uniform_(generator='a')", _pre, "generator"),
        C(f"{_k}.uniform_(bogus=1)", "t.uniform_(bogus=1)", _pre, "bogus"),
        C(f"{_k}.normal_('a')", "t.normal_('a')", _pre, "mean"), C(f"{_k}.normal_(0,'b')", "t.normal_(0.0, 'b')",
                                                                    _pre, "std"),
        C(f"{_k}.normal_(0,-1)", "t.normal_(0.0, -1.0)", _pre, "std"), C(f"{_k}.normal_(0,nan)",
                                                                          "t.normal_(0.0, math.nan)", _pre, "std"),
        C(f"{_k}.normal_(None)", "t.normal_(None)", _pre, "mean"),
        C(f"{_k}.normal_(gen=1)", "t.normal_(generator=1)", _pre, "generator"),
        C(f"{_k}.copy_(list)", "t.copy_([1.0, 2.0, 3.0])", _pre, "other"),
        C(f"{_k}.copy_(1.0)", "t.copy_(1.0)", _pre, "other"), C(f"{_k}.copy_('a')", "t.copy_('a')", _pre, "other"),
        C(f"{_k}.copy_(None)", "t.copy_(None)", _pre, "other"),
        C(f"{_k}.copy_(shape)", "t.copy_(FW.ones(4))", _pre, "other"),
        C(f"{_k}.copy_(bigger)", "t.copy_(FW.ones(2, 3))", _pre, "other"),
        C(f"{_k}.add_('a')", "t.add_('a')", _pre, "other"), C(f"{_k}.add_(None)", "t.add_(None)", _pre, "other"),
        C(f"{_k}.add_(shape)", "t.add_(FW.ones(4))", _pre, "other"),
        C(f"{_k}.add_(bcast)", "t.add_(FW.ones(2, 3))", _pre, "other"),
        C(f"{_k}.add_(alpha='a')", "t.add_(1.0, alpha='a')", _pre, "alpha"),
        C(f"{_k}.sub_('a')", "t.sub_('a')", _pre, "other"), C(f"{_k}.sub_(shape)", "t.sub_(FW.ones(4))", _pre, "other"),
        C(f"{_k}.mul_('a')", "t.mul_('a')", _pre, "other"), C(f"{_k}.mul_(None)", "t.mul_(None)", _pre, "other"),
        C(f"{_k}.mul_(shape)", "t.mul_(FW.ones(2, 3))", _pre, "other"),
        C(f"{_k}.div_('a')", "t.div_('a')", _pre, "other"), C(f"{_k}.div_(mode)", "t.div_(2, rounding_mode='bad')",
                                                               _pre, "rounding_mode"),
        C(f"{_k}.div_(mode=1)", "t.div_(2, rounding_mode=1)", _pre, "rounding_mode"),
        C(f"{_k}.div_(shape)", "t.div_(FW.ones(4))", _pre, "other"),
        C(f"{_k}.clamp_()", "t.clamp_()", _pre, "min"), C(f"{_k}.clamp_('a')", "t.clamp_('a')", _pre, "min"),
        C(f"{_k}.clamp_(bcast)", "t.clamp_(min=FW.ones(2, 3))", _pre, "min"),
        C(f"{_k}.clamp_(max='b')", "t.clamp_(max='b')", _pre, "max"),
        C(f"{_k}[5] read", "t[5]", _pre, "index"), C(f"{_k}[-4] read", "t[-4]", _pre, "index"),
        C(f"{_k}[5]=1", "t[5] = 1.0", _pre, "index"), C(f"{_k}[-4]=1", "t[-4] = 1.0", _pre, "index"),
        C(f"{_k}[[0,3]]=1", "t[FW.tensor([0, 3])] = 1.0", _pre, "index"),
        C(f"{_k}[0]='a'", "t[0] = 'a'", _pre, "value"), C(f"{_k}[0]=None", "t[0] = None", _pre, "value"),
        C(f"{_k}[:]=shape", "t[:] = FW.ones(4)", _pre, "value"),
        C(f"{_k}.data=list", "t.data = [1.0, 2.0, 3.0]", _pre, "data"),
        C(f"{_k}.data=1.0", "t.data = 1.0", _pre, "data"), C(f"{_k}.data=None", "t.data = None", _pre, "data"),
    ]
BOX += [
    C("int.fill_(2**40)", "t.fill_(2**40)", _I, "value"), C("int.fill_(nan)", "t.fill_(math.nan)", _I, "value"),
    C("int.fill_(inf)", "t.fill_(math.inf)", _I, "value"), C("int.fill_(-2**40)", "t.fill_(-2**40)", _I, "value"),
    C("f16.fill_(1e5)", "t.fill_(1e5)", "t = FW.zeros(3, dtype=FW.float16)\n", "value"),
    C("u8.fill_(300)", "t.fill_(300)", "t = FW.zeros(3, dtype=FW.uint8)\n", "value"),
    C("int.uniform_", "t.uniform_()", _I), C("int.normal_", "t.normal_()", _I), C("bool.uniform_", "t.uniform_()", _B),
    C("bool.add_(1)", "t.add_(1)", _B), C("bool.mul_(2)", "t.mul_(2)", _B), C("bool.sub_(bool)", "t.sub_(t)", _B),
    C("int.add_(0.5)", "t.add_(0.5)", _I), C("int.mul_(0.5)", "t.mul_(0.5)", _I), C("int.div_(2)", "t.div_(2)", _I),
    C("int.div_(0,floor)", "t.div_(0, rounding_mode='floor')", _I),
    C("int.div_(0,trunc)", "t.div_(0, rounding_mode='trunc')", _I),
    C("int.add_(1,alpha=.5)", "t.add_(1, alpha=0.5)", _I, "alpha"), C("int.clamp_(0.5)", "t.clamp_(0.5)", _I, "min"),
    C("int.copy_(nan)", "t.copy_(FW.tensor([math.nan] * 3))", _I, "other"),
    C("m[0,5]", "t[0, 5]", _M, "index"), C("m[5,0]", "t[5, 0]", _M, "index"), C("m[...,5]", "t[..., 5]", _M, "index"),
    C("m[None,5]", "t[None, 5]", _M, "index"), C("m[0,5]=1", "t[0, 5] = 1.0", _M, "index"),
    C("m[0,0,0]", "t[0, 0, 0]", _M, "index"), C("m[0,0,0]=1", "t[0, 0, 0] = 1.0", _M, "index"),
    C("m['a']", "t['a']", _M, "index"), C("m[1.5]", "t[1.5]", _M, "index"),
    C("m[float tensor]", "t[FW.tensor([1.5])]", _M, "index"), C("m[['a']]", "t[['a']]", _M, "index"),
    C("m[float tensor]=1", "t[FW.tensor([1.5])] = 1.0", _M, "index"), C("m['a']=1", "t['a'] = 1.0", _M, "index"),
    C("m[[5.5]]", "t[[5.5]]", _M, "index"), C("m[[5.5]]=1", "t[[5.5]] = 1.0", _M, "index"),
    C("m[None,0,0,0]", "t[None, 0, 0, 0]", _M, "index"), C("m[...,0,0,0]", "t[..., 0, 0, 0]", _M, "index"),
    C("Parameter(list)", "FW.nn.Parameter([1.0, 2.0])", arg="data"),
    C("Parameter(3.0)", "FW.nn.Parameter(3.0)", arg="data"), C("Parameter('a')", "FW.nn.Parameter('a')", arg="data"),
    C("Parameter(int)", "FW.nn.Parameter(FW.zeros(3, dtype=FW.int32))", arg="requires_grad"),
    C("Parameter(bool)", "FW.nn.Parameter(FW.zeros(3, dtype=FW.bool))", arg="requires_grad"),
    C("Parameter(rg='x')", "FW.nn.Parameter(FW.zeros(3), requires_grad='x')", arg="requires_grad"),
    C("Parameter(rg=None)", "FW.nn.Parameter(FW.zeros(3), requires_grad=None)", arg="requires_grad"),
    C("Buffer('a')", "FW.nn.Buffer('a')", arg="data"), C("Buffer(list)", "FW.nn.Buffer([1.0])", arg="data"),
    C("Buffer(3.0)", "FW.nn.Buffer(3.0)", arg="data"),
    C("p.requires_grad_('x')", "t.requires_grad_('x')", _P, "requires_grad"),
    C("p.requires_grad_(None)", "t.requires_grad_(None)", _P, "requires_grad"),
    C("p.requires_grad_(1)", "t.requires_grad_(1)", _P, "requires_grad"),
    C("int p.requires_grad_", "t.requires_grad_(True)",
      "t = FW.nn.Parameter(FW.zeros(3, dtype=FW.int32), requires_grad=False)\n", "requires_grad"),
    C("p.data = int", "t.data = FW.zeros(3, dtype=FW.int32)", _P, "data"),
    C("p.data = bool", "t.data = FW.zeros(3, dtype=FW.bool)", _P, "data"),
    C("p.data = str", "t.data = 'abc'", _P, "data"),
]

# -- nn.init: every argument of every initializer, generated from torch's signatures --------------------
_INIT_SHAPE = {"eye_": "(3, 5)", "sparse_": "(6, 4)", "dirac_": "(4, 2, 3)"}
_INIT_REQUIRED = {"constant_": {"val": "0.5"}, "sparse_": {"sparsity": "0.3"}}
_INIT_BAD = ["'a'", "None", "-1", "math.nan", "math.inf", "-math.inf", "True", "[1.0]", "FW.ones(2)"]
_INIT_ENUM_BAD = ["'bogus'", "1", "None", "''"]


def _init_cases() -> list[Case]:
    out = []
    for name in sorted(n for n in dir(torch.nn.init) if n.endswith("_") and not n.startswith("_")):
        if not hasattr(tp.nn.init, name):
            continue
        sig = inspect.signature(getattr(torch.nn.init, name))
        setup = f"t = FW.empty{_INIT_SHAPE.get(name, '(3, 5)')}\n"
        req = _INIT_REQUIRED.get(name, {})
        base = ", ".join(f"{k}={v}" for k, v in req.items())
        sep = ", " if base else ""
        for bad in ("'a'", "None", "[1.0, 2.0]", "3.0", "FW.ones(2).tolist()", "jnp.ones((3, 5))"):
            if bad == "jnp.ones((3, 5))":
                continue        # torch has no JAX arrays: see POLICY
            out.append(C(f"init.{name}(tensor={bad})", f"FW.nn.init.{name}({bad}{sep}{base})", "", "tensor"))
        out.append(C(f"init.{name}(1-d)", f"FW.nn.init.{name}(FW.empty(4){sep}{base})", "", "tensor"))
        out.append(C(f"init.{name}(0-d)", f"FW.nn.init.{name}(FW.empty(()){sep}{base})", "", "tensor"))
        out.append(C(f"init.{name}(int)", f"FW.nn.init.{name}(FW.zeros(3, 5, dtype=FW.int32){sep}{base})", "",
                     "tensor"))
        for p in list(sig.parameters.values())[1:]:
            if p.kind is p.VAR_KEYWORD or p.kind is p.VAR_POSITIONAL:
                continue
            rest = ", ".join(f"{k}={v}" for k, v in req.items() if k != p.name)
            rest = rest + ", " if rest else ""
            if p.name == "generator":
                bads = ["'a'", "1", "FW.ones(2)"]
            elif p.name in ("mode", "nonlinearity"):
                bads = _INIT_ENUM_BAD
            else:
                bads = _INIT_BAD
            for bad in bads:
                out.append(C(f"init.{name}({p.name}={bad})", f"FW.nn.init.{name}(t, {rest}{p.name}={bad})", setup,
                             p.name))
    out += [C("calculate_gain('bogus')", "FW.nn.init.calculate_gain('bogus')", arg="nonlinearity"),
            C("calculate_gain(1)", "FW.nn.init.calculate_gain(1)", arg="nonlinearity"),
            C("calculate_gain(leaky,'a')", "FW.nn.init.calculate_gain('leaky_relu', 'a')", arg="param"),
            C("calculate_gain(leaky,True)", "FW.nn.init.calculate_gain('leaky_relu', True)", arg="param"),
            C("calculate_gain(leaky,nan)", "FW.nn.init.calculate_gain('leaky_relu', math.nan)", arg="param"),
            C("_calculate_fan_in_and_fan_out(1-d)", "FW.nn.init._calculate_fan_in_and_fan_out(FW.ones(3))",
              arg="tensor"),
            C("_calculate_fan_in_and_fan_out('a')", "FW.nn.init._calculate_fan_in_and_fan_out('a')", arg="tensor"),
            C("_calculate_correct_fan(mode)", "FW.nn.init._calculate_correct_fan(FW.ones(3, 4), 'bogus')",
              arg="mode"),
            C("_calculate_correct_fan(mode=1)", "FW.nn.init._calculate_correct_fan(FW.ones(3, 4), 1)", arg="mode")]
    return out


INIT = _init_cases()

# -- generators --------------------------------------------------------------------------------------------
_G = "g = Gen()\n"
GENERATOR = [
    C("Generator('bogus')", "Gen('bogus')", arg="device"), C("Generator(1)", "Gen(1)", arg="device"),
    C("Generator(device='bogus')", "Gen(device='bogus')", arg="device"),
    C("Generator(None, 1)", "Gen('cpu', 1)"),
    C("manual_seed('a')", "g.manual_seed('a')", _G, "seed"), C("manual_seed(None)", "g.manual_seed(None)", _G, "seed"),
    C("manual_seed(2.5)", "g.manual_seed(2.5)", _G, "seed"), C("manual_seed(2**64)", "g.manual_seed(2**64)", _G,
                                                               "seed"),
    C("manual_seed(-2**63-1)", "g.manual_seed(-2**63 - 1)", _G, "seed"),
    C("manual_seed([1])", "g.manual_seed([1])", _G, "seed"), C("manual_seed()", "g.manual_seed()", _G, "seed"),
    C("manual_seed(ones)", "g.manual_seed(FW.ones(2))", _G, "seed"),
    C("set_state('x')", "g.set_state('x')", _G, "state"), C("set_state(None)", "g.set_state(None)", _G, "state"),
    C("set_state(1)", "g.set_state(1)", _G, "state"), C("set_state([1, 2])", "g.set_state([1, 2])", _G, "state"),
    C("set_state()", "g.set_state()", _G, "state"), C("set_state(floats)", "g.set_state(FW.ones(3))", _G, "state"),
    C("get_state(1)", "g.get_state(1)", _G), C("initial_seed(1)", "g.initial_seed(1)", _G),
    C("FW.manual_seed('a')", "FW.manual_seed('a')", arg="seed"), C("FW.manual_seed(None)", "FW.manual_seed(None)",
                                                                   arg="seed"),
    C("FW.manual_seed(2**64)", "FW.manual_seed(2**64)", arg="seed"),
]

# -- layer constructors: bad values per parameter, generated from the signatures ---------------------------
_SKIP_PARAMS = {"self", "device", "dtype", "_weight", "_freeze", "custom_encoder", "custom_decoder"}


def _bad_values(p: inspect.Parameter) -> list[str]:
    ann = str(p.annotation)
    if p.name in ("padding_mode",):
        return ["'bogus'", "1"]
    if p.name in ("mode", "nonlinearity", "reduction", "approximate"):
        return ["'bogus'", "None", "1"]
    if ann.startswith("bool"):
        return ["'a'"]
    if ann.startswith("int"):
        return ["-1", "2.5", "'a'"] + ([] if "None" in ann else ["None"])
    if ann.startswith("float"):
        return ["'a'", "-1.0"] + ([] if "None" in ann else ["None"])
    if ann.startswith("str"):
        return ["'bogus'", "1"]
    return ["-1", "'a'", "2.5", "(1, 'a')"]


def _layer_cases() -> list[Case]:
    from tests.nn.specs import all_specs
    base = {}
    for s in all_specs():
        base.setdefault(s.name, s)
    out = []
    for name in sorted(base):
        cls, spec = getattr(tp.nn, name, None), base[name]
        if cls is None or not hasattr(torch.nn, name):
            continue
        params = [p for p in inspect.signature(cls.__init__).parameters.values()
                  if p.name not in _SKIP_PARAMS and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
        names = [p.name for p in params]
        given = dict(zip(names, spec.args))
        given.update(spec.kwargs)
        for p in params:
            for bad in _bad_values(p):
                kw = dict({k: repr(v) for k, v in given.items()}, **{p.name: bad})
                call = f"FW.nn.{name}(" + ", ".join(f"{k}={v}" for k, v in kw.items()) + ")"
                out.append(Case(f"{name}({p.name}={bad})", call, arg=p.name, gen=False))
        if "dtype" in inspect.signature(cls.__init__).parameters:
            head = f"FW.nn.{name}(" + "".join(f"{k}={v!r}, " for k, v in given.items())
            out.append(Case(f"{name}(dtype=str)", head + "dtype=str)", arg="dtype", gen=False))
            out.append(Case(f"{name}(device='bogus')", head + "device='bogus')", arg="device", gen=False))
    return out


LAYERS = _layer_cases()
LAYERS += [Case(i, c, arg=a, gen=False) for i, c, a in [
    ("Conv2d(kernel_size='a', padding='same')", "FW.nn.Conv2d(3, 8, 'a', padding='same')", "kernel_size"),
    ("Conv1d(kernel_size=(1, 'a'), padding='same')", "FW.nn.Conv1d(3, 8, (1, 'a'), padding='same')",
     "kernel_size"),
    ("Linear(device='cpu:x')", "FW.nn.Linear(3, 2, device='cpu:x')", "device"),
    ("Linear(device=1.5)", "FW.nn.Linear(3, 2, device=1.5)", "device"),
    ("Linear(in_features=-1, device='bogus')", "FW.nn.Linear(-1, 2, device='bogus')", "device"),
    ("BatchNorm1d(affine=False, device='bogus')", "FW.nn.BatchNorm1d(2, affine=False, device='bogus')", "device"),
    ("BatchNorm1d(affine=False, num_features=2.5)", "FW.nn.BatchNorm1d(2.5, affine=False)", "num_features"),
    ("BatchNorm1d(track_running_stats=False, num_features=-1)",
     "FW.nn.BatchNorm1d(-1, track_running_stats=False)", "num_features"),
    ("Embedding(_weight=, device='bogus')", "FW.nn.Embedding(2, 3, _weight=FW.ones(2, 3), device='bogus')", "device"),
    ("MultiheadAttention(kdim=-1)", "FW.nn.MultiheadAttention(4, 2, kdim=-1)", "kdim"),
    ("MultiheadAttention(vdim=(1,))", "FW.nn.MultiheadAttention(4, 2, vdim=(1,))", "vdim"),
    ("RNNCell(hidden_size=-1)", "FW.nn.RNNCell(2, -1)", "hidden_size"),
    ("Transformer.generate_square_subsequent_mask(device='bogus')",
     "FW.nn.Transformer.generate_square_subsequent_mask(3, device='bogus')", "device"),
]]

# -- Module methods, containers, load_state_dict, functional_call -----------------------------------------
_L = "m = FW.nn.Linear(3, 2)\n"
_S = "m = FW.nn.Sequential(FW.nn.Linear(3, 2), FW.nn.ReLU())\n"
MODULE = [
    C("register_buffer(1, t)", "m.register_buffer(1, FW.ones(2))", _L, "name"),
    C("register_buffer('a.b')", "m.register_buffer('a.b', FW.ones(2))", _L, "name"),
    C("register_buffer('')", "m.register_buffer('', FW.ones(2))", _L, "name"),
    C("register_buffer('weight')", "m.register_buffer('weight', FW.ones(2))", _L, "name"),
    C("register_buffer(str)", "m.register_buffer('x', 'abc')", _L, "tensor"),
    C("register_buffer(list)", "m.register_buffer('x', [1.0])", _L, "tensor"),
    C("register_buffer(1.0)", "m.register_buffer('x', 1.0)", _L, "tensor"),
    C("register_buffer(None name)", "m.register_buffer(None, FW.ones(2))", _L, "name"),
    C("register_parameter(1)", "m.register_parameter(1, FW.nn.Parameter(FW.ones(2)))", _L, "name"),
    C("register_parameter('a.b')", "m.register_parameter('a.b', FW.nn.Parameter(FW.ones(2)))", _L, "name"),
    C("register_parameter('')", "m.register_parameter('', FW.nn.Parameter(FW.ones(2)))", _L, "name"),
    C("register_parameter(tensor)", "m.register_parameter('x', FW.ones(2))", _L, "param"),
    C("register_parameter(str)", "m.register_parameter('x', 'abc')", _L, "param"),
    C("register_parameter(existing attr)", "m.register_parameter('training', FW.nn.Parameter(FW.ones(2)))", _L,
      "name"),
    C("add_module(1)", "m.add_module(1, FW.nn.ReLU())", _L, "name"),
    C("add_module('a.b')", "m.add_module('a.b', FW.nn.ReLU())", _L, "name"),
    C("add_module('')", "m.add_module('', FW.nn.ReLU())", _L, "name"),
    C("add_module(str)", "m.add_module('x', 'abc')", _L, "module"),
    C("add_module(tensor)", "m.add_module('x', FW.ones(2))", _L, "module"),
    C("add_module('weight')", "m.add_module('weight', FW.nn.ReLU())", _L, "name"),
    C("register_module(1)", "m.register_module(1, FW.nn.ReLU())", _L, "name"),
    C("setattr weight=str", "m.weight = 'abc'", _L, "weight"), C("setattr weight=tensor", "m.weight = FW.ones(2, 3)",
                                                                _L, "weight"),
    C("to('bogus')", "m.to('bogus')", _L, "device"), C("to(1.5)", "m.to(1.5)", _L),
    C("to(int32)", "m.to(FW.int32)", _L, "dtype"), C("to(dtype=int32)", "m.to(dtype=FW.int32)", _L, "dtype"),
    C("to(bogus=1)", "m.to(bogus=1)", _L, "bogus"), C("to('cpu', 'bogus')", "m.to('cpu', 'bogus')", _L, "dtype"),
    C("to(device='bogus')", "m.to(device='bogus')", _L, "device"),
    C("to('cpu:x')", "m.to('cpu:x')", _L, "device"), C("to(dtype, 'cpu')", "m.to(FW.float16, 'cpu')", _L, "device"),
    C("to('cpu', dtype='x')", "m.to('cpu', dtype='x')", _L, "dtype"),
    C("to(device=1.5)", "m.to(device=1.5)", _L, "device"), C("to('cpu', 1.5)", "m.to('cpu', 1.5)", _L, "dtype"),
    C("to(dtype, device=)", "m.to(FW.float16, device='cpu')", _L, "device"),
    C("to('cpu', device=)", "m.to('cpu', device='cpu')", _L, "device"),
    C("to(dtype, 1)", "m.to(FW.float16, 1)", _L, "non_blocking"),
    C("to(non_blocking='x')", "m.to(non_blocking='x')", _L, "non_blocking"),
    C("to(dtype, copy=False)", "m.to(FW.float16, copy=False)", _L, "copy"),
    C("to(True)", "m.to(True)", _L, "dtype"), C("to(1)", "m.to(1)", _L, "device"),
    C("to(None, 'bogus')", "m.to(None, 'bogus')", _L, "dtype"),
    C("requires_grad_('x')", "m.requires_grad_('x')", _L, "requires_grad"),
    C("requires_grad_(None)", "m.requires_grad_(None)", _L, "requires_grad"),
    C("requires_grad_(1)", "m.requires_grad_(1)", _L, "requires_grad"),
    C("get_submodule('nope')", "m.get_submodule('nope')", _S, "target"),
    C("get_submodule('0.nope')", "m.get_submodule('0.nope')", _S, "target"),
    C("get_submodule('0.weight')", "m.get_submodule('0.weight')", _S, "target"),
    C("get_submodule(1)", "m.get_submodule(1)", _S, "target"),
    C("get_submodule(None)", "m.get_submodule(None)", _S, "target"),
    C("get_parameter('nope')", "m.get_parameter('0.nope')", _S, "target"),
    C("get_parameter('0')", "m.get_parameter('0')", _S, "target"),
    C("get_buffer('0.weight')", "m.get_buffer('0.weight')", _S, "target"),
    C("train('x')", "m.train('x')", _L, "mode"), C("train(None)", "m.train(None)", _L, "mode"),
    C("apply(1)", "m.apply(1)", _L, "fn"), C("named_parameters(1)", "list(m.named_parameters(1))", _L, "prefix"),
    C("state_dict('x')", "m.state_dict('x')", _L, "destination"),
    C("Module(1)", "FW.nn.Module(1)"), C("Module(a=1)", "FW.nn.Module(a=1)"),
]

CONTAINERS = [
    C("Sequential(1)", "FW.nn.Sequential(1)", arg="module"), C("Sequential('a')", "FW.nn.Sequential('a')", arg="module"),
    C("Sequential(tensor)", "FW.nn.Sequential(FW.ones(2))", arg="module"),
    C("Sequential(OrderedDict bad)", "FW.nn.Sequential(__import__('collections').OrderedDict(a=1))", arg="module"),
    C("Sequential[5]", "m[5]", _S, "idx"), C("Sequential[-5]", "m[-5]", _S, "idx"), C("Sequential['a']", "m['a']", _S,
                                                                                    "idx"),
    C("Sequential[1.5]", "m[1.5]", _S, "idx"), C("Sequential[5]=", "m[5] = FW.nn.ReLU()", _S, "idx"),
    C("Sequential[0]=1", "m[0] = 1", _S, "module"), C("del Sequential[5]", "del m[5]", _S, "idx"),
    C("Sequential.append(1)", "m.append(1)", _S, "module"), C("Sequential.insert(9)", "m.insert(9, FW.nn.ReLU())",
                                                              _S, "index"),
    C("Sequential.insert(1, 'a')", "m.insert(1, 'a')", _S, "module"),
    C("Sequential.insert('a')", "m.insert('a', FW.nn.ReLU())", _S, "index"),
    C("Sequential.extend(1)", "m.extend(1)", _S, "sequential"), C("Sequential.pop(9)", "m.pop(9)", _S, "key"),
    C("Sequential * 'a'", "m * 'a'", _S), C("Sequential * -1", "m * -1", _S), C("Sequential + 1", "m + 1", _S),
    C("'a' * Sequential", "'a' * m", _S), C("Sequential * 0", "m * 0", _S), C("Sequential *= 1.5", "m *= 1.5", _S),
    C("Sequential *= -2", "m *= -2", _S),
    C("ModuleList([1])", "FW.nn.ModuleList([1])", arg="module"), C("ModuleList(1)", "FW.nn.ModuleList(1)",
                                                                   arg="modules"),
    C("ModuleList('ab')", "FW.nn.ModuleList('ab')", arg="module"),
    C("ModuleList[5]", "m[5]", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "idx"),
    C("ModuleList['a']", "m['a']", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "idx"),
    C("ModuleList.append(1)", "m.append(1)", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "module"),
    C("ModuleList.extend(1)", "m.extend(1)", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "modules"),
    C("ModuleList.extend([1])", "m.extend([1])", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "module"),
    C("ModuleList.insert(0, 1)", "m.insert(0, 1)", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "module"),
    C("ModuleList[0]=1", "m[0] = 1", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "module"),
    C("ModuleList[5]=", "m[5] = FW.nn.ReLU()", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "idx"),
    C("ModuleList.pop(5)", "m.pop(5)", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n", "key"),
    C("ModuleList + 1", "m + 1", "m = FW.nn.ModuleList([FW.nn.ReLU()])\n"),
    C("ModuleDict(1)", "FW.nn.ModuleDict(1)", arg="modules"),
    C("ModuleDict({'a': 1})", "FW.nn.ModuleDict({'a': 1})", arg="module"),
    C("ModuleDict({1: m})", "FW.nn.ModuleDict({1: FW.nn.ReLU()})", arg="name"),
    C("ModuleDict([1])", "FW.nn.ModuleDict([1])", arg="modules"),
    C("ModuleDict([('a',)])", "FW.nn.ModuleDict([('a',)])", arg="modules"),
    C("ModuleDict['x']", "m['x']", "m = FW.nn.ModuleDict({'a': FW.nn.ReLU()})\n", "key"),
    C("ModuleDict['a']=1", "m['a'] = 1", "m = FW.nn.ModuleDict({'a': FW.nn.ReLU()})\n", "module"),
    C("ModuleDict['a.b']=", "m['a.b'] = FW.nn.ReLU()", "m = FW.nn.ModuleDict({'a': FW.nn.ReLU()})\n", "key"),
    C("ModuleDict.update(1)", "m.update(1)", "m = FW.nn.ModuleDict({'a': FW.nn.ReLU()})\n", "modules"),
    C("ModuleDict.pop('x')", "m.pop('x')", "m = FW.nn.ModuleDict({'a': FW.nn.ReLU()})\n", "key"),
    C("ParameterList(1)", "FW.nn.ParameterList(1)", arg="values"),
    C("ParameterList[5]", "m[5]", "m = FW.nn.ParameterList([FW.nn.Parameter(FW.ones(2))])\n", "idx"),
    C("ParameterList['a']", "m['a']", "m = FW.nn.ParameterList([FW.nn.Parameter(FW.ones(2))])\n", "idx"),
    C("ParameterList[5]=", "m[5] = FW.nn.Parameter(FW.ones(2))", "m = FW.nn.ParameterList([FW.nn.Parameter(FW.ones(2))])\n",
      "idx"),
    C("ParameterList.extend(1)", "m.extend(1)", "m = FW.nn.ParameterList([FW.nn.Parameter(FW.ones(2))])\n", "values"),
    C("ParameterList(int tensor)", "FW.nn.ParameterList([FW.zeros(2, dtype=FW.int32)])", arg="values"),
    C("ParameterDict(1)", "FW.nn.ParameterDict(1)", arg="parameters"),
    C("ParameterDict([1])", "FW.nn.ParameterDict([1])", arg="parameters"),
    C("ParameterDict({1: p})", "FW.nn.ParameterDict({1: FW.nn.Parameter(FW.ones(2))})", arg="key"),
    C("ParameterDict['x']", "m['x']", "m = FW.nn.ParameterDict({'a': FW.nn.Parameter(FW.ones(2))})\n", "key"),
    C("ParameterDict['a.b']=", "m['a.b'] = FW.nn.Parameter(FW.ones(2))",
      "m = FW.nn.ParameterDict({'a': FW.nn.Parameter(FW.ones(2))})\n", "key"),
    C("ParameterDict[1]=", "m[1] = FW.nn.Parameter(FW.ones(2))",
      "m = FW.nn.ParameterDict({'a': FW.nn.Parameter(FW.ones(2))})\n", "key"),
    C("ParameterDict.update(1)", "m.update(1)", "m = FW.nn.ParameterDict({'a': FW.nn.Parameter(FW.ones(2))})\n",
      "parameters"),
    C("ParameterDict.pop('x')", "m.pop('x')", "m = FW.nn.ParameterDict({'a': FW.nn.Parameter(FW.ones(2))})\n", "key"),
]

_LS = "m = FW.nn.Sequential(FW.nn.Linear(3, 2), FW.nn.BatchNorm1d(2))\nsd = m.state_dict()\n"
LOAD = [
    C("load(list)", "m.load_state_dict([1, 2])", _LS, "state_dict"),
    C("load(None)", "m.load_state_dict(None)", _LS, "state_dict"),
    C("load('a')", "m.load_state_dict('a')", _LS, "state_dict"),
    C("load(shape)", "m.load_state_dict(dict(sd, **{'0.weight': FW.ones(3, 3)}))", _LS, "0.weight"),
    C("load(0-d vs 1-d)", "m.load_state_dict(dict(sd, **{'0.bias': FW.ones(())}))", _LS, "0.bias"),
    C("load(str value)", "m.load_state_dict(dict(sd, **{'0.bias': 'ab'}))", _LS, "0.bias"),
    C("load(list value)", "m.load_state_dict(dict(sd, **{'0.bias': [1.0, 2.0]}))", _LS, "0.bias"),
    C("load(float value)", "m.load_state_dict(dict(sd, **{'0.bias': 1.0}))", _LS, "0.bias"),
    C("load(None value)", "m.load_state_dict(dict(sd, **{'0.bias': None}))", _LS, "0.bias"),
    C("load(missing)", "m.load_state_dict({k: v for k, v in sd.items() if k != '0.bias'})", _LS, "0.bias"),
    C("load(unexpected)", "m.load_state_dict(dict(sd, extra=FW.ones(1)))", _LS, "extra"),
    C("load(unexpected nested)", "m.load_state_dict(dict(sd, **{'0.extra': FW.ones(1)}))", _LS, "0.extra"),
    C("load(missing+shape)", "m.load_state_dict({'0.weight': FW.ones(3, 3)})", _LS, "0.weight"),
    C("load(strict=False shape)", "m.load_state_dict({'0.weight': FW.ones(3, 3)}, strict=False)", _LS, "0.weight"),
    C("load(assign int)", "m.load_state_dict(dict(sd, **{'0.bias': FW.ones(2, dtype=FW.int32)}), assign=True)", _LS,
      "0.bias"),
    C("load(buffer shape)", "m.load_state_dict(dict(sd, **{'1.running_mean': FW.ones(3)}))", _LS, "1.running_mean"),
    C("load(int keys)", "m.load_state_dict({1: FW.ones(2)})", _LS),
    C("load(strict='x' missing)", "m.load_state_dict({}, strict=None)", _LS),
    C("load(assign int Parameter)", "m.load_state_dict(dict(sd, **{'0.weight': FW.nn.Parameter(FW.ones(2, 3, "
      "dtype=FW.int32), requires_grad=False)}), assign=True)", _LS, "0.weight"),
    C("load(assign bool)", "m.load_state_dict(dict(sd, **{'0.weight': FW.ones(2, 3, dtype=FW.bool)}), assign=True)",
      _LS, "0.weight"),
]

FCALL = [
    C("functional_call(str value)", "functional_call(m, {'weight': 'abc'}, (FW.ones(1, 3),))", _L, "weight"),
    C("functional_call(list value)", "functional_call(m, {'weight': [[1.0] * 3] * 2}, (FW.ones(1, 3),))", _L,
      "weight"),
    C("functional_call(None value)", "functional_call(m, {'weight': None}, (FW.ones(1, 3),))", _L, "weight"),
    C("functional_call(float value)", "functional_call(m, {'bias': 1.0}, (FW.ones(1, 3),))", _L, "bias"),
    C("functional_call(state=1)", "functional_call(m, 1, (FW.ones(1, 3),))", _L, "parameter_and_buffer_dicts"),
    C("functional_call(state='a')", "functional_call(m, 'a', (FW.ones(1, 3),))", _L, "parameter_and_buffer_dicts"),
    C("functional_call(state=[1])", "functional_call(m, [1], (FW.ones(1, 3),))", _L, "parameter_and_buffer_dicts"),
    C("functional_call(module=1)", "functional_call(1, {}, (FW.ones(1, 3),))", "", "module"),
    C("functional_call(kwargs=1)", "functional_call(m, {}, (FW.ones(1, 3),), 1)", _L, "kwargs"),
    C("functional_call(kwargs=[1])", "functional_call(m, {}, (FW.ones(1, 3),), [1])", _L, "kwargs"),
    C("functional_call(module='a')", "functional_call('a', {}, (FW.ones(1, 3),))", "", "module"),
    C("functional_call(unknown key, int value)", "functional_call(m, {'unknown': 1}, (FW.ones(1, 3),))", _L,
      "unknown"),
    C("functional_call(nested str value)", "functional_call(m, {'weight': {'x': 1}}, (FW.ones(1, 3),))", _L,
      "weight"),
]

# Edge values torch accepts: ours must accept them too (no over-strict checks).
GOOD = [C(f"good: {c}", c, s) for s, c in [
    ("", "FW.zeros(0)"), ("", "FW.zeros(2, 0)"), ("", "FW.empty(())"), ("", "FW.zeros([])"),
    ("", "FW.zeros(np.int64(2))"), ("", "FW.full((2,), True)"), ("", "FW.full((2,), 3)"), ("", "FW.tensor([])"),
    ("", "FW.tensor([[1.0], [2.0]])"), ("", "FW.tensor([True, 1, 2.5])"),
    ("", "FW.tensor(np.float32(1.5))"), ("", "FW.Tensor()"), ("", "FW.Tensor(0)"), ("", "FW.Tensor([1, 2])"),
    (_T, "t.fill_(math.inf)"), (_T, "t.fill_(-math.nan)"), (_T, "t.fill_(True)"), (_T, "t.fill_(FW.tensor(2.0))"),
    (_T, "t.fill_(np.float64(1e30))"), (_I, "t.fill_(1.7)"), (_I, "t.fill_(-2**31)"), (_B, "t.fill_(5)"),
    ("t = FW.zeros(3, dtype=FW.uint8)\n", "t.fill_(-1)"), (_T, "t.copy_(2.0)"), (_T, "t.copy_(FW.ones(1))"),
    (_T, "t.copy_(FW.ones(3, dtype=FW.int32))"), (_T, "t.uniform_(True, 2)"), (_T, "t.uniform_(0, 0)"),
    (_T, "t.uniform_(np.float32(0), 1)"), (_T, "t.normal_(0, 0)"), (_T, "t.normal_(math.inf, 1)"),
    (_T, "t.add_(1)"), (_T, "t.add_(FW.ones(1), alpha=2)"), (_T, "t.mul_(True)"), (_T, "t.div_(0)"),
    (_I, "t.div_(2, rounding_mode='floor')"), (_T, "t.clamp_(max=0.5)"), (_T, "t.clamp_(FW.zeros(3), FW.ones(3))"),
    (_T, "t[-3] = 1.0"), (_T, "t[FW.tensor([True, False, True])] = 2.0"), (_T, "t[:] = 1"), (_T, "t[1:] = FW.ones(2)"),
    (_M, "t[1] = FW.ones(1, 3)"), (_T, "t.data = FW.ones(5)"), (_P, "t.data = FW.ones(3, dtype=FW.float16)"),
    ("", "FW.nn.Parameter(FW.zeros(3, dtype=FW.int32), requires_grad=False)"), ("", "FW.nn.Parameter()"),
    ("", "FW.nn.Buffer(FW.ones(2), persistent=False)"), ("", "FW.nn.init.calculate_gain('leaky_relu', 1)"),
    ("", "FW.nn.init.trunc_normal_(FW.empty(50), a=-1e39, b=1e39)"), ("", "FW.nn.init.uniform_(FW.empty(3), 2, 2)"),
    ("", "FW.nn.init.kaiming_uniform_(FW.empty(3, 0))"), ("", "FW.nn.init.kaiming_uniform_(FW.empty(3, 4), mode='FAN_OUT')"),
    ("", "FW.nn.init.constant_(FW.empty(3), FW.tensor(1.5))"), ("", "FW.nn.init.orthogonal_(FW.empty(0, 3))"),
    ("", "FW.nn.init.dirac_(FW.empty(2, 4, 3, 3), groups=2)"), (_G, "g.manual_seed(-1)"), (_G, "g.manual_seed(2**64 - 1)"),
    (_G, "g.set_state(g.get_state())"), ("", "FW.manual_seed(2.5)"),
    ("", "FW.manual_seed('12')"), ("", "FW.nn.Linear(0, 3)"), ("", "FW.nn.Linear(3, 0)"), ("", "FW.nn.Conv2d(2, 4, (1, 3))"),
    ("", "FW.nn.Embedding(3, 2, padding_idx=-1)"), ("", "FW.nn.Dropout(0.0)"), ("", "FW.nn.Dropout(1)"),
    ("", "FW.nn.LSTM(2, 3, num_layers=2, dropout=0.5)"), ("", "FW.nn.LayerNorm([])"), ("", "FW.nn.BatchNorm1d(0)"),
    ("", "FW.nn.Linear(3, 2, dtype=FW.float16)"), ("", "FW.nn.Linear(3, 2, device='cpu')"),
    (_L, "m.register_buffer('x', None)"), (_L, "m.register_parameter('x', None)"), (_L, "m.add_module('x', None)"),
    (_L, "m.to('cpu')"), (_L, "m.to(FW.float16)"), (_L, "m.requires_grad_(False)"),
    (_S, "m.get_submodule('')"), (_S, "m[-2]"), (_S, "m[0:5]"), (_S, "m.insert(-1, FW.nn.ReLU())"),
    (_LS, "m.load_state_dict(sd)"), (_LS, "m.load_state_dict({}, strict=False)"),
    (_LS, "m.load_state_dict(dict(sd, **{'0.bias': FW.ones(2, dtype=FW.int32)}))"),
    (_LS, "m.load_state_dict(dict(sd, **{'1.num_batches_tracked': FW.tensor([3])}))"),
    (_L, "functional_call(m, {'weight': FW.ones(2, 3)}, (FW.ones(1, 3),))"),
    (_L, "functional_call(m, ({'weight': FW.ones(2, 3)}, {'bias': FW.ones(2)}), (FW.ones(1, 3),))"),
    (_L, "functional_call(m, {'weight': FW.ones(2, 3)}, (FW.ones(1, 3),), {})"),
    (_L, "functional_call(m, {'weight': FW.ones(2, 3), 'unknown': FW.ones(1)}, (FW.ones(1, 3),))"),
    ("", "FW.empty((2, True))"), ("", "FW.zeros(2, True)"), ("", "FW.empty(2, np.int64(3))"),
    ("", "FW.empty(2, device='cpu:0')"), ("", "FW.empty(2, device=b'cpu')"), ("", "FW.tensor([1.0], device='cpu')"),
    ("", "FW.zeros_like(FW.ones(2), device='cpu')"), ("", "FW.full((2,), 1.0, device=None)"),
    ("", "FW.nn.GroupNorm(2, 4, affine=False, device='bogus')"), ("", "FW.nn.LayerNorm(3, elementwise_affine=False, "
                                                                       "device='bogus')"),
    ("", "FW.nn.Linear(np.int64(3), 2)"), ("", "FW.nn.LayerNorm((2, True))"), ("", "FW.nn.Conv2d(2, 2, np.int64(3))"),
    ("", "FW.nn.BatchNorm1d(np.int64(2))"), ("", "FW.nn.Conv2d(2, 2, 3, padding='same', dilation=2)"),
    ("", "FW.nn.MultiheadAttention(4, 2, kdim=3, vdim=5, device='cpu')"), ("", "FW.nn.Embedding(3, 2, device='cpu')"),
    (_L, "m.to(2.5)"), (_L, "m.to(FW.float16, True)"), (_L, "m.to('cpu', FW.float16, True)"),
    (_L, "m.to(None, FW.float16)"), (_L, "m.to(FW.ones(1, dtype=FW.float16))"), (_L, "m.to('cpu', non_blocking=True)"),
    (_L, "m.to(device='cpu', dtype=FW.float16)"), (_L, "m.to('meta')"), (_L, "m.to('cpu', None)"),
    (_M, "t[[1.5]]"), (_M, "t[np.array([-1.2])]"), (_M, "t[0, [2.9, -0.5]]"), (_M, "t[[1.5]] = 0.0"),
    (_M, "t[[1, 0]]"), (_M, "t[FW.tensor([1, 0])]"), (_M, "t[FW.tensor([True, False]), 0]"), (_M, "t[None, 0, 0]"),
    (_S, "m * True"), (_S, "3 * m"),
]]

GROUPS = ["FACTORIES", "BOX", "INIT", "GENERATOR", "LAYERS", "MODULE", "CONTAINERS", "LOAD", "FCALL"]

# Where we intentionally differ from torch (the README's "Differences from torch: errors" lists them):
# (id, setup, call, expected exception type or None for "accepted", a regex the message must match).
POLICY = [
    ("device names a backend torch lacks", "", "tp.nn.Linear(3, 2, device='cuda')", None, ""),
    ("to() a device torch lacks", "m = tp.nn.Linear(3, 2)\n", "m.to('cuda:1')", None, ""),
    ("dtype given as a string", "", "tp.zeros(2, dtype='float16')", None, ""),
    ("init on a jax.Array", "", "tp.nn.init.uniform_(jnp.ones((3, 5)))", TypeError, r"^Expected `tensor` to be"),
    ("Parameter(list)", "", "tp.nn.Parameter([1.0, 2.0])", TypeError, r"^Expected `data` to be a Tensor"),
    ("load a NumPy string array", "m = tp.nn.Linear(3, 2)\n",
     "m.load_state_dict(dict(m.state_dict(), bias=np.array(['a', 'b'])))", RuntimeError,
     r"While copying the parameter named \"bias\", expected torch.Tensor or Tensor-like object"),
    ("load a NumPy object array", "m = tp.nn.Linear(3, 2)\n",
     "m.load_state_dict(dict(m.state_dict(), bias=np.array([1.0, None])))", RuntimeError,
     r"While copying the parameter named \"bias\", expected torch.Tensor or Tensor-like object"),
    ("load a NumPy bfloat16 array", "m = tp.nn.Linear(3, 2)\nimport ml_dtypes\n",
     "m.load_state_dict(dict(m.state_dict(), bias=np.ones(2, dtype=ml_dtypes.bfloat16)))", None, ""),
    ("to() a dtype given as a string", "m = tp.nn.Linear(3, 2)\n", "m.to('float16')", None, ""),
    ("to(device, dtype given as a string)", "m = tp.nn.Linear(3, 2)\n", "m.to('cpu', dtype='float16')", None, ""),
    ("load NumPy values", "m = tp.nn.Linear(3, 2)\n",
     "m.load_state_dict({k: np.asarray(v) for k, v in m.state_dict().items()})", None, ""),
    ("tensor(2**40) without x64", "", "tp.tensor(2**40)" if not jax.config.jax_enable_x64 else "tp.tensor(2**70)",
     RuntimeError if not jax.config.jax_enable_x64 else ValueError, r"overflow|Overflow"),
]


def _ours(setup: str, call: str) -> Outcome:
    ns = {"tp": tp, "np": np, "jnp": jnp, "math": math}
    exec(setup, ns)
    snap = _snapshot(ns)
    try:
        exec(call, ns)
    except Exception as e:  # noqa: BLE001
        tb = traceback.extract_tb(e.__traceback__)
        return Outcome(type(e).__name__, str(e), tb[-1].filename, not _same(snap, _snapshot(ns)))
    return Outcome("ok")


# -- the tests: one item per group of cases (a layer class, an initializer, a family of methods) -----------
def _grouped(cases: list[Case], key) -> dict[str, list[Case]]:
    out: dict[str, list[Case]] = {}
    for c in cases:
        out.setdefault(key(c), []).append(c)
    return out


_GROUPS = {}
for _g in GROUPS:
    if _g in ("LAYERS", "INIT"):
        _GROUPS.update({f"{_g}:{k}": v for k, v in _grouped(globals()[_g], lambda c: c.id.split("(")[0]).items()})
    else:
        _GROUPS.update({f"{_g}:{i // 8}": globals()[_g][i:i + 8] for i in range(0, len(globals()[_g]), 8)})


def test_the_table_is_large_and_covers_every_category():
    assert sum(len(globals()[g]) for g in GROUPS) >= 400
    assert all(len(globals()[g]) >= 9 for g in GROUPS)
    layer_classes = {c.id.split("(")[0] for c in LAYERS}
    assert len(layer_classes) >= 90, "every layer of tp.nn with a spec gets generated cases"


@pytest.mark.parametrize("group", sorted(_GROUPS), ids=sorted(_GROUPS))
def test_bad_arguments_fail_like_torch(group):
    failures = [f"{c.id}: {r}" for c in _GROUPS[group] if (r := check(c)) is not None]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("case", GOOD, ids=[c.id for c in GOOD])
def test_edge_values_torch_accepts_are_accepted(case):
    assert check(case) is None, check(case)


@pytest.mark.parametrize("name,setup,call,exc,pattern", POLICY, ids=[p[0] for p in POLICY])
def test_documented_policy(name, setup, call, exc, pattern):
    out = _ours(setup, call)
    if exc is None:
        assert out.kind == "ok", out
    else:
        assert out.kind == exc.__name__ and re.search(pattern, out.msg), out
        assert not out.changed and out.frame.startswith(_PKG)


if __name__ == "__main__":
    n = bad = 0
    for g in GROUPS + ["GOOD"]:
        for c in globals()[g]:
            n += 1
            if (r := check(c)) is not None:
                bad += 1
                print(f"[{g}] {c.id}: {r}")
    print(f"{bad}/{n} cases differ")


# -- more than 2**32 elements: deterministic factories work (abstractly: no allocation here), random draws
# refuse before anything is allocated (the key stream counts elements in uint32).
_BIG = 2**32 + 1


@pytest.mark.parametrize("make", [lambda: tp.rand(_BIG), lambda: tp.randn(_BIG, dtype=tp.float16),
                                  lambda: tp.nn.init.normal_(tp.empty(_BIG)),
                                  lambda: tp.nn.init.trunc_normal_(tp.empty(_BIG)),
                                  lambda: tp.nn.init.kaiming_uniform_(tp.empty(2**16, 2**16 + 1))],
                         ids=["rand", "randn", "normal_", "trunc_normal_", "kaiming_uniform_"])
def test_random_draws_over_2_32_elements_raise_before_allocating(make):
    with pytest.raises(RuntimeError, match=r"at most 2\*\*32 elements .* got \d+ elements"):
        make()


def test_over_2_32_elements_abstractly():
    assert tp.empty(_BIG).shape == (_BIG,)                      # lazy: nothing allocated
    assert jax.eval_shape(lambda: tp.zeros(_BIG).value).shape == (_BIG,)
    assert jax.eval_shape(lambda: tp.full((_BIG,), 2.0, dtype=tp.float16).value).dtype == jnp.float16

    def traced(k):
        with tp.key_scope(k):
            return tp.rand(_BIG).value
    with pytest.raises(RuntimeError, match=r"at most 2\*\*32 elements"):
        jax.eval_shape(traced, jax.random.key(0))
    with pytest.raises(RuntimeError, match=r"at most 2\*\*32 elements"):
        jax.eval_shape(lambda k: tp.initializers.normal(k, (_BIG,)), jax.random.key(0))
    assert jax.eval_shape(lambda k: tp.initializers.normal(k, (2**32,)), jax.random.key(0)).shape == (2**32,)
