"""The layer registry's shared parity tests: every ``Spec`` of ``tests/nn/specs`` against torch 2.13.

One list (``all_specs()``) feeds every common test, as optax's ``alias_test.py`` does for its
optimizers. Per spec:

1. ``test_structure``: ``state_dict`` keys (in order), shapes and dtypes, ``repr``,
   ``named_parameters``/``named_buffers`` order, ``requires_grad``.
2. ``test_default_init``: torch's and our default init drawn under several seeds, pooled per
   float parameter: two-sample KS test, mean/variance within a sample-size tolerance, min/max
   bounds; parameters that torch fills deterministically, and all buffers, compared exactly.
3. ``test_forward``: torch's weights copied into ours, every output leaf compared in eval mode
   and (``spec.train``) train mode; train mode compares shapes/dtypes only when
   ``spec.random_in_train``.
4. ``test_gradients``: ``jax.grad`` of ``functional_call`` projected on fixed random weights
   (``sum(out * w)``) w.r.t. float parameters and ``spec.grad_inputs`` vs torch autograd. Eval
   mode; train mode too when the spec is deterministic in training and torch's train-mode output
   differs from its eval-mode output beyond the spec's tolerance (otherwise the train-mode
   gradient is the eval one). Compiled at XLA's lowest optimization level (compile time).
5. ``test_functional_call``, ``test_compile_init`` (jit and eval_shape), ``test_copy_and_pickle``,
   ``test_load_state_dict_is_atomic``, ``test_jit_of_fresh_module``.
6. ``test_training_buffers``: (specs whose torch module has buffers and ``spec.train``) three
   training steps eagerly and through ``functional_call(..., return_buffers=True)`` under jit.

And once: coverage of every public class of ``tp.nn``, spec classes exist in both, unique ids.

Conventions: integer inputs go to torch as int64 and to JAX as int32; int64 tensors in torch
(state or outputs) are accepted as int32 on our side (JAX without x64), and no other dtype
mapping is. Indices in ``spec.grad_inputs`` that point at non-float inputs are ignored. Gradients
are compared with ``atol = rtol = spec.grad_atol``.
"""

from __future__ import annotations

import copy
import math
import pickle
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats
import torch

import torchlike_params as tp
from tests.nn.specs import all_specs

SPECS = all_specs()

