"""``compare_modules``: run a torch model and its torchlike_params twin side by side and find
the first module (and the first parameter gradient) where they part."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import jax.numpy as jnp
import numpy as np

from . import _tree
from ._diff import diff
from ._report import DivergenceReport, Row, Table
from ._sides import Call, SideRun, default_loss_weights, run_ours, run_torch
from ._torch import import_torch, is_torch_tensor, torch_to_numpy


def _labels(keys: list[tuple[str, int]]) -> list[str]:
    """``name``, or ``name#k`` for the k-th call (from 0) of a module called more than once."""
    counts: dict[str, int] = {}
    for name, _ in keys:
        counts[name] = counts.get(name, 0) + 1
    return [f"{name}#{k}" if counts[name] > 1 else name for name, k in keys]


def _compare_leaves(theirs: Mapping[str, Any] | None, ours: Mapping[str, Any] | None,
                    atol: float, rtol: float) -> tuple[tuple, tuple, float, float, bool, str]:
    """Shapes, max abs/rel diff, divergent, note for two ``{path: array}`` dicts (either may be None)."""
    t_shapes = tuple(tuple(np.shape(v)) for v in (theirs or {}).values())
    o_shapes = tuple(tuple(np.shape(v)) for v in (ours or {}).values())
    if theirs is None or ours is None:
        return t_shapes, o_shapes, float("nan"), float("nan"), False, (
            "only in torch" if ours is None else "only in ours")
    if set(theirs) != set(ours):
        return t_shapes, o_shapes, float("nan"), float("nan"), True, (
            f"output structure: torch {list(theirs) or 'no arrays'} vs ours {list(ours) or 'no arrays'}")
    o_shapes = tuple(tuple(np.shape(ours[path])) for path in theirs)      # in torch's order
    if t_shapes != o_shapes:
        return t_shapes, o_shapes, float("nan"), float("nan"), True, "shape"
    max_abs = max_rel = 0.0
    divergent = False
    for path in theirs:
        d = diff(ours[path], theirs[path], atol=atol, rtol=rtol)
        max_abs, max_rel = max(max_abs, d.max_abs), max(max_rel, d.max_rel)
        divergent |= not d.close
    return t_shapes, o_shapes, max_abs, max_rel, divergent, ""


def _merge_order(theirs: list[str], ours: list[str]) -> list[str]:
    """Torch's order, with keys only ours has inserted after the key that precedes them in our order."""
    result = list(theirs)
    present = set(result)
    anchor = -1                              # insert position after the last shared key seen
    for key in ours:
        if key in present:
            anchor = result.index(key)
        else:
            anchor += 1
            result.insert(anchor, key)
            present.add(key)
    return result


def _table(title: str, what: str, keys: list[str], theirs: Mapping[str, tuple[str, str, dict | None]],
           ours: Mapping[str, tuple[str, str, dict | None]], atol: float, rtol: float, order: str,
           notes: Mapping[str, str] | None = None) -> Table:
    rows = []
    for key in keys:
        t_name, t_type, t_out = theirs.get(key, ("", "", None))
        o_name, o_type, o_out = ours.get(key, ("", "", None))
        shapes, o_shapes, max_abs, max_rel, divergent, note = _compare_leaves(
            t_out if key in theirs else None, o_out if key in ours else None, atol, rtol)
        if notes and key in notes and not note:
            note = notes[key]
        rows.append(Row(key, t_name if key in theirs else o_name, t_type, o_type, shapes, o_shapes,
                        max_abs, max_rel, divergent, note))
    return Table(title, what, tuple(rows), atol, rtol, order)


def _split_loss(loss_fn: Any) -> tuple[Callable | None, Callable | None]:
    if loss_fn is None:
        return None, None
    if callable(loss_fn):
        return loss_fn, loss_fn
    if isinstance(loss_fn, (tuple, list)) and len(loss_fn) == 2 and all(callable(f) for f in loss_fn):
        return loss_fn[0], loss_fn[1]
    raise TypeError("Expected `loss_fn` to be a callable or a pair (torch_loss_fn, our_loss_fn), "
                    f"got {loss_fn!r}")


def _mode_notes(torch_model: Any, model: Any) -> list[str]:
    ours = dict(model.named_modules())
    diffs = [(name or "(root)", bool(m.training)) for name, m in torch_model.named_modules()
             if name in ours and bool(m.training) != bool(ours[name].training)]
    if not diffs:
        return []
    shown = ", ".join(f"`{n}` (torch {'train' if t else 'eval'}, ours {'eval' if t else 'train'})"
                      for n, t in diffs[:5])
    return [f"train/eval modes differ: {shown}" + (f" and {len(diffs) - 5} more" if len(diffs) > 5 else "")]


