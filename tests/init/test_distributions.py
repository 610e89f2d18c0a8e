"""Seeded two-sample tests: every random initializer against torch 2.13 (CPU), on both faces.

For each case, >= 50k values are drawn from torch (``torch.manual_seed`` fixed), from the torch
face (``tp.manual_seed`` fixed, in-place fills of ``tp.empty`` boxes) and from the pure face
(``tp.initializers.*`` with keys ``fold_in(key(seed + 100), i)``, so that the two faces are independent
samples: with equal seeds they would coincide). Each of ours is compared with torch's:
``scipy.stats.ks_2samp`` p > 1e-3, |mean diff| < 5 sd / sqrt(n), relative sd diff < 1.5 %, the
theoretical bounds (computed with torch's own fan/gain functions), and for uniforms that the
extremes come close to the bounds. Seeds are fixed, so the outcome is deterministic.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from scipy import stats

import torchlike_params as tp

N = 50_000
P_MIN = 1e-3
S2, S3, S4, S5 = (320, 160), (64, 40, 20), (32, 16, 10, 10), (16, 8, 5, 5, 16)   # 51200 values each
PVALUES = {}

TORCH_DT = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
TP_DT = {"float32": tp.float32, "bfloat16": tp.bfloat16, "float16": tp.float16}


# -- sampling -----------------------------------------------------------------------------------

def torch_draws(name, kw, shape, dtype="float32", seed=0, n=N, keep=None):
    torch.manual_seed(seed)
    out, total = [], 0
    while total < n:
        t = torch.empty(shape, dtype=TORCH_DT[dtype])
        assert getattr(torch.nn.init, name)(t, **kw) is t
        v = t.float().numpy().astype(np.float64)
        out.append(v)
        total += v.size if keep is None else int(keep(v).sum())
    return out


def ours_draws(name, kw, shape, dtype="float32", seed=0, n=N, keep=None):
    tp.manual_seed(seed)
    out, total = [], 0
    while total < n:
        box = tp.empty(shape, dtype=TP_DT[dtype])
        assert getattr(tp.nn.init, name)(box, **kw) is box
        assert tuple(box.shape) == tuple(shape) and box.dtype == TP_DT[dtype]
        v = np.asarray(box.value.astype(jnp.float32)).astype(np.float64)
        out.append(v)
        total += v.size if keep is None else int(keep(v).sum())
    return out


def pure_draws(name, kw, shape, dtype="float32", seed=0, n=N, keep=None):
    init = functools.partial(getattr(tp.initializers, name.rstrip("_")), **kw)
    key = jax.random.key(seed)
    out, total, i = [], 0, 0
    while total < n:
        x = init(jax.random.fold_in(key, i), shape, TP_DT[dtype])
        assert x.shape == tuple(shape) and x.dtype == TP_DT[dtype]
        v = np.asarray(x.astype(jnp.float32)).astype(np.float64)
        out.append(v)
        total += v.size if keep is None else int(keep(v).sum())
        i += 1
    return out


def flat(draws, keep=None):
    v = np.concatenate([d.ravel() for d in draws])
    return v if keep is None else v[keep(v)]


def compare(label, ours, theirs, *, lo=None, hi=None, uniform=False, edge_tol=1e-3, std_tol=0.015):
    assert ours.size >= N and theirs.size >= N
    assert np.isfinite(ours).all()
    p = stats.ks_2samp(ours, theirs).pvalue
    PVALUES[label] = p
    assert p > P_MIN, f"{label}: KS p={p:.3g}"
    sd = theirs.std()
    n = min(ours.size, theirs.size)
    assert abs(ours.mean() - theirs.mean()) < 5 * sd / math.sqrt(n), label
    assert abs(ours.std() / sd - 1) < std_tol, (label, ours.std(), sd)
    for x in (ours, theirs):
        if lo is not None:
            assert x.min() >= lo, (label, x.min(), lo)
        if hi is not None:
            assert x.max() <= hi, (label, x.max(), hi)
        if uniform:
            width = hi - lo
            assert hi - x.max() < edge_tol * width and x.min() - lo < edge_tol * width, label


# -- the bounds, from torch's own functions -------------------------------------------------------

def _round(x, dtype):
    return float(torch.tensor(x, dtype=torch.float64).to(TORCH_DT[dtype]).double())


def uniform_bounds(name, kw, shape, dtype="float32"):
    t = torch.empty(shape)
    if name == "uniform_":
        lo, hi = kw.get("a", 0.0), kw.get("b", 1.0)
    elif name == "xavier_uniform_":
        fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
        hi = math.sqrt(3.0) * kw.get("gain", 1.0) * math.sqrt(2.0 / float(fan_in + fan_out))
        lo = -hi
    else:
        fan = torch.nn.init._calculate_correct_fan(t, kw.get("mode", "fan_in"))
        gain = torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0))
        hi = math.sqrt(3.0) * gain / math.sqrt(fan)
        lo = -hi
    return _round(lo, dtype), _round(hi, dtype)


SQ5 = math.sqrt(5)
CASES = [
    ("uniform_", {}, S2), ("uniform_", dict(a=-0.5, b=1.5), S3), ("uniform_", dict(a=-3.0, b=-2.0), S4),
    ("uniform_", dict(a=0.0, b=0.01), S5),
    ("normal_", {}, S2), ("normal_", dict(mean=0.3, std=2.0), S3), ("normal_", dict(std=0.02), S4),
    ("normal_", dict(mean=-1.0, std=0.5), S5),
    ("trunc_normal_", dict(std=1.0, a=-2.0, b=2.0), S2),                 # p > 0.3: redraw from the normal
    ("trunc_normal_", dict(mean=0.0, std=1.0, a=2.0, b=4.0), S3),        # p <= 0.3: uniform proposals
    ("trunc_normal_", dict(std=0.02), S4),                               # practically untruncated
    ("trunc_normal_", dict(mean=0.5, std=1.0, a=-1.0, b=0.0), S5),       # p = 0.24: rejection branch
    ("trunc_normal_", dict(mean=0.0, std=2.0, a=-1.0, b=0.5), S2),       # p = 0.29: rejection branch
    ("trunc_normal_", dict(mean=0.1, std=0.5, a=-0.3, b=0.2), S5),       # p = 0.31: redraw branch
    ("xavier_uniform_", {}, S2), ("xavier_uniform_", dict(gain=math.sqrt(2.0)), S3), ("xavier_uniform_", {}, S4),
    ("xavier_uniform_", dict(gain=5.0 / 3), S5),
    ("xavier_normal_", {}, S2), ("xavier_normal_", dict(gain=2.0), S3), ("xavier_normal_", {}, S4),
    ("xavier_normal_", dict(gain=0.5), S5),
    ("kaiming_uniform_", {}, S2), ("kaiming_uniform_", dict(a=SQ5), S3),
    ("kaiming_uniform_", dict(mode="fan_out", nonlinearity="relu"), S4),
    ("kaiming_uniform_", dict(a=0.2, mode="fan_out", nonlinearity="leaky_relu"), S5),
    ("kaiming_uniform_", dict(nonlinearity="tanh"), S2), ("kaiming_uniform_", dict(nonlinearity="linear"), S3),
    ("kaiming_uniform_", dict(nonlinearity="selu", mode="fan_out"), S4), ("kaiming_uniform_", dict(a=SQ5), S5),
    ("kaiming_normal_", {}, S2), ("kaiming_normal_", dict(a=SQ5), S3),
    ("kaiming_normal_", dict(mode="fan_out", nonlinearity="relu"), S4),
    ("kaiming_normal_", dict(a=0.2, mode="fan_out", nonlinearity="leaky_relu"), S5),
    ("kaiming_normal_", dict(nonlinearity="tanh", mode="fan_out"), S2), ("kaiming_normal_", dict(nonlinearity="linear"), S3),
    ("kaiming_normal_", dict(nonlinearity="selu"), S4), ("kaiming_normal_", dict(a=SQ5, mode="fan_out"), S5),
]


def _id(case):
    name, kw, shape = case
    return f"{name}-{len(shape)}d-" + ",".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                                               for k, v in kw.items())


def _bounds(name, kw, shape, dtype="float32"):
    if name in ("uniform_", "xavier_uniform_", "kaiming_uniform_"):
        lo, hi = uniform_bounds(name, kw, shape, dtype)
        return dict(lo=lo, hi=hi, uniform=True)
    if name == "trunc_normal_":
        return dict(lo=_round(kw.get("a", -2.0), dtype), hi=_round(kw.get("b", 2.0), dtype))
    return {}


def test_cases_cover_every_random_initializer_and_rank():
    names = {c[0] for c in CASES}
    assert names == {"uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
                     "kaiming_uniform_", "kaiming_normal_"}
    for name in names:
        assert {len(c[2]) for c in CASES if c[0] == name} == {2, 3, 4, 5}
    assert all(math.prod(c[2]) >= N for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_distribution_matches_torch(case):
    name, kw, shape = case
    theirs = flat(torch_draws(name, kw, shape, seed=1))
    bounds = _bounds(name, kw, shape)
    compare(f"{_id(case)} torch-face", flat(ours_draws(name, kw, shape, seed=1)), theirs, **bounds)
    compare(f"{_id(case)} pure-face", flat(pure_draws(name, kw, shape, seed=101)), theirs, **bounds)


def test_trunc_normal_branches_are_the_ones_intended():
    def p(mean, std, a, b):
        cdf = lambda x: (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0  # noqa: E731
        return cdf((b - mean) / std) - cdf((a - mean) / std)
    masses = [p(c[1].get("mean", 0.0), c[1].get("std", 1.0), c[1].get("a", -2.0), c[1].get("b", 2.0))
              for c in CASES if c[0] == "trunc_normal_"]
    assert any(m > 0.3 for m in masses) and any(m <= 0.3 for m in masses)


# -- orthogonal_ ----------------------------------------------------------------------------------

ORTHO = [((64, 256), 1), ((256, 64), 1), ((32, 8, 4, 4), 2.0)]


@pytest.mark.parametrize("shape,gain", ORTHO, ids=["rows<cols", "rows>cols", "4d-gain2"])
def test_orthogonal(shape, gain):
    kw = dict(gain=gain)
    theirs = torch_draws("orthogonal_", kw, shape, seed=2)
    ours = ours_draws("orthogonal_", kw, shape, seed=2)
    pure = pure_draws("orthogonal_", kw, shape, seed=102)
    rows = shape[0]
    cols = math.prod(shape[1:])
    for draws in (theirs, ours, pure):
        for d in draws[:3]:
            m = d.reshape(rows, cols)
            gram = m @ m.T if rows < cols else m.T @ m
            np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=2e-5 * gain ** 2)
    compare(f"orthogonal {shape} torch-face", flat(ours), flat(theirs), lo=-gain, hi=gain)
    compare(f"orthogonal {shape} pure-face", flat(pure), flat(theirs), lo=-gain, hi=gain)
    # and the entries' spread is the Haar value gain / sqrt(max(rows, cols))
    assert abs(flat(ours).std() * math.sqrt(max(rows, cols)) / gain - 1) < 0.015


# -- sparse_ ----------------------------------------------------------------------------------------

SPARSE = [((500, 120), dict(sparsity=0.1)), ((400, 200), dict(sparsity=0.35, std=0.05))]


@pytest.mark.parametrize("shape,kw", SPARSE, ids=["0.1", "0.35-std0.05"])
def test_sparse(shape, kw):
    rows = shape[0]
    num_zeros = math.ceil(kw["sparsity"] * rows)
    nonzero = lambda v: v != 0  # noqa: E731
    theirs = torch_draws("sparse_", kw, shape, seed=3, keep=nonzero)
    ours = ours_draws("sparse_", kw, shape, seed=3, keep=nonzero)
    pure = pure_draws("sparse_", kw, shape, seed=103, keep=nonzero)
    for draws in (theirs, ours, pure):
        for d in draws:
            assert ((d == 0).sum(axis=0) == num_zeros).all()
    compare(f"sparse {kw} torch-face", flat(ours, nonzero), flat(theirs, nonzero))
    compare(f"sparse {kw} pure-face", flat(pure, nonzero), flat(theirs, nonzero))
    # different columns get different zero patterns
    z = ours[0] == 0
    assert len({z[:, c].tobytes() for c in range(z.shape[1])}) > z.shape[1] // 2


# -- reduced precision --------------------------------------------------------------------------------

LOWP = [("uniform_", dict(a=-1.0, b=1.0)), ("normal_", dict(std=0.5)), ("kaiming_uniform_", dict(a=SQ5)),
        ("xavier_normal_", {}), ("trunc_normal_", dict(std=1.0)), ("trunc_normal_", dict(std=1.0, a=2.0, b=4.0))]


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name,kw", LOWP, ids=[f"{n}{i}" for i, (n, _) in enumerate(LOWP)])
def test_reduced_precision(dtype, name, kw):
    shape = S2
    theirs = flat(torch_draws(name, kw, shape, dtype, seed=4))
    bounds = _bounds(name, kw, shape, dtype)
    ours = flat(ours_draws(name, kw, shape, dtype, seed=4))
    pure = flat(pure_draws(name, kw, shape, dtype, seed=104))
    for label, x in (("torch-face", ours), ("pure-face", pure)):
        compare(f"{name} {kw} {dtype} {label}", x, theirs, edge_tol=1e-2, **bounds)
        if bounds.get("uniform"):
            assert x.max() < bounds["hi"]   # a value that rounds up to `to` becomes `from`, as in torch
