"""Shared machinery of the port examples: one torch source, two builds, one comparison.

Each model under ``models/`` is a torch file whose imports name ``torchlike_params``
(``import torchlike_params as torch``, ``import torchlike_params.nn as nn``, ...). This module

- loads that file as written (the port) and a second time with the import lines swapped back to
  ``torch`` (the reference twin), each into a fresh module: the model is written once;
- checks that both builds have the same ``state_dict`` keys (in order), shapes and dtypes, the same
  ``named_parameters``, the same ``repr``, and initial values from the same distributions;
- copies torch's weights into the port and compares outputs, losses, gradients
  (``jax.grad`` through ``tp.functional_call`` against torch's ``.backward()``) and, in train
  mode, the updated buffers (BatchNorm running statistics);
- trains the port a few steps with optax (dropout on, drawn from a ``key=``) and saves the loss
  curve as a PNG beside the runner script.

torch is needed only for the comparison; matplotlib only for the PNG (both imported when used).
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
import types
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

import torchlike_params as tp
import torchlike_params.nn.functional as tpF

HERE = Path(__file__).resolve().parent
MODELS = HERE / "models"

_IMPORT_LINE = re.compile(r"^\s*(import|from)\s+torchlike_params\b")


# ---------------------------------------------------------------------------------------------
# one source, two builds
# ---------------------------------------------------------------------------------------------
def swap_imports(source: str) -> str:
    """``source`` with every ``import``/``from`` line naming ``torchlike_params`` made to name ``torch``.

    Fails if ``torchlike_params`` appears in the code anywhere else: then the file would not be a
    torch file with swapped imports.
    """
    lines = []
    for line in source.splitlines(keepends=True):
        if _IMPORT_LINE.match(line):
            line = line.replace("torchlike_params", "torch")
        lines.append(line)
    out = "".join(lines)
    for tok in tokenize.generate_tokens(io.StringIO(out).readline):
        if tok.type == tokenize.NAME and tok.string == "torchlike_params":
            raise ValueError(f"`torchlike_params` used outside an import line at line {tok.start[0]}: {tok.line!r}")
    return out


def load_model_file(name: str, backend: str) -> types.ModuleType:
    """Execute ``models/<name>.py`` into a fresh module: as written (``"tp"``) or with torch imports (``"torch"``)."""
    if backend not in ("tp", "torch"):
        raise ValueError(f"Expected `backend` to be 'tp' or 'torch', got {backend!r}")
    path = MODELS / f"{name}.py"
    source = path.read_text()
    if backend == "torch":
        source = swap_imports(source)
    modname = f"_ports_{name}_{backend}"
    module = types.ModuleType(modname)
    module.__file__ = str(path)
    sys.modules[modname] = module           # dataclasses (nanoGPT's GPTConfig) look their module up
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def build_twins(name: str, build: Callable[[types.ModuleType], Any], seed: int = 0) -> tuple[Any, Any]:
    """``(torch_model, tp_model)``: ``build(module)`` run on both loads of ``models/<name>.py``."""
    import torch
    ref_mod, our_mod = load_model_file(name, "torch"), load_model_file(name, "tp")
    torch.manual_seed(seed)
    ref = build(ref_mod)
    tp.manual_seed(seed)
    ours = build(our_mod)
    return ref, ours


# ---------------------------------------------------------------------------------------------
# conversions
# ---------------------------------------------------------------------------------------------
def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch") and hasattr(x, "detach")


def to_numpy(tree: Any) -> Any:
    """Every tensor/array leaf of ``tree`` (torch tensors, boxes, jax arrays) as a NumPy array."""
    if tree is None:
        return None
    if _is_torch(tree):
        return tree.detach().cpu().numpy()
    if isinstance(tree, (tp.Tensor, jax.Array, np.ndarray)):
        return np.asarray(tree)
    if isinstance(tree, Mapping):
        return {k: to_numpy(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(to_numpy(v) for v in tree) if not hasattr(tree, "_fields") else tuple(
            to_numpy(v) for v in tree)
    return tree


def to_torch(tree: Any) -> Any:
    """NumPy leaves as torch tensors (int arrays become int64, as torch code expects)."""
    import torch
    if isinstance(tree, np.ndarray):
        return torch.from_numpy(tree.astype(np.int64) if tree.dtype.kind in "iu" else tree.copy())
    if isinstance(tree, (list, tuple)):
        return type(tree)(to_torch(v) for v in tree)
    return tree


def to_jax(tree: Any) -> Any:
    """NumPy leaves as ``jax.Array``s (what a JAX training loop passes to the port)."""
    if isinstance(tree, np.ndarray):
        return jnp.asarray(tree)
    if isinstance(tree, (list, tuple)):
        return type(tree)(to_jax(v) for v in tree)
    return tree


def to_tensors(tree: Any) -> Any:
    """NumPy leaves as ``tp.Tensor``s (what torch-style code, e.g. ``get_batch``, hands the port)."""
    if isinstance(tree, np.ndarray):
        return tp.tensor(tree)
    if isinstance(tree, (list, tuple)):
        return type(tree)(to_tensors(v) for v in tree)
    return tree


def arrays(tree: Any) -> Any:
    """``tree`` with every ``tp.Tensor`` replaced by its ``jax.Array`` (for a loss that ``jax.grad`` takes)."""
    return jax.tree.map(lambda x: x.value if isinstance(x, tp.Tensor) else x, tree,
                        is_leaf=lambda x: isinstance(x, tp.Tensor))


def max_abs_diff(a: Any, b: Any) -> float:
    """The largest ``|a - b|`` over matching leaves (shapes must match; ``None`` must match ``None``)."""
    la, lb = _leaves(to_numpy(a)), _leaves(to_numpy(b))
    if len(la) != len(lb):
        raise AssertionError(f"different output structures: {len(la)} leaves vs {len(lb)}")
    worst = 0.0
    for x, y in zip(la, lb):
        if x is None or y is None:
            if not (x is None and y is None):
                raise AssertionError("one side returned None")
            continue
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            raise AssertionError(f"shape mismatch {x.shape} vs {y.shape}")
        if x.size:
            worst = max(worst, float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))))
    return worst


def max_abs(tree: Any) -> float:
    leaves = [np.asarray(x) for x in _leaves(to_numpy(tree)) if x is not None]
    return max((float(np.max(np.abs(x))) for x in leaves if x.size), default=0.0)


def _leaves(tree: Any) -> list:
    if isinstance(tree, Mapping):
        return [leaf for k in tree for leaf in _leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in _leaves(v)]
    return [tree]


# ---------------------------------------------------------------------------------------------
# structure and init
# ---------------------------------------------------------------------------------------------
def _expected_dtype(torch_dtype: Any) -> np.dtype:
    """The dtype JAX stores for a torch dtype (int64 -> int32 without ``jax_enable_x64``)."""
    return jax.dtypes.canonicalize_dtype(np.dtype(str(torch_dtype).replace("torch.", "")))


def _ties(model: Any) -> list[list[str]]:
    """Groups of parameter names that share one tensor (``wte.weight``/``lm_head.weight``)."""
    groups: dict[int, list[str]] = {}
    for n, p in model.named_parameters(remove_duplicate=False):
        groups.setdefault(id(p), []).append(n)
    return [names for names in groups.values() if len(names) > 1]


def compare_structure(ref: Any, ours: Any) -> dict:
    """Check state_dict keys (order), shapes, dtypes, parameter and buffer names, ties and repr; compare init.

    Returns ``{"n_tensors", "n_params", "repr_equal", "init_worst", "ties"}``. ``init_worst`` is the largest
    relative difference of standard deviations (and of means, relative to the std) between torch's
    and our freshly initialized tensors of >= 1,000 numbers, and 0 if every constant-initialized
    tensor (BatchNorm's ones and zeros, zeroed biases) is equal.
    """
    rsd, osd = ref.state_dict(), ours.state_dict()
    if list(rsd) != list(osd):
        raise AssertionError(f"state_dict keys differ:\n torch: {list(rsd)}\n ours:  {list(osd)}")
    for k in rsd:
        rs, os_ = tuple(rsd[k].shape), tuple(osd[k].shape)
        if rs != os_:
            raise AssertionError(f"{k}: shape {rs} (torch) vs {os_} (ours)")
        if _expected_dtype(rsd[k].dtype) != np.dtype(osd[k].dtype):
            raise AssertionError(f"{k}: dtype {rsd[k].dtype} (torch) vs {osd[k].dtype} (ours)")
    rnames = [n for n, _ in ref.named_parameters()]
    onames = [n for n, _ in ours.named_parameters()]
    if rnames != onames:
        raise AssertionError(f"named_parameters differ:\n torch: {rnames}\n ours:  {onames}")
    rbuf = [n for n, _ in ref.named_buffers()]
    obuf = [n for n, _ in ours.named_buffers()]
    if rbuf != obuf:
        raise AssertionError(f"named_buffers differ:\n torch: {rbuf}\n ours:  {obuf}")
    if _ties(ref) != _ties(ours):
        raise AssertionError(f"tied parameters differ: torch {_ties(ref)}, ours {_ties(ours)}")
    worst = 0.0
    for k in rsd:
        r = rsd[k].detach().double().numpy()
        o = np.asarray(osd[k], dtype=np.float64)
        if r.size == 0:
            continue
        if r.std() == 0:                    # a constant init (ones, zeros, fill_) must be exact
            if not np.array_equal(r, o):
                raise AssertionError(f"{k}: torch initialized it to the constant {r.flat[0]}, ours differs")
        elif r.size >= 1000:
            worst = max(worst, abs(o.std() / r.std() - 1), abs(o.mean() - r.mean()) / r.std())
    return {"n_tensors": len(rsd), "n_params": sum(int(np.prod(p.shape)) for _, p in ours.named_parameters()),
            "repr_equal": repr(ref) == repr(ours), "init_worst": worst, "ties": _ties(ours)}


def copy_weights(ref: Any, ours: Any) -> None:
    """Load torch's state_dict into the port (``load_state_dict`` takes torch tensors as they are)."""
    ours.load_state_dict(ref.state_dict())


# ---------------------------------------------------------------------------------------------
# outputs and gradients
# ---------------------------------------------------------------------------------------------
LossFn = Callable[[Any, Any, Any], Any]     # loss_fn(F, output, target) with F the framework's functional

# XLA's CPU compile dominates the small (test) sizes; its optimization level 0 halves it. Only
# `set_fast_compile(True)` (what `--small` does) turns it on, and only for the jits made here.
_COMPILER_OPTIONS: dict | None = None


def set_fast_compile(on: bool) -> None:
    """Compile this harness's jitted functions with ``xla_backend_optimization_level=0`` (faster compile)."""
    global _COMPILER_OPTIONS
    _COMPILER_OPTIONS = {"xla_backend_optimization_level": 0} if on else None


def jit(fn: Callable, **kwargs: Any) -> Callable:
    """``jax.jit`` with the harness's compiler options."""
    return jax.jit(fn, compiler_options=_COMPILER_OPTIONS, **kwargs)


_VG_CACHE: dict = {}


def value_and_grad_fn(model: Any, loss_fn: LossFn, *, train: bool) -> Callable:
    """The jitted ``(trainable, frozen, inputs, target, key) -> ((loss, (output, buffers)), grads)`` of ``model``.

    ``jax.value_and_grad`` of ``loss_fn(F, functional_call(model, trainable | frozen, inputs,
    key=key, return_buffers=True), target)`` with the module in ``train`` mode. One function per
    (model, loss, mode), so the comparison and the training loop share one compiled program.
    ``output`` keeps the input's kind ("like in, like out"): Tensors for Tensor inputs.
    """
    cache_key = (id(model), loss_fn, train)
    if cache_key in _VG_CACHE:
        return _VG_CACHE[cache_key][1]

    def value_and_grad(trainable, frozen, inputs, target, key):
        model.train(train)                  # read at trace time: the compiled program has this mode

        def loss(p):
            out, bufs = tp.functional_call(model, tp.combine(p, frozen), tuple(inputs), key=key,
                                           return_buffers=True)
            return arrays(loss_fn(tpF, arrays(out), target)), (out, bufs)
        return jax.value_and_grad(loss, has_aux=True)(trainable)

    fn = jit(value_and_grad)
    _VG_CACHE[cache_key] = (model, fn)      # keeps `model` alive so its id is not reused
    return fn


def _to_double(tree: Any) -> Any:
    if _is_torch(tree):
        return tree.double() if tree.is_floating_point() else tree
    if isinstance(tree, (list, tuple)):
        return type(tree)(_to_double(v) for v in tree)
    return tree


def _grads64(ref: Any, inputs: Sequence[Any], target: Any, loss_fn: LossFn, train: bool) -> dict:
    """torch's gradients in float64 (a deep copy of ``ref``): the reference both float32 results approximate."""
    import copy

    import torch.nn.functional as torchF
    ref64 = copy.deepcopy(ref).double().train(train)
    loss_fn(torchF, ref64(*_to_double(to_torch(tuple(inputs)))), _to_double(to_torch(target))).backward()
    return {n: p.grad.numpy() for n, p in ref64.named_parameters()}


def compare_step(ref: Any, ours: Any, inputs: Sequence[Any], target: Any, loss_fn: LossFn, *,
                 train: bool = False, tensors: bool = False, f64: bool = False) -> dict:
    """One forward + backward on both sides with the same weights and inputs; the max differences.

    torch: ``ref.train(train); loss_fn(F, ref(*inputs), target).backward()``. Ours: the jitted
    ``value_and_grad_fn`` (``jax.value_and_grad`` through ``tp.functional_call``) on ``jax.Array``
    inputs (``tp.Tensor`` inputs with ``tensors=True``, as a loop that keeps Tensors passes them).
    Returns ``out``/``loss``/``grad``/``buffers`` max absolute differences, ``out_rel``/``grad_rel``
    (relative to the largest torch value), their scales, and ``grads``: the two gradient dicts
    (torch's as NumPy, ours as ``jax.Array``), in ``named_parameters`` order.
    With ``f64=True`` also ``grad_torch_f64``/``grad_ours_f64``: each float32 side's max difference
    from torch's float64 gradients, which tells float32 noise (both far from float64, e.g. through
    train-mode BatchNorm) from a porting error (only ours far).
    """
    import torch.nn.functional as torchF
    g64 = _grads64(ref, inputs, target, loss_fn, train) if f64 else None
    ref.train(train)
    ours.train(train)
    ref.zero_grad(set_to_none=True)
    out_t = ref(*to_torch(tuple(inputs)))
    loss_t = loss_fn(torchF, out_t, to_torch(target))
    loss_t.backward()
    grads_t = {n: p.grad for n, p in ref.named_parameters()}
    bufs_t = {n: b for n, b in ref.state_dict().items() if n in dict(ref.named_buffers())}

    trainable, frozen = tp.partition(ours)
    vg = value_and_grad_fn(ours, loss_fn, train=train)
    convert = to_tensors if tensors else to_jax
    (loss_o, (out_o, bufs_o)), grads_o = vg(trainable, frozen, convert(tuple(inputs)), convert(target),
                                            jax.random.key(0))
    if sorted(grads_o) != sorted(grads_t):                 # (jit returns dicts with sorted keys)
        raise AssertionError(f"gradient names differ: {list(grads_t)} vs {list(grads_o)}")
    grads_o = {n: grads_o[n] for n in grads_t}
    missing = [n for n, g in grads_t.items() if g is None]
    if missing:
        raise AssertionError(f"torch computed no gradient for {missing}")
    res = {
        "out": max_abs_diff(out_t, out_o), "out_scale": max_abs(out_t),
        "loss": abs(float(loss_t.detach()) - float(loss_o)), "loss_value": float(loss_t.detach()),
        "grad": max_abs_diff(grads_t, grads_o), "grad_scale": max_abs(grads_t),
        "buffers": max_abs_diff(bufs_t, {k: bufs_o[k] for k in bufs_t}) if bufs_t else 0.0,
        "grads": (to_numpy(grads_t), grads_o),
    }
    if g64 is not None:
        res["grad_torch_f64"] = max_abs_diff(grads_t, g64)
        res["grad_ours_f64"] = max_abs_diff(grads_o, g64)
    res["out_rel"] = res["out"] / max(res["out_scale"], 1e-30)
    res["grad_rel"] = res["grad"] / max(res["grad_scale"], 1e-30)
    ref.zero_grad(set_to_none=True)
    return res


# ---------------------------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------------------------
def fit(model: Any, loss_fn: LossFn, batches: Iterable[tuple[tuple, Any]], optimizer: optax.GradientTransformation,
        key: jax.Array, *, log: Callable[[str], None] | None = print) -> list[float]:
    """Train ``model`` on ``batches`` (``(inputs, target)`` NumPy pairs) with optax, dropout on.

    The pure loop: the trainable half of ``tp.partition`` goes through ``jax.grad`` and optax,
    buffers (BatchNorm statistics) come back from ``functional_call(..., return_buffers=True)``,
    dropout draws from a fresh ``key`` per step. The gradient step is ``value_and_grad_fn``'s
    (compiled once, shared with ``compare_step``), the update one small jitted function. The
    trained values are loaded back into ``model`` at the end. Returns the losses.
    """
    trainable, frozen = tp.partition(model)
    opt_state = optimizer.init(trainable)
    vg = value_and_grad_fn(model, loss_fn, train=True)

    @jit
    def update(trainable, frozen, opt_state, grads, bufs):
        updates, opt_state = optimizer.update(grads, opt_state, trainable)
        frozen = {k: bufs.get(k, v) for k, v in frozen.items()}          # new running statistics
        return optax.apply_updates(trainable, updates), frozen, opt_state

    losses = []
    for i, (inputs, target) in enumerate(batches):
        key, sub = jax.random.split(key)
        (value, (_, bufs)), grads = vg(trainable, frozen, to_jax(tuple(inputs)), to_jax(target), sub)
        trainable, frozen, opt_state = update(trainable, frozen, opt_state, grads, bufs)
        losses.append(float(value))
        if log is not None:
            log(f"  step {i:3d}  loss {losses[-1]:.4f}")
    model.train()
    load_trained(model, trainable, frozen)
    return losses


def load_trained(model: Any, trainable: Mapping[str, Any], frozen: Mapping[str, Any]) -> None:
    """Put trained values back into ``model`` (persistent entries only, ties loaded through one name)."""
    keys = set(model.state_dict())
    model.load_state_dict({k: v for k, v in tp.combine(trainable, frozen).items() if k in keys})


# ---------------------------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------------------------
def save_loss_curve(path: Path | str, curves: Mapping[str, Sequence[float]], title: str) -> Path | None:
    """Plot ``curves`` (name -> losses per step) to ``path`` as a PNG; None if matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no loss curve (pip install matplotlib)")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=100)
    for name, values in curves.items():
        ax.plot(range(len(values)), values, marker=".", label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)


def print_structure(name: str, s: dict) -> None:
    print(f"[{name}] state_dict: {s['n_tensors']} tensors, {s['n_params']:,} parameters; keys, order, shapes, "
          f"dtypes identical to torch; repr identical: {s['repr_equal']}; init std/mean vs torch within "
          f"{s['init_worst']:.1%}")


def print_step(name: str, mode: str, r: dict) -> None:
    print(f"[{name}] {mode:5s}: max|out diff| {r['out']:.2e} (rel {r['out_rel']:.1e})  |loss diff| {r['loss']:.2e}"
          f"  max|grad diff| {r['grad']:.2e} (rel {r['grad_rel']:.1e})"
          + (f"  max|buffer diff| {r['buffers']:.2e}" if r.get("buffers") else ""))
    if "grad_torch_f64" in r:
        print(f"[{name}] {mode:5s}: max|grad diff| from torch's float64 gradients: torch {r['grad_torch_f64']:.2e}, "
              f"port {r['grad_ours_f64']:.2e}")


def cli_small() -> bool:
    """``--small`` on the command line selects the test sizes."""
    return "--small" in sys.argv[1:]


def cli_out_dir() -> str | None:
    """``--out DIR`` on the command line: where to save the PNG (default: beside the script)."""
    args = sys.argv[1:]
    return args[args.index("--out") + 1] if "--out" in args else None


def png_path(script: str, filename: str, out_dir: str | Path | None = None) -> Path:
    """``filename`` in ``out_dir``, or beside ``script`` when ``out_dir`` is None."""
    return (Path(out_dir) if out_dir is not None else Path(script).resolve().parent) / filename


def setup(small: bool) -> None:
    """Per-run settings: fast XLA compiles for the small sizes."""
    set_fast_compile(small)


def decreased(losses: Sequence[float], k: int = 3) -> bool:
    """The mean of the last ``k`` losses is below the mean of the first ``k``."""
    k = max(1, min(k, len(losses) // 2))
    return float(np.mean(losses[-k:])) < float(np.mean(losses[:k]))


__all__ = ["swap_imports", "load_model_file", "build_twins", "to_numpy", "to_torch", "to_jax", "to_tensors", "arrays",
           "max_abs_diff", "compare_structure", "copy_weights", "compare_step", "fit", "load_trained",
           "save_loss_curve", "print_structure", "value_and_grad_fn", "jit",
           "set_fast_compile", "setup", "print_step", "cli_small", "cli_out_dir", "png_path", "decreased"]
