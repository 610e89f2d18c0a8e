"""Running each side of a comparison once, with hooks that record every module call.

Each side gives a ``SideRun``: the calls in the order they finish (with their outputs), the
calls in the order they start, and, when asked, the gradient of the loss with respect to
every parameter and to every module call's floating inputs. An input gradient is measured by
adding a zero array to each floating positional input in a forward pre-hook (one per
object: the same array passed twice gets one zero, so ``q is k`` checks still hold) and
differentiating with respect to it (torch: ``requires_grad`` zeros; ours: an argument of
``jax.value_and_grad``).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from . import _tree
from ._torch import is_torch_tensor, torch_to_numpy


@dataclasses.dataclass
class Call:
    """One finished module call: qualified name, which call of that module (from 0), type, outputs."""
    name: str
    k: int
    type: str
    out: dict[str, Any]


@dataclasses.dataclass
class SideRun:
    """What one side recorded (see the module docstring)."""
    calls: list[Call]
    starts: list[tuple[str, int]]
    param_grads: dict[str, Any]
    input_grads: dict[tuple[str, int], dict[str, np.ndarray]]
    output: Any = None
    input_specs: dict[tuple[str, int], dict[str, tuple]] = dataclasses.field(default_factory=dict)


def _counter() -> Callable[[str], int]:
    counts: dict[str, int] = {}

    def next_k(name: str) -> int:
        counts[name] = counts.get(name, -1) + 1
        return counts[name]
    return next_k


def default_loss_weights(output: Any) -> dict[str, np.ndarray]:
    """``R`` of the default loss ``Σ out·R``: N(0, 1) (seed 0) for each floating leaf of torch's output."""
    rng = np.random.default_rng(0)
    weights = {}
    for path, leaf in _tree.leaves(output):
        if leaf.is_floating_point() if is_torch_tensor(leaf) else jnp.issubdtype(leaf.dtype, jnp.floating):
            weights[path] = rng.standard_normal(tuple(leaf.shape))
    return weights


def _jnp_dtype(torch_dtype: Any) -> Any:
    name = str(torch_dtype).replace("torch.", "")
    return jax.dtypes.canonicalize_dtype(jnp.bfloat16 if name == "bfloat16" else np.dtype(name))


# ---------------------------------------------------------------------------------------------
# torch: one forward with hooks, then backward
# ---------------------------------------------------------------------------------------------
def run_torch(torch: Any, model: Any, args: tuple, kwargs: dict, *, grads: bool, input_grads: bool,
              loss_fn: Callable | None) -> SideRun:
    """Run the torch model once (and ``loss.backward()`` with ``grads``), recording every call."""
    calls: list[Call] = []
    starts: list[tuple[str, int]] = []
    zeros: dict[tuple[str, int], dict[str, Any]] = {}
    specs: dict[tuple[str, int], dict[str, tuple]] = {}
    start_k, finish_k = _counter(), _counter()

    def make_hooks(name: str) -> tuple[Callable, Callable]:
        def pre(mod: Any, a: tuple) -> Any:
            key = (name, start_k(name))
            starts.append(key)
            if not (grads and input_grads):
                return None
            added = zeros[key] = {}
            seen: dict[int, Any] = {}          # one zero per object: `attn(x, x, x)` keeps `q is k is v`

            def add(path: str, leaf: Any) -> Any:
                if id(leaf) in seen:
                    return seen[id(leaf)]
                if is_torch_tensor(leaf) and leaf.is_floating_point():
                    p = added[path] = torch.zeros_like(leaf, requires_grad=True)
                    specs.setdefault(key, {})[path] = (tuple(leaf.shape), _jnp_dtype(leaf.dtype))
                    seen[id(leaf)] = leaf + p
                    return seen[id(leaf)]
                return leaf
            return _tree.map_leaves(add, a)

        def post(mod: Any, a: tuple, output: Any) -> None:
            calls.append(Call(name, finish_k(name), type(mod).__name__,
                              {p: torch_to_numpy(v) for p, v in _tree.leaves(output)}))
        return pre, post

    handles = []
    for name, m in model.named_modules():
        pre, post = make_hooks(name)
        handles += [m.register_forward_pre_hook(pre), m.register_forward_hook(post)]
    params = dict(model.named_parameters())
    param_grads: dict[str, Any] = {}
    try:
        with torch.set_grad_enabled(grads):
            for p in params.values():
                p.grad = None
            output = model(*args, **kwargs)
            if grads:
                if loss_fn is None:
                    weights = default_loss_weights(output)
                    terms = [(leaf * torch.as_tensor(weights[path], dtype=leaf.dtype)).sum()
                             for path, leaf in _tree.leaves(output) if path in weights]
                    loss = sum(terms[1:], terms[0]) if terms else None
                else:
                    loss = loss_fn(output)
                if not is_torch_tensor(loss) or loss.numel() != 1:
                    raise ValueError(f"Expected the torch loss to be a one-element tensor, got {loss!r}")
                if loss.requires_grad:         # else nothing trainable reaches it: every gradient is None
                    loss.backward()
                param_grads = {n: (torch_to_numpy(p.grad) if p.grad is not None else None)
                               for n, p in params.items() if p.requires_grad}
    finally:
        for h in handles:
            h.remove()
    in_grads = {key: {path: (torch_to_numpy(p.grad) if p.grad is not None else np.zeros(tuple(p.shape), np.float32))
                      for path, p in ps.items()} for key, ps in zeros.items() if ps}
    return SideRun(calls, starts, param_grads, in_grads, output, specs)