# Containers and module wrappers take modules, not plain values: tested in test_containers.py and
# test_tensor_api.py (DataParallel) against torch instead.
_CONTAINERS = {"Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "DataParallel"}


def _each(specs):
    return pytest.mark.parametrize("spec", specs, ids=[s.id for s in specs])


# ---------------------------------------------------------------------------------------------
# Building, converting, flattening
# ---------------------------------------------------------------------------------------------

def _build_torch(spec, seed=0):
    torch.manual_seed(seed)
    return getattr(torch.nn, spec.name)(*spec.args, **spec.kwargs)


def _build_tp(spec, seed=0):
    tp.manual_seed(seed)
    return getattr(tp.nn, spec.name)(*spec.args, **spec.kwargs)


def _np(t):
    t = t.detach().cpu()
    return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


def _torch_leaf(x):
    if isinstance(x, np.ndarray):
        return torch.tensor(x.astype(np.int64) if x.dtype.kind == "i" else x)   # a copy: inplace-safe
    return x


def _jax_leaf(x):
    if isinstance(x, np.ndarray):
        return jnp.asarray(x.astype(np.int32) if x.dtype.kind == "i" else x)
    return x


def _to_torch(tree):
    return jax.tree_util.tree_map(_torch_leaf, tree)


def _to_jax(tree):
    return jax.tree_util.tree_map(_jax_leaf, tree)


def _leaves_torch(o, detach=True):
    if o is None:
        return [None]
    if isinstance(o, torch.Tensor):
        return [o.detach() if detach else o]
    if isinstance(o, (tuple, list)):
        return [leaf for v in o for leaf in _leaves_torch(v, detach)]
    if isinstance(o, dict):
        return [leaf for v in o.values() for leaf in _leaves_torch(v, detach)]
    return [o]


def _leaves_tp(o):
    if o is None:
        return [None]
    if isinstance(o, tp.Tensor):
        return [o.value]
    if isinstance(o, (tuple, list)):
        return [leaf for v in o for leaf in _leaves_tp(v)]
    if isinstance(o, dict):
        return [leaf for v in o.values() for leaf in _leaves_tp(v)]
    return [o]


def _dtype_name(x):
    if isinstance(x, torch.Tensor):
        return str(x.dtype).removeprefix("torch.")
    return np.dtype(x.dtype).name


def _same_dtype(ours, theirs):
    return ours == theirs or (theirs == "int64" and ours == "int32")


def _assert_close(got, want, atol, rtol, what):
    got, want = np.asarray(got), np.asarray(want)
    if want.dtype == np.float32 and got.dtype != np.float32 and got.dtype.kind == "f":
        got = got.astype(np.float32)        # bfloat16 torch leaves arrive here as float32
    if want.dtype.kind in "biu":
        np.testing.assert_array_equal(got, want, err_msg=what)
    else:
        np.testing.assert_allclose(got, want, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)


def _compare_leaves(got, want, atol, rtol, values=True, what="output"):
    """``got`` (ours) vs ``want`` (torch), both flattened; None <-> None."""
    g, w = _leaves_tp(got), _leaves_torch(want)
    assert len(g) == len(w), f"{what}: {len(g)} leaves, torch has {len(w)}"
    for i, (a, b) in enumerate(zip(g, w)):
        where = f"{what} leaf {i}"
        if b is None:
            assert a is None, f"{where}: torch gives None, ours {type(a).__name__}"
        elif isinstance(b, torch.Tensor):
            assert hasattr(a, "shape") and hasattr(a, "dtype"), f"{where}: ours is {type(a).__name__}"
            assert tuple(a.shape) == tuple(b.shape), f"{where}: shape {tuple(a.shape)} vs torch {tuple(b.shape)}"
            assert _same_dtype(_dtype_name(a), _dtype_name(b)), \
                f"{where}: dtype {_dtype_name(a)} vs torch {_dtype_name(b)}"
            if values:
                _assert_close(a, _np(b), atol, rtol, where)
        else:
            assert not hasattr(a, "shape") or np.ndim(a) == 0, f"{where}: torch gives {b!r}, ours an array"
            if values:
                np.testing.assert_allclose(np.asarray(a, dtype=np.float64), float(b), atol=atol, rtol=rtol,
                                           err_msg=where)


def _boxes(m):
    """``(name, box)`` for every registered parameter and buffer, under every name."""
    out = []
    for prefix, mod in m.named_modules(remove_duplicate=False):
        for registry in (mod._parameters, mod._buffers):
            for name, t in registry.items():
                if t is not None:
                    out.append((f"{prefix}.{name}" if prefix else name, t))
    return out


def _state_np(m):
    return {k: np.asarray(v) for k, v in m.state_dict().items()}


# ---------------------------------------------------------------------------------------------
# One torch/tp pair per spec, built once; every test restores its state from the snapshot
# ---------------------------------------------------------------------------------------------

class _Pair:
    def __init__(self, spec):
        self.spec = spec
        self.t = _build_torch(spec)
        self.m = _build_tp(spec)
        self.m.load_state_dict({k: _np(v) for k, v in self.t.state_dict().items()})
        if spec.setup is not None:
            spec.setup(self.t, self.m)
        self.snapshot = {k: v.detach().clone() for k, v in self.t.state_dict().items()}
        self.inputs = tuple(spec.inputs(np.random.default_rng(0)))
        self.kwargs = dict(spec.forward_kwargs)
        self._eval_out = None

    def reset(self, train):
        self.t.load_state_dict(self.snapshot)  # every test starts from the same weights and buffers
        self.m.load_state_dict({k: _np(v) for k, v in self.snapshot.items()})
        self.t.train(train)
        self.m.train(train)
        return self

    def torch_forward(self, inputs=None):
        with torch.no_grad():
            return self.t(*_to_torch(self.inputs if inputs is None else inputs), **_to_torch(self.kwargs))

    def tp_forward(self, inputs=None):
        return self.m(*_to_jax(self.inputs if inputs is None else inputs), **_to_jax(self.kwargs))

    def tp_eval_output(self):
        """Our eager eval-mode output on ``self.inputs`` (computed once: eager forwards compile op by op)."""
        if self._eval_out is None:
            training = self.m.training
            self.m.eval()
            self._eval_out = (self.tp_forward(),)
            self.m.train(training)
        return self._eval_out[0]


_PAIRS: dict[int, _Pair] = {}


def _pair(spec, train=False):
    p = _PAIRS.get(id(spec))
    if p is None:
        p = _PAIRS[id(spec)] = _Pair(spec)
    return p.reset(train)


# ---------------------------------------------------------------------------------------------
# 1. Structure
# ---------------------------------------------------------------------------------------------

@_each(SPECS)
def test_structure(spec):
    t, m = _build_torch(spec), _build_tp(spec)
    tsd, msd = t.state_dict(), m.state_dict()
    assert list(msd) == list(tsd)
    for k in tsd:
        assert tuple(msd[k].shape) == tuple(tsd[k].shape), k
        assert _same_dtype(_dtype_name(msd[k]), _dtype_name(tsd[k])), \
            f"{k}: {_dtype_name(msd[k])} vs torch {_dtype_name(tsd[k])}"
    assert repr(m) == repr(t)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    for (n, mp), (_, tparam) in zip(m.named_parameters(), t.named_parameters()):
        assert isinstance(mp, tp.nn.Parameter), n
        assert mp.requires_grad == tparam.requires_grad, n
    assert m.training == t.training


# ---------------------------------------------------------------------------------------------
# 2. Default init
# ---------------------------------------------------------------------------------------------

_KS_TARGET = 8192      # pooled samples per parameter and side (at least, up to _KS_MAX_REPS builds)
_KS_MAX_REPS = 16
_KS_CAP = 32_768       # pooled samples above this are subsampled (fixed seed)
_KS_MIN = 64           # fewer pooled samples: no statistical test
_KS_ALPHA = 1e-4
_Z = 5.0               # tolerance of the mean/variance comparisons, in standard errors
_TAIL = 20             # the _TAIL most extreme pooled values may not all come from one side (p ~ 2**-19)


def _float_params(module, to_np):
    return {n: to_np(p) for n, p in module.named_parameters() if np.dtype(_dtype_name(p)).kind == "f"}


def _tail_run(name, ours, theirs, rng):
    """Bounds, distribution-free: under equal distributions the ``_TAIL`` largest (smallest) of the
    pooled samples all come from the same side with probability ~ 2 * 2**-_TAIL."""
    pooled = np.concatenate([ours, theirs])
    mine = np.concatenate([np.ones(len(ours), bool), np.zeros(len(theirs), bool)])
    order = np.lexsort((rng.random(len(pooled)), pooled))          # random tie-break (atoms)
    for side, idx in (("largest", order[-_TAIL:]), ("smallest", order[:_TAIL])):
        if mine[idx].all() or not mine[idx].any():
            who = "ours" if mine[idx].all() else "torch's"
            raise AssertionError(
                f"{name}: the {_TAIL} {side} pooled values are all {who} (ours in "
                f"[{ours.min():.6g}, {ours.max():.6g}], torch's in [{theirs.min():.6g}, {theirs.max():.6g}])")


def _compare_distributions(name, ours, theirs):
    n = len(theirs)
    rng = np.random.default_rng(0)
    if n > _KS_CAP:
        ours, theirs = rng.choice(ours, _KS_CAP, replace=False), rng.choice(theirs, _KS_CAP, replace=False)
        n = _KS_CAP
    ours, theirs = ours.astype(np.float64), theirs.astype(np.float64)
    p = scipy.stats.ks_2samp(ours, theirs).pvalue
    assert p > _KS_ALPHA, f"{name}: KS p-value {p:.2e} (n={n} per side)"
    se_mean = math.sqrt(ours.var() / n + theirs.var() / n)
    assert abs(ours.mean() - theirs.mean()) <= _Z * se_mean + 1e-7, \
        f"{name}: mean {ours.mean():.5g} vs torch {theirs.mean():.5g}"

    def se_var(x):
        return ((x - x.mean()) ** 2).std() / math.sqrt(n)
    assert abs(ours.var() - theirs.var()) <= _Z * math.hypot(se_var(ours), se_var(theirs)) + 1e-12, \
        f"{name}: variance {ours.var():.5g} vs torch {theirs.var():.5g}"
    if n >= 2 * _TAIL:
        _tail_run(name, ours, theirs, rng)


@_each(SPECS)
def test_default_init(spec):
    t0, m0 = _build_torch(spec, 0), _build_tp(spec, 0)
    # buffers are deterministic at construction: exact
    tb, mb = dict(t0.named_buffers()), dict(m0.named_buffers())
    assert list(mb) == list(tb)
    for k in tb:
        _assert_close(np.asarray(mb[k]), _np(tb[k]), 0, 0, f"buffer {k}")
    tparams = _float_params(t0, lambda p: _np(p).ravel())
    mparams = _float_params(m0, lambda p: np.asarray(p).ravel())
    assert list(mparams) == list(tparams)
    sizes = [v.size for v in tparams.values() if v.size > 0]
    if not sizes:
        return
    reps = min(_KS_MAX_REPS, max(2, math.ceil(_KS_TARGET / min(sizes))))
    tdraws = {k: [v] for k, v in tparams.items()}
    mdraws = {k: [v] for k, v in mparams.items()}
    for seed in range(1, reps):
        for k, v in _float_params(_build_torch(spec, seed), lambda p: _np(p).ravel()).items():
            tdraws[k].append(v)
        for k, v in _float_params(_build_tp(spec, seed), lambda p: np.asarray(p).ravel()).items():
            mdraws[k].append(v)
    for k in tparams:
        if tparams[k].size == 0:
            continue
        if np.array_equal(tdraws[k][0], tdraws[k][1], equal_nan=True):     # torch: deterministic fill
            _assert_close(mdraws[k][0], tdraws[k][0], 0, 0, f"{k} (deterministic init)")
            _assert_close(mdraws[k][1], tdraws[k][0], 0, 0, f"{k} (deterministic init, second seed)")
            continue
        if not spec.init_ks:
            continue
        theirs, ours = np.concatenate(tdraws[k]), np.concatenate(mdraws[k])
        if theirs.size >= _KS_MIN:
            _compare_distributions(k, ours, theirs)


# ---------------------------------------------------------------------------------------------
# 3. Forward
# ---------------------------------------------------------------------------------------------

@_each(SPECS)
def test_forward(spec):
    p = _pair(spec, train=False)
    _compare_leaves(p.tp_eval_output(), p.torch_forward(), spec.atol, spec.rtol, what="eval output")
    if spec.train:
        p.reset(train=True)
        _compare_leaves(p.tp_forward(), p.torch_forward(), spec.atol, spec.rtol,
                        values=not spec.random_in_train, what="train output")


# ---------------------------------------------------------------------------------------------
# 4. Gradients
# ---------------------------------------------------------------------------------------------

def _diff_positions(spec, inputs):
    """``(top-level index, leaf index)`` of every float input leaf to differentiate."""
    out = []
    for i in spec.grad_inputs:
        if i < len(inputs):
            leaves = jax.tree_util.tree_leaves(inputs[i])
            out += [(i, j) for j, x in enumerate(leaves)
                    if isinstance(x, np.ndarray) and x.dtype.kind == "f"]
    return out


def _projections(torch_out):
    rng = np.random.default_rng(1234)
    return [rng.standard_normal(tuple(x.shape)).astype(np.float32)
            if isinstance(x, torch.Tensor) and x.is_floating_point() else None
            for x in _leaves_torch(torch_out)]


def _with_leaves(inputs, positions, new_leaves, convert):
    """``inputs`` converted leafwise by ``convert``, with ``new_leaves`` at ``positions``."""
    out = []
    for i, x in enumerate(inputs):
        leaves, treedef = jax.tree_util.tree_flatten(x)
        leaves = [convert(v) for v in leaves]
        for (pi, j), v in zip(positions, new_leaves):
            if pi == i:
                leaves[j] = v
        out.append(jax.tree_util.tree_unflatten(treedef, leaves))
    return tuple(out)


def _torch_grads(p, positions, ws):
    t = p.t
    params = [(n, q) for n, q in t.named_parameters() if q.requires_grad and q.is_floating_point()]
    leaves = [torch.tensor(jax.tree_util.tree_leaves(p.inputs[i])[j], requires_grad=True) for i, j in positions]
    xs = _with_leaves(p.inputs, positions, [x.clone() for x in leaves], _torch_leaf)   # clones: inplace-safe
    out = t(*xs, **_to_torch(p.kwargs))
    terms = [(o * torch.from_numpy(w)).sum() for o, w in zip(_leaves_torch(out, detach=False), ws)
             if w is not None]
    wrt = [q for _, q in params] + leaves
    if terms and wrt and sum(terms).requires_grad:
        grads = torch.autograd.grad(sum(terms), wrt, allow_unused=True)
    else:
        grads = [None] * len(wrt)
    grads = [np.zeros(tuple(x.shape), np.float32) if g is None else _np(g) for g, x in zip(grads, wrt)]
    return dict(zip([n for n, _ in params], grads[:len(params)])), grads[len(params):]


def _tp_grads(p, names, positions, ws):
    m = p.m
    params = {n: q.value for n, q in m.named_parameters() if n in names}
    # every buffer given too: functional_call swaps in fresh boxes, so train-mode updates stay in the trace
    buffers = {n: b.value for n, b in m.named_buffers()}
    leaves = [_jax_leaf(jax.tree_util.tree_leaves(p.inputs[i])[j]) for i, j in positions]
    kwargs = _to_jax(p.kwargs)

    def scalar(params, leaves):
        xs = _with_leaves(p.inputs, positions, leaves, _jax_leaf)
        out = tp.functional_call(m, {**buffers, **params}, xs, kwargs)
        terms = [(jnp.asarray(o) * w).sum() for o, w in zip(_leaves_tp(out), ws) if w is not None]
        return sum(terms, jnp.float32(0))

    return _fast_jit(jax.grad(scalar, argnums=(0, 1)), params, leaves)


def _fast_jit(fn, *args):
    """``jax.jit(fn)(*args)`` compiled at XLA's lowest backend optimization level: about a third less
    compile time, and the gradients are compared with tolerances anyway."""
    return jax.jit(fn).lower(*args).compile({"xla_backend_optimization_level": 0})(*args)


def _check_grads(spec, p, mode):
    positions = _diff_positions(spec, p.inputs)
    ws = _projections(p.torch_forward())
    tg, tin = _torch_grads(p, positions, ws)
    mg, min_ = _tp_grads(p, set(tg), positions, ws)
    assert set(mg) == set(tg)
    for n in tg:
        _assert_close(mg[n], tg[n], spec.grad_atol, spec.grad_atol, f"{mode} grad of {n}")
    for (i, j), a, b in zip(positions, min_, tin):
        _assert_close(a, b, spec.grad_atol, spec.grad_atol, f"{mode} grad of input {i} (leaf {j})")


def _leaves_close(a, b, spec):
    la, lb = _leaves_torch(a), _leaves_torch(b)
    return len(la) == len(lb) and all(
        (x is None and y is None) or (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)
                                      and x.shape == y.shape and x.dtype == y.dtype
                                      and np.allclose(_np(x), _np(y), atol=spec.atol, rtol=spec.rtol, equal_nan=True))
        or (not isinstance(x, torch.Tensor) and x == y) for x, y in zip(la, lb))