def _backward_param_order(torch_model: Any, calls: list[Call], names: list[str]) -> list[str]:
    """Trainable parameter names in the order backward reaches them: the parameters of the module
    calls that finish last come first (a module's own after its children's, as registered)."""
    global_name = {id(p): n for n, p in torch_model.named_parameters() if p.requires_grad}
    modules = dict(torch_model.named_modules())
    forward: list[str] = []
    seen: set[str] = set()
    for call in calls:
        if call.k or call.name not in modules:
            continue
        for _, p in reversed(list(modules[call.name].named_parameters())):
            n = global_name.get(id(p))
            if n is not None and n not in seen:
                seen.add(n)
                forward.append(n)
    forward.reverse()
    return forward + [n for n in names if n not in seen]


def _convert_inputs(torch: Any, values: Any) -> tuple[Any, Any]:
    """Each array-like input as a torch tensor (for torch) and a ``jax.Array`` (for ours)."""
    def host(x: Any) -> np.ndarray:
        return torch_to_numpy(x) if is_torch_tensor(x) else np.array(x)
    return (_tree.map_leaves(lambda _, x: torch.from_numpy(host(x)), values),
            _tree.map_leaves(lambda _, x: jnp.asarray(host(x)), values))


def _grad_table(torch_model: Any, t: SideRun, o: SideRun, atol: float, rtol: float) -> Table:
    order = _backward_param_order(torch_model, t.calls, list(t.param_grads))
    order += [n for n in o.param_grads if n not in order]
    shapes = {n: tuple(p.shape) for n, p in torch_model.named_parameters()}
    theirs, notes = {}, {}
    for n, g in t.param_grads.items():
        if g is None:
            notes[n] = "no grad in torch (compared as 0)"
            g = np.zeros(shapes[n], np.float32)
        theirs[n] = (n, "Parameter", {"": g})
    ours = {n: (n, "Parameter", {"": g}) for n, g in o.param_grads.items()}
    return _table("Parameter gradients", "parameter", order, theirs, ours, atol, rtol,
                  ", in the order backward reaches them", notes)


def _input_grad_table(t: SideRun, o: SideRun, atol: float, rtol: float) -> Table:
    types = {(c.name, c.k): c.type for c in t.calls}
    our_types = {(c.name, c.k): c.type for c in o.calls}
    labels = dict(zip(t.starts, _labels(t.starts)))
    keys = [key for key in reversed(t.starts) if key in t.input_grads]
    theirs = {labels[key]: (key[0], types.get(key, ""), t.input_grads[key]) for key in keys}
    ours = {labels[key]: (key[0], our_types.get(key, ""), o.input_grads[key]) for key in keys if key in o.input_grads}
    return _table("Input gradients", "module", [labels[key] for key in keys], theirs, ours, atol, rtol,
                  " (d loss / d inputs), modules that start last first")


