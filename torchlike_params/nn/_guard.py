"""The registration guard: a module created outside a trace never receives a traced value.

``Storage`` refuses to store a tracer in a box created outside the trace; this is the same rule
one level up, for ``__setattr__``/``register_buffer``/``register_parameter`` replacing a
registered tensor (``self.running_mean = new`` in a forward under ``jax.jit``). It is lifted
for modules created inside the trace (``compile_init``) and while ``functional_call`` runs a
module (it restores the registries afterwards).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import jax

from .._tensor import Tensor

if TYPE_CHECKING:
    from ._module import Module

_local = threading.local()     # .functional: {id(module): depth} of modules under a running functional_call

_REGISTER_LEAK = (
    "A value traced by JAX was about to be registered as {kind} '{name}' of a {cls} created outside the "
    "trace (for example `self.{name} = new_value` in a forward run under jax.jit of a closed-over module); "
    "it would leave a tracer in the module. Run the step through torchlike_params.functional_call(module, "
    "state, args, return_buffers=True) to get changed buffers back as values, or build the module inside the "
    "traced function (torchlike_params.compile_init).")


def _functional_depths() -> dict:
    d = getattr(_local, "functional", None)
    if d is None:
        d = _local.functional = {}
    return d


class _FunctionalScope:
    """Marks ``modules`` as running under ``functional_call`` (which restores their registries after)."""

    __slots__ = ("ids",)

    def __init__(self, modules: Any) -> None:
        self.ids = [id(m) for m in modules]

    def __enter__(self) -> None:
        d = _functional_depths()
        for i in self.ids:
            d[i] = d.get(i, 0) + 1

    def __exit__(self, *exc: Any) -> None:
        d = _functional_depths()
        for i in self.ids:
            n = d.pop(i) - 1
            if n:
                d[i] = n


def _holds_tracer(value: Any) -> bool:
    if isinstance(value, Tensor):
        value = value._storage.peek()
    return isinstance(value, jax.core.Tracer)


def _check_no_leak(module: "Module", name: str, value: Any, kind: str) -> None:
    """Refuse to register a traced value in a module created outside the trace (see Module's Note)."""
    if (_holds_tracer(value) and not module.__dict__.get("_created_in_trace", False)
            and id(module) not in _functional_depths()):
        raise RuntimeError(_REGISTER_LEAK.format(kind=kind, name=name, cls=type(module).__name__))