@_each(SPECS)
def test_gradients(spec):
    p = _pair(spec, train=False)
    _check_grads(spec, p, "eval")
    if spec.train and not spec.random_in_train:
        eval_out = p.torch_forward()
        p.reset(train=True)
        if not _leaves_close(p.torch_forward(), eval_out, spec):      # train mode matters (BatchNorm...)
            p.reset(train=True)
            _check_grads(spec, p, "train")


# ---------------------------------------------------------------------------------------------
# 5. functional_call, compile_init, copies, atomic loading, jit of a fresh module
# ---------------------------------------------------------------------------------------------

def _assert_trees_equal(a, b, what):
    la, lb = _leaves_tp(a), _leaves_tp(b)
    assert len(la) == len(lb), what
    for i, (x, y) in enumerate(zip(la, lb)):
        if x is None or y is None:
            assert x is None and y is None, what
        else:
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y), err_msg=f"{what} leaf {i}")


@_each(SPECS)
def test_functional_call(spec):
    p = _pair(spec, train=False)
    direct = p.tp_eval_output()
    before = _state_np(p.m)
    pure = tp.functional_call(p.m, p.m.state_dict(), _to_jax(p.inputs), _to_jax(p.kwargs))
    _assert_trees_equal(pure, direct, "functional_call vs call")
    after = _state_np(p.m)
    assert list(after) == list(before)
    for k in before:
        np.testing.assert_array_equal(after[k], before[k], err_msg=k)