def compare_modules(torch_model: Any, model: Any, *inputs: Any, kwargs: Mapping[str, Any] | None = None,
                    copy_weights: bool = True, grads: bool = True, input_grads: bool = True,
                    loss_fn: Callable | Sequence[Callable] | None = None, atol: float = 1e-5,
                    rtol: float = 1e-4, jit: bool = True, verbose: bool = True) -> DivergenceReport:
    """Run a torch model and its torchlike_params twin on the same inputs and report, module by
    module and parameter by parameter, where their numbers part.

    Steps: (1) with ``copy_weights`` (default), ``model.load_state_dict`` gets torch's
    ``state_dict()`` (strict: a key or shape that differs raises torch's ``RuntimeError``);
    (2) both models run on ``inputs`` (NumPy arrays, or torch/JAX arrays, converted for each
    side; ``kwargs`` likewise; non-arrays are passed as they are), with forward hooks on every
    module of ``named_modules()`` that record each call's output (every array in a tuple,
    list or dict output, e.g. an LSTM's ``(out, (h, c))``); calls are matched by qualified
    name, the k-th call of a module called several times as ``name#k``; (3) with ``grads``,
    torch runs ``loss.backward()`` and our side ``jax.value_and_grad`` through
    ``tp.functional_call(model, params, inputs)`` (under ``jax.jit`` with ``jit``, the
    default), in the same pass that records the outputs.

    The loss: ``loss_fn(output)`` (one callable for both sides, e.g. ``lambda out: (out ** 2).mean()``
    written with what both frameworks have, or a pair ``(torch_loss_fn, our_loss_fn)``);
    by default a fixed random projection ``Σ (out · R)`` of every floating output, ``R`` seeded
    N(0, 1), which unlike a plain sum does not vanish after softmax or normalization.

    An element diverges when ``|ours - torch| > atol + rtol * |torch|``. The report's tables
    each mark their first divergent row:

    - ``.forward``: module calls in the order they finish (children before their parent), so
      the first divergent row is the earliest, innermost module whose output differs (or the
      parent code that runs just before it);
    - ``.grads``: trainable parameters in the order backward reaches them (nearest the loss
      first), so a wrong backward is named where it starts;
    - ``.input_grads`` (with ``input_grads=True``): the gradient of the loss with respect to
      each module call's floating positional inputs, modules that start last first: the first
      divergent row is the module whose backward first gives a different gradient.

    With ``verbose`` (default) the report is printed; ``str(report)`` gives the same text.
    ``report.ok`` is True when no table has a divergent row; modules called on one side only
    are listed (``only in torch``) but do not count as divergent.

    Note: both models run as they are (train or eval mode); modes that differ are named in
    ``report.notes``. Dropout in training mode draws different numbers in the two frameworks:
    compare in eval mode or with ``p=0``. In training mode torch's BatchNorm running statistics
    advance by one step; our model is left unchanged (its side runs through
    ``functional_call``). The torch parameters' ``.grad`` are overwritten. With ``jit``, our
    forward is traced, so it must not read concrete values (``jit=False`` runs it eagerly;
    under ``grads`` it is still traced by ``jax.value_and_grad``). torch is imported here,
    when called (``pip install torch==2.13.0`` if it is missing).

    >>> import torch
    >>> from torchlike_params.testing import compare_modules
    >>> _ = torch.manual_seed(0)
    >>> theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    >>> ours = tp.nn.Sequential(tp.nn.Linear(4, 8), tp.nn.Tanh(), tp.nn.Linear(8, 2))
    >>> x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    >>> report = compare_modules(theirs, ours, x, verbose=False)
    >>> report.ok, [row.label for row in report.forward.rows], [row.label for row in report.grads.rows]
    (True, ['0', '1', '2', ''], ['2.weight', '2.bias', '0.weight', '0.bias'])
    >>> ours[1] = tp.nn.Sigmoid()                   # a wrong activation
    >>> report = compare_modules(theirs, ours, x, verbose=False)
    >>> report.first_divergent.label, report.forward.divergent_labels
    ('1', ['1', '2', ''])
    >>> print(report.forward)                                   # doctest: +ELLIPSIS
    Forward: 4 module rows, in the order the calls finish (atol=1e-05, rtol=0.0001); first divergence: `1` (Tanh vs Sigmoid)
       #  module  type             shape  max abs diff  max rel diff  status
    --  -  ------  ---------------  -----  ------------  ------------  ------------------
        1  0       Linear           3x8    ...           ...           ok
    >>  2  1       Tanh vs Sigmoid  3x8    ...           ...           DIVERGES  <- FIRST
        3  2       Linear           3x2    ...           ...           DIVERGES
        4  (root)  Sequential       3x2    ...           ...           DIVERGES
    """
    torch = import_torch()
    if copy_weights:
        model.load_state_dict({k: torch_to_numpy(v) for k, v in torch_model.state_dict().items()})
    (t_args, o_args), (t_kwargs, o_kwargs) = (_convert_inputs(torch, tuple(inputs)),
                                              _convert_inputs(torch, dict(kwargs or {})))
    t_loss, o_loss = _split_loss(loss_fn)
    t = run_torch(torch, torch_model, t_args, t_kwargs, grads=grads, input_grads=input_grads, loss_fn=t_loss)
    weights = default_loss_weights(t.output) if grads and loss_fn is None else None
    o = run_ours(model, o_args, o_kwargs, grads=grads, input_specs=t.input_specs if input_grads else {},
                 loss_fn=o_loss, loss_weights=weights, jit=jit)

    t_labels = _labels([(c.name, c.k) for c in t.calls])
    o_labels = _labels([(c.name, c.k) for c in o.calls])
    theirs = {lab: (c.name, c.type, c.out) for lab, c in zip(t_labels, t.calls)}
    ours = {lab: (c.name, c.type, c.out) for lab, c in zip(o_labels, o.calls)}
    forward = _table("Forward", "module", _merge_order(t_labels, o_labels), theirs, ours, atol, rtol,
                     ", in the order the calls finish")
    grad_table = _grad_table(torch_model, t, o, atol, rtol) if grads else None
    input_table = _input_grad_table(t, o, atol, rtol) if grads and input_grads else None
    report = DivergenceReport(forward, grad_table, input_table, tuple(_mode_notes(torch_model, model)))
    if verbose:
        print(report)
    return report
