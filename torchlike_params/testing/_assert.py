"""``assert_state_close`` / ``assert_outputs_close``: ``AssertionError`` with a report a porter can act on."""

from __future__ import annotations

from typing import Any, Mapping


from . import _tree
from ._diff import diff


def _flat_state(obj: Any, arg: str) -> dict[str, Any]:
    if not isinstance(obj, Mapping) and callable(getattr(obj, "state_dict", None)):
        obj = obj.state_dict()
    if not isinstance(obj, Mapping):
        raise TypeError(f"Expected `{arg}` to be a state dict (a mapping of names to arrays) or a module, "
                        f"got {type(obj).__name__}")
    flat: dict[str, Any] = {}

    def walk(d: Mapping, prefix: str) -> None:
        for k, v in d.items():
            if isinstance(v, Mapping) and not _tree.is_leaf(v):
                walk(v, f"{prefix}{k}.")
            else:
                flat[f"{prefix}{k}"] = v
    walk(obj, "")
    return flat


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(int(s) for s in x.shape)


def _dtype_name(x: Any) -> str:
    return str(x.dtype).replace("torch.", "")


def _compare(actual: dict[str, Any], expected: dict[str, Any], *, atol: float, rtol: float, check_dtype: bool,
             names: tuple[str, str], kind: str, quote: bool) -> list[str]:
    a_name, e_name = names
    q = (lambda k: repr(k)) if quote else (lambda k: k or "output")   # noqa: E731
    missing = [k for k in expected if k not in actual]
    unexpected = [k for k in actual if k not in expected]
    lines: list[str] = []
    if missing:
        lines.append(f"missing {kind}s (in {e_name}, not in {a_name}): {', '.join(map(q, missing))}")
    if unexpected:
        lines.append(f"unexpected {kind}s (in {a_name}, not in {e_name}): {', '.join(map(q, unexpected))}")
    shapes, dtypes, values, others = [], [], [], []
    compared = 0
    for k in expected:
        if k not in actual:
            continue
        a, e = actual[k], expected[k]
        if not (_tree.is_leaf(a) and _tree.is_leaf(e)):
            if _tree.is_leaf(a) or _tree.is_leaf(e) or a != e:
                others.append(f"  {q(k)}: {a_name} {a!r}, {e_name} {e!r}")
            continue
        if _shape(a) != _shape(e):
            shapes.append(f"  {q(k)}: {a_name} {_shape(a)}, {e_name} {_shape(e)}")
            continue
        if check_dtype and _dtype_name(a) != _dtype_name(e):
            dtypes.append(f"  {q(k)}: {a_name} {_dtype_name(a)}, {e_name} {_dtype_name(e)}")
        compared += 1
        d = diff(_tree.to_numpy(a), _tree.to_numpy(e), atol=atol, rtol=rtol)
        if not d.close:
            values.append(f"  {q(k)} {_shape(e)}: {d.mismatched} of {d.numel} elements differ "
                          f"({100.0 * d.mismatched / d.numel:.3g}%); max abs diff {d.max_abs:.3g} at index "
                          f"{d.worst_index} ({a_name} {str(d.worst_actual)}, {e_name} {str(d.worst_expected)}); "
                          f"max rel diff {d.max_rel:.3g}")
    if shapes:
        lines += [f"shape mismatches ({len(shapes)}):"] + shapes
    if dtypes:
        lines += [f"dtype mismatches ({len(dtypes)}):"] + dtypes
    if others:
        lines += [f"non-array values differ ({len(others)}):"] + others
    if values:
        lines += [f"values differ in {len(values)} of {compared} compared {kind.replace('key', 'tensor')}s:"] + values
    return lines


def assert_state_close(actual: Any, expected: Any, *, atol: float = 1e-5, rtol: float = 1e-5,
                       check_dtype: bool = False, names: tuple[str, str] = ("actual", "expected"),
                       msg: str | None = None) -> None:
    """Assert that two state dicts hold the same keys, shapes and values; else ``AssertionError``
    with a report: missing and unexpected keys, shape (and, with ``check_dtype``, dtype)
    mismatches, and for each differing tensor how many elements differ and the worst one.

    Either side may be a torch ``state_dict()``, ours, a dict of NumPy/JAX arrays or ``tp``
    boxes, a nested dict (``tp.to_nested``), or a module (its ``state_dict()`` is taken); the
    order does not matter. ``|actual - expected| <= atol + rtol * |expected|`` must hold for every
    element. ``names`` labels the two sides in the message, e.g. ``("ours", "torch")``. torch is
    not imported (its tensors are recognized by duck typing).

    >>> from torchlike_params.testing import assert_state_close
    >>> ours = {"w": jnp.ones((2, 2)), "b": jnp.zeros(2), "extra": jnp.ones(1)}
    >>> theirs = {"w": np.array([[1.0, 1.0], [1.0, 1.5]]), "b": np.zeros(3), "bias2": np.zeros(1)}
    >>> assert_state_close(ours, theirs, names=("ours", "torch"))
    Traceback (most recent call last):
    AssertionError: State dicts are not close (atol=1e-05, rtol=1e-05):
    missing keys (in torch, not in ours): 'bias2'
    unexpected keys (in ours, not in torch): 'extra'
    shape mismatches (1):
      'b': ours (2,), torch (3,)
    values differ in 1 of 1 compared tensors:
      'w' (2, 2): 1 of 4 elements differ (25%); max abs diff 0.5 at index (1, 1) (ours 1.0, torch 1.5); max rel diff 0.333
    """
    a = _flat_state(actual, "actual")
    e = _flat_state(expected, "expected")
    lines = _compare(a, e, atol=atol, rtol=rtol, check_dtype=check_dtype, names=names, kind="key", quote=True)
    if lines:
        head = (f"{msg}\n" if msg else "") + f"State dicts are not close (atol={atol:g}, rtol={rtol:g}):"
        raise AssertionError("\n".join([head] + lines))


def assert_outputs_close(actual: Any, expected: Any, *, atol: float = 1e-5, rtol: float = 1e-5,
                         check_dtype: bool = False, names: tuple[str, str] = ("actual", "expected"),
                         msg: str | None = None) -> None:
    """Assert that two model outputs (an array, or tuples, lists and dicts of them, of either
    framework) have the same structure, shapes and values; else ``AssertionError`` with a
    report naming each differing array by its path (``[1][0]`` is ``h`` of an LSTM's
    ``(out, (h, c))``) with its worst element.

    >>> from torchlike_params.testing import assert_outputs_close
    >>> assert_outputs_close((jnp.ones(3), (jnp.zeros(2),)), (np.ones(3), (np.full(2, 0.1),)), names=("ours", "torch"))
    Traceback (most recent call last):
    AssertionError: Outputs are not close (atol=1e-05, rtol=1e-05):
    values differ in 1 of 2 compared arrays:
      [1][0] (2,): 2 of 2 elements differ (100%); max abs diff 0.1 at index (0,) (ours 0.0, torch 0.1); max rel diff 1
    """
    a = dict(_tree.leaves(actual))
    e = dict(_tree.leaves(expected))
    lines = _compare(a, e, atol=atol, rtol=rtol, check_dtype=check_dtype, names=names, kind="path", quote=False)
    if lines:
        head = (f"{msg}\n" if msg else "") + f"Outputs are not close (atol={atol:g}, rtol={rtol:g}):"
        raise AssertionError("\n".join([head] + [ln.replace("compared paths", "compared arrays") for ln in lines]))