@_each(SPECS)
def test_compile_init(spec):
    def build():
        return getattr(tp.nn, spec.name)(*spec.args, **spec.kwargs)

    key = jax.random.key(0)
    with tp.key_scope(key):
        eager = build()
    ev = {n: np.asarray(q) for n, q in eager.named_parameters()}
    ev.update((n, np.asarray(b)) for n, b in eager.named_buffers())
    init = tp.compile_init(build)
    shapes = jax.eval_shape(init, key)
    assert list(shapes) == list(ev)             # torch's order (compile_init returns an OrderedDict)
    for k in ev:
        assert (tuple(shapes[k].shape), np.dtype(shapes[k].dtype)) == (ev[k].shape, ev[k].dtype), k
    if not ev:
        return
    jitted = jax.jit(init)(key)
    assert list(jitted) == list(ev)
    for k in ev:
        np.testing.assert_array_equal(np.asarray(jitted[k]), ev[k], err_msg=f"{k}: jitted init vs eager")


@_each(SPECS)
def test_copy_and_pickle(spec):
    p = _pair(spec, train=False)
    out = p.tp_eval_output()
    state = _state_np(p.m)
    own = {id(b) for _, b in _boxes(p.m)}
    for how, c in (("deepcopy", copy.deepcopy(p.m)), ("pickle", pickle.loads(pickle.dumps(p.m)))):
        assert type(c) is type(p.m) and repr(c) == repr(p.m) and c.training is False, how
        assert not own & {id(b) for _, b in _boxes(c)}, f"{how}: shares a box with the original"
        cs = _state_np(c)
        assert list(cs) == list(state), how
        for k in state:
            np.testing.assert_array_equal(cs[k], state[k], err_msg=f"{how}: {k}")
        _assert_trees_equal(c(*_to_jax(p.inputs), **_to_jax(p.kwargs)), out, f"{how}: forward")


