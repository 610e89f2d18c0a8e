"""``load_state_dict``'s transaction: queued writes, and the undo log that keeps a load atomic.

Each module's ``_load_from_state_dict`` checks its keys and queues its writes (``_enqueue``,
``Module._queue_write``); the writes run once every check passed. A failure, or user code that
raises (an overridden ``_load_from_state_dict`` or ``set_extra_state``), rolls everything back.
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING, Any, Callable

from .._parameter import Parameter
from .._tensor import Tensor

if TYPE_CHECKING:
    from ._module import Module

_local = threading.local()     # .loads: the stack of running load transactions of this thread

def _cover_ties(root: Module, state_dict: dict, missing_keys: list, assign: bool, txn: "_LoadTransaction") -> None:
    """Drop missing keys whose tensor is tied to a name the state gives (all of them, or none)."""
    entries: dict[str, tuple[Module, str, Tensor]] = {}
    for prefix, mod in root.named_modules(remove_duplicate=False):
        dot = prefix + "." if prefix else ""
        for name, t in mod._parameters.items():
            if t is not None:
                entries[dot + name] = (mod, name, t)
        for name, t in mod._buffers.items():
            if t is not None and name not in mod._non_persistent_buffers_set:
                entries[dot + name] = (mod, name, t)
    names_of: dict[int, list[str]] = {}
    for name, (_, _, t) in entries.items():
        names_of.setdefault(id(t), []).append(name)
    partners = {}
    for key in missing_keys:
        entry = entries.get(key)
        partner = None if entry is None else next(
            (n for n in names_of[id(entry[2])] if n in state_dict), None)
        if partner is None:
            return
        partners[key] = partner
    missing_keys.clear()
    if assign:                    # after the partner's box is replaced, give every alias that box
        for key, partner in partners.items():
            owner, attr, _ = entries[key]
            powner, pattr, _ = entries[partner]
            txn.writes.append((_set_alias, (owner, attr, powner, pattr)))


def _assign_param(module: Module, name: str, new: Parameter, requires_grad: bool) -> None:
    new.requires_grad_(requires_grad)
    setattr(module, name, new)


def _set_attr(module: Module, name: str, value: Any) -> None:
    setattr(module, name, value)


def _set_alias(module: Module, name: str, partner: Module, partner_name: str) -> None:
    setattr(module, name, getattr(partner, partner_name))


def _write_box(box: Tensor, value: Any) -> None:
    box._set(value)


def _load_stack() -> list:
    stack = getattr(_local, "loads", None)
    if stack is None:
        stack = _local.loads = []
    return stack


def _active_load() -> "_LoadTransaction | None":
    stack = getattr(_local, "loads", None)
    return stack[-1] if stack else None


def _enqueue(fn: Callable, args: tuple) -> None:
    """Queue ``fn(*args)`` in the running load (run it now when no load is running)."""
    txn = _active_load()
    if txn is None:
        fn(*args)
    else:
        txn.writes.append((fn, args))


class _LoadTransaction:
    """One ``load_state_dict``: its queued writes, and what it needs to undo them.

    Writes are queued during the walk and run by ``flush`` (at the end, or before a
    ``set_extra_state``); each box write records the box's previous contents. Before any
    user code runs (an overridden ``_load_from_state_dict`` or ``set_extra_state``), the
    whole tree is snapshotted: every module's ``__dict__``, registries and non-persistent set,
    and every box's raw contents (never materialized) and flags. ``rollback`` undoes the box
    writes in reverse, then restores the snapshots.
    """

    __slots__ = ("writes", "undo", "saved", "boxes", "tree_saved")

    def __init__(self) -> None:
        self.writes: list[tuple[Callable, tuple]] = []
        self.undo: list[tuple[Any, Any]] = []
        self.saved: dict[int, tuple] = {}
        self.boxes: dict[int, tuple] = {}
        self.tree_saved = False

    def save_module(self, m: Module, boxes: bool) -> None:
        if id(m) not in self.saved:
            self.saved[id(m)] = (m, dict(m.__dict__), dict(m._parameters), dict(m._buffers), dict(m._modules),
                                 set(m._non_persistent_buffers_set))
        if boxes:
            for t in itertools.chain(m._parameters.values(), m._buffers.values()):
                if t is not None and id(t) not in self.boxes:
                    self.boxes[id(t)] = (t, t._storage, t._storage.peek(),
                                         tuple(getattr(t, n) for n, _ in type(t)._defaults()))

    def save_tree(self, root: Module) -> None:
        for m in root.modules():
            self.save_module(m, boxes=True)
        self.tree_saved = True

    def flush(self) -> None:
        writes, self.writes = self.writes, []
        for fn, args in writes:
            if fn is _write_box:
                self.undo.append((args[0]._storage, args[0]._storage.peek()))
            elif fn is _assign_param or fn is _set_attr or fn is _set_alias:
                self.save_module(args[0], boxes=False)
            fn(*args)

    def rollback(self) -> None:
        for storage, raw in reversed(self.undo):
            storage.swap(raw)
        for m, d, params, buffers, modules, non_persistent in self.saved.values():
            m.__dict__.clear()
            m.__dict__.update(d)
            for registry, snapshot in ((m._parameters, params), (m._buffers, buffers), (m._modules, modules)):
                registry.clear()
                registry.update(snapshot)
            m._non_persistent_buffers_set.clear()
            m._non_persistent_buffers_set.update(non_persistent)
        for t, storage, raw, flags in self.boxes.values():
            object.__setattr__(t, "_storage", storage)
            storage.swap(raw)
            for (name, _), flag in zip(type(t)._defaults(), flags):
                object.__setattr__(t, name, flag)