# ---------------------------------------------------------------------------------------------
# ours: functional_call under jax.value_and_grad (jitted), the hooks' records coming back as aux
# ---------------------------------------------------------------------------------------------
def run_ours(model: Any, args: tuple, kwargs: dict, *, grads: bool, input_specs: dict[tuple[str, int], dict],
             loss_fn: Callable | None, loss_weights: dict[str, np.ndarray] | None, jit: bool) -> SideRun:
    """Run our model once through ``functional_call`` (under ``jax.value_and_grad`` with ``grads``),
    recording every call; the inputs given zeros are those torch's side found (``input_specs``).

    Every parameter and buffer is passed in the state (buffers as values that are not
    differentiated), so in-place buffer updates (BatchNorm in training mode) stay inside the call.
    """
    from .._functional_call import functional_call
    calls: list[Call] = []
    starts: list[tuple[str, int]] = []

    def run(params: dict, deltas: dict, fixed: dict) -> tuple[Any, list]:
        calls.clear()
        starts.clear()
        recorded: list[dict[str, Any]] = []
        start_k, finish_k = _counter(), _counter()

        def make_hooks(name: str) -> tuple[Callable, Callable]:
            def pre(mod: Any, a: tuple) -> Any:
                k = start_k(name)
                starts.append((name, k))
                mine = deltas.get(f"{name}#{k}")
                if not mine:
                    return None
                seen: dict[int, Any] = {}

                def add(path: str, leaf: Any) -> Any:
                    if id(leaf) in seen:
                        return seen[id(leaf)]
                    if path in mine and tuple(leaf.shape) == mine[path].shape:
                        seen[id(leaf)] = _tree.add_to_leaf(leaf, mine[path])
                        return seen[id(leaf)]
                    return leaf
                return _tree.map_leaves(add, a)

            def post(mod: Any, a: tuple, output: Any) -> None:
                calls.append(Call(name, finish_k(name), type(mod).__name__, {}))
                recorded.append({p: _tree.as_jax(v) for p, v in _tree.leaves(output)})
            return pre, post

        handles = []
        for name, m in model.named_modules():
            pre, post = make_hooks(name)
            handles += [m.register_forward_pre_hook(pre), m.register_forward_hook(post)]
        try:
            output = functional_call(model, {**fixed, **params}, args, kwargs)
        finally:
            for h in handles:
                h.remove()
        loss = jnp.zeros((), jnp.float32)
        if grads and loss_fn is None:
            for path, leaf in _tree.leaves(output):
                if path in loss_weights and tuple(leaf.shape) == loss_weights[path].shape:
                    x = _tree.as_jax(leaf)
                    loss = loss + (x * jnp.asarray(loss_weights[path], x.dtype)).sum()
        elif grads:
            loss = _tree.as_jax(loss_fn(output))
            if loss.size != 1:
                raise ValueError(f"Expected our loss to be a one-element array, got shape {tuple(loss.shape)}")
            loss = loss.reshape(())
        return loss, recorded

    params = {n: p.value for n, p in model.named_parameters() if p.requires_grad}
    fixed = {n: t.value for n, t in [*model.named_parameters(), *model.named_buffers()] if n not in params}
    deltas = {f"{name}#{k}": {path: jnp.zeros(shape, dtype) for path, (shape, dtype) in spec.items()}
              for (name, k), spec in input_specs.items()}
    if grads:
        fn = jax.value_and_grad(run, argnums=(0, 1), has_aux=True)
        (_, recorded), (param_grads, delta_grads) = (jax.jit(fn) if jit else fn)(params, deltas, fixed)
    else:
        _, recorded = (jax.jit(run) if jit else run)(params, {}, fixed)
        param_grads, delta_grads = {}, {}
    for call, rec in zip(calls, recorded):
        call.out = {p: np.asarray(v) for p, v in rec.items()}
    in_grads = {}
    for label, d in delta_grads.items():
        name, _, k = label.rpartition("#")
        in_grads[(name, int(k))] = {p: np.asarray(g) for p, g in d.items()}
    return SideRun(calls, starts, {n: np.asarray(g) for n, g in param_grads.items()}, in_grads)