@_each(SPECS)
def test_load_state_dict_is_atomic(spec):
    p = _pair(spec, train=False)
    m = p.m
    before = [(n, b, np.asarray(b)) for n, b in _boxes(m)]
    sd = m.state_dict()
    if not sd:
        with pytest.raises(RuntimeError, match="Unexpected key"):
            m.load_state_dict({"bogus": np.zeros(1, np.float32)})
        return
    bad = {k: np.asarray(v) + 1 for k, v in sd.items()}      # would change everything if written
    last = list(sd)[-1]
    bad[last] = np.zeros(tuple(sd[last].shape) + (2,), np.asarray(sd[last]).dtype)
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load_state_dict(bad)
    after = _boxes(m)
    assert [n for n, _ in after] == [n for n, _, _ in before]
    for (n, b, v), (_, b2) in zip(before, after):
        assert b2 is b, f"{n}: box replaced"
        np.testing.assert_array_equal(np.asarray(b2), v, err_msg=f"{n}: value changed")


@_each(SPECS)
def test_jit_of_fresh_module(spec):
    """A fresh module, never read, closed over in ``jax.jit``: no box keeps a tracer, every box holds
    what an eager build with the same seed holds, and the output is torch's on those weights."""
    inputs, kwargs = _to_jax(tuple(spec.inputs(np.random.default_rng(0)))), _to_jax(dict(spec.forward_kwargs))
    m = _build_tp(spec, 0)
    t = _build_torch(spec, 0)
    if spec.setup is not None:
        spec.setup(t, m)
    m.eval()
    out = _fast_jit(lambda *xs: m(*xs, **kwargs), *inputs)      # jax.jit of the closure, -O0
    for n, b in _boxes(m):
        assert not isinstance(b._storage.peek(), jax.core.Tracer), f"{n} holds a tracer"
    ref = _build_tp(spec, 0)
    if spec.setup is not None:
        spec.setup(_build_torch(spec, 0), ref)
    boxes, ref_boxes = _boxes(m), _boxes(ref)
    assert [n for n, _ in boxes] == [n for n, _ in ref_boxes]
    for (n, b), (_, rb) in zip(boxes, ref_boxes):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(rb), err_msg=f"{n}: jit-read vs eager build")
    t.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in m.state_dict().items()})
    t.eval()
    with torch.no_grad():
        expected = t(*_to_torch(tuple(spec.inputs(np.random.default_rng(0)))), **_to_torch(dict(spec.forward_kwargs)))
    _compare_leaves(out, expected, spec.atol, spec.rtol, what="jitted output vs torch on the same weights")


# ---------------------------------------------------------------------------------------------
# 6. Training steps of layers with buffers (BatchNorm-like)
# ---------------------------------------------------------------------------------------------

def _has_buffers(spec):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return any(True for _ in _build_torch(spec).buffers())
    except Exception:       # a spec that does not build fails in the other tests
        return False


_BUFFERED = [s for s in SPECS if s.train and not s.random_in_train and _has_buffers(s)]


def _compare_buffers(got, want, spec, what):
    assert sorted(got) == sorted(want), what        # dicts out of jit come back with sorted keys
    for k in want:
        g = got[k]
        assert _same_dtype(_dtype_name(g), _dtype_name(want[k])), f"{what}: {k} dtype"
        _assert_close(np.asarray(g), _np(want[k]), spec.atol, spec.rtol, f"{what}: {k}")


@_each(_BUFFERED)
def test_training_buffers(spec):
    p = _pair(spec, train=True)
    steps = [tuple(spec.inputs(np.random.default_rng(100 + i))) for i in range(3)]
    torch_buffers = []
    for i, xs in enumerate(steps):
        p.torch_forward(xs)
        p.tp_forward(xs)
        torch_buffers.append({k: v.detach().clone() for k, v in p.t.named_buffers()})
        _compare_buffers(dict(p.m.named_buffers()), torch_buffers[-1], spec, f"eager step {i}")
    p.reset(train=True)
    before = _state_np(p.m)
    kwargs = _to_jax(p.kwargs)
    step = jax.jit(lambda s, *xs: tp.functional_call(p.m, s, xs, kwargs, return_buffers=True))
    state = dict(p.m.state_dict())
    for i, xs in enumerate(steps):
        _, bufs = step(state, *_to_jax(xs))
        _compare_buffers(bufs, torch_buffers[i], spec, f"functional step {i}")
        state.update((k, v) for k, v in bufs.items() if k in state)
    after = _state_np(p.m)
    for k in before:
        np.testing.assert_array_equal(after[k], before[k], err_msg=f"functional_call changed {k}")


# ---------------------------------------------------------------------------------------------
# 7. Coverage
# ---------------------------------------------------------------------------------------------

# Abstract bases torch exports for isinstance checks (no forward of their own); each has concrete
# subclasses with specs, and the test below checks that they are bases of those.
_ABSTRACT_BASES = {"RNNBase": ("RNN", "LSTM", "GRU"), "RNNCellBase": ("RNNCell", "LSTMCell", "GRUCell")}


def _public_layer_classes():
    out = set()
    for n in dir(tp.nn):
        obj = getattr(tp.nn, n)
        if (not n.startswith("_") and isinstance(obj, type) and issubclass(obj, tp.nn.Module)
                and n not in _CONTAINERS and n not in _ABSTRACT_BASES):
            out.add(n)
    return out


def test_abstract_bases_are_exported_as_in_torch():
    for base, subclasses in _ABSTRACT_BASES.items():
        assert isinstance(getattr(torch.nn, base), type)
        for sub in subclasses:
            assert issubclass(getattr(tp.nn, sub), getattr(tp.nn, base))
            assert issubclass(getattr(torch.nn, sub), getattr(torch.nn, base))


def test_every_public_layer_has_a_spec():
    missing = sorted(_public_layer_classes() - {s.name for s in SPECS})
    assert not missing, f"public tp.nn classes without a Spec in tests/nn/specs: {missing}"


def test_every_spec_class_exists_in_torch_and_tp():
    bad = sorted({s.name for s in SPECS
                  if not (isinstance(getattr(torch.nn, s.name, None), type)
                          and isinstance(getattr(tp.nn, s.name, None), type))})
    assert not bad, f"Spec names missing from torch.nn or tp.nn: {bad}"


def test_spec_ids_are_unique():
    seen, dup = set(), set()
    for s in SPECS:
        (dup if s.id in seen else seen).add(s.id)
    assert not dup, f"duplicate spec ids: {sorted(dup)}"
