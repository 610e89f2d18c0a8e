"""``Module``: torch's ``nn.Module`` registries, traversal, state_dict and repr, over JAX arrays.

A Module keeps torch's three registries, ``_parameters``, ``_buffers`` and ``_modules``: plain
dicts in registration order. Attribute assignment registers exactly as torch's ``__setattr__``
does (same dispatch order, same checks, same exception types and texts). Every traversal
(``named_parameters``, ``named_buffers``, ``named_modules``, ``children``, ``apply``) and
``state_dict`` yields torch's names in torch's order, with torch's de-duplication rules.

What a registry holds:

* a parameter is a :class:`~torchlike_params.Parameter` box (or ``None``);
* a buffer is a Tensor box (or ``None``). ``register_buffer`` accepts a ``jax.Array`` or a
  NumPy array too, and stores it wrapped in a plain ``Tensor`` box, so that in-place methods
  (``m.running_mean.zero_()``) work on it. A box passed in is stored as it is (same object);
* a child is a ``Module`` (or ``None``).

``state_dict()`` values are the boxes' current ``jax.Array`` values (torch gives detached
tensors); ``keep_vars=True`` gives the boxes. ``load_state_dict`` is atomic: each module's
``_load_from_state_dict`` checks its keys and queues its writes (``_queue_write``); the writes
run once every check passed, and a failure (or user code that raises) rolls back everything,
including what ``set_extra_state`` changed. The contract for overrides is in
``Module._load_from_state_dict``.

Registering a traced value in a module created outside the trace is refused (see ``Module``).

A Module is not itself a JAX pytree: take ``state_dict()`` (a flat dict of arrays) into
``jax.jit`` / ``jax.grad`` and run ``forward`` purely with ``functional_call``.
``copy.deepcopy(module)`` gives new boxes (parameters shared within the module stay shared
within the copy) and copies hooks.
"""

from __future__ import annotations

import inspect
import itertools
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import Any, Callable, Iterator

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._parameter import Buffer, Parameter
from .._interop import to_arrays, to_tensors, unwrap_args
from .._tensor import Size, Tensor
from ..random._trace import tracing
from ._guard import _check_no_leak
from ._load import _LoadTransaction, _active_load, _assign_param, _cover_ties, _enqueue, _load_stack, _set_attr, _write_box

__all__ = ["Module", "RemovableHandle"]

_EXTRA_STATE_KEY_SUFFIX = "_extra_state"


# -- small helpers ------------------------------------------------------------------------------
def _is_tensor_like(obj: Any) -> bool:
    """What counts as a torch Tensor here: a box, a ``jax.Array`` or a NumPy array."""
    return isinstance(obj, (Tensor, jax.Array, np.ndarray))


def _typename(obj: Any) -> str:
    """``torch.typename``: ``'torch.FloatTensor'`` for tensors, else the qualified type name."""
    if _is_tensor_like(obj):
        return _dtype.typename(obj.dtype)
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in {"", "builtins"}:
        return qualname
    return f"{module}.{qualname}"


def _as_buffer_box(value: Any) -> Any:
    """Store boxes as they are; wrap a plain array in a ``Tensor`` box."""
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor._wrap(jnp.asarray(value))


def _addindent(s_: str, num_spaces: int) -> str:
    """Indent every line after the first by ``num_spaces`` (blank lines stay empty)."""
    s = s_.split("\n")
    if len(s) == 1:
        return s_
    first = s.pop(0)
    s = [(num_spaces * " ") + line if line.strip() else "" for line in s]
    return first + "\n" + "\n".join(s)


def _forward_unimplemented(self, *input: Any) -> None:
    """Define the computation performed at every call; subclasses override it.

    >>> import torchlike_params as tp
    >>> tp.nn.Module()(1)
    Traceback (most recent call last):
    ...
    NotImplementedError: Module [Module] is missing the required "forward" function
    """
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """The result of ``load_state_dict``: ``(missing_keys, unexpected_keys)``."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class RemovableHandle:
    """A handle that removes a hook: ``handle.remove()``, or leave a ``with`` block.

    >>> import torchlike_params as tp
    >>> m = tp.nn.Module()
    >>> with m.register_forward_hook(lambda mod, args, out: out) as h:
    ...     len(m._forward_hooks)
    1
    >>> len(m._forward_hooks)
    0
    """

    next_id: int = 0

    def __init__(self, hooks_dict: dict, *, extra_dict: Any = None) -> None:
        self.hooks_dict = hooks_dict
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dict, dict):
            self.extra_dicts: tuple = (extra_dict,)
        elif isinstance(extra_dict, list):
            self.extra_dicts = tuple(extra_dict)
        else:
            self.extra_dicts = ()

    def remove(self) -> None:
        """Remove the hook (a second call does nothing).

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module()
        >>> h = m.register_forward_pre_hook(lambda mod, args: None)
        >>> h.remove(); h.remove(); len(m._forward_pre_hooks)
        0
        """
        for d in (self.hooks_dict, *self.extra_dicts):
            d.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


_NO_INPUT = object()


def _to_array(value: Any) -> Any:
    """A state_dict value as a ``jax.Array``, or ``_NO_INPUT`` when it is not tensor-like.

    Accepts boxes, ``jax.Array``, NumPy arrays of numbers or bools and (by duck typing, torch is
    never imported) torch tensors. A NumPy array of strings, objects, records or dates is not
    tensor-like (``load_state_dict`` then reports torch's "expected torch.Tensor or Tensor-like
    object" error for its key).
    """
    if isinstance(value, Tensor):
        return value.value
    if isinstance(value, jax.Array):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc" and not jnp.issubdtype(value.dtype, jnp.inexact):
            return _NO_INPUT      # str, bytes, object, void or datetime data (ml_dtypes floats are 'V')
        return jnp.asarray(value)
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        t = value.detach().cpu()
        if str(getattr(t, "dtype", "")) == "torch.bfloat16":
            return jnp.asarray(t.float().numpy()).astype(jnp.bfloat16)
        return jnp.asarray(t.numpy())
    return _NO_INPUT


# -- Module -------------------------------------------------------------------------------------

# Per class: whether its forward is the library's own (it then receives jax.Array values).
_LIBRARY_FORWARD: dict[type, bool] = {}

class Module:
    """Base class for all neural network modules, with torch's registration rules.

    Subclasses call ``super().__init__()`` first, then assign ``Parameter`` s, buffers and
    child modules as attributes, and define ``forward``.

    Note: parameter and buffer values are ``jax.Array`` s inside mutable boxes; there is no
    autograd state on them (``zero_grad`` does nothing), and no device placement.

    Note: registering a value traced by JAX (``self.running_mean = new`` in a forward, or
    ``register_buffer``/``register_parameter`` with a traced value) raises a ``RuntimeError``
    on a module created outside the trace, because the tracer would outlive the trace in the
    module. It is allowed while ``functional_call`` runs the module (which restores its
    registries afterwards) and on modules created inside the trace (``compile_init``).

    >>> import torchlike_params as tp
    >>> class Net(tp.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = tp.Parameter(tp.zeros(2, 3))
    ...         self.register_buffer("step", tp.zeros(()))
    ...     def forward(self, x):
    ...         return x @ self.w
    >>> net = Net()
    >>> [n for n, _ in net.named_parameters()], list(net.state_dict())
    (['w'], ['w', 'step'])
    >>> net(tp.ones(1, 2).value).shape
    (1, 3)
    """

    _version: int = 1
    training: bool
    call_super_init: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if self.call_super_init is False and bool(kwargs):
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if self.call_super_init is False and bool(args):
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        setattr_ = super().__setattr__
        setattr_("training", True)
        setattr_("_parameters", {})
        setattr_("_buffers", {})
        setattr_("_non_persistent_buffers_set", set())
        setattr_("_forward_hooks", OrderedDict())
        setattr_("_forward_hooks_with_kwargs", OrderedDict())
        setattr_("_forward_pre_hooks", OrderedDict())
        setattr_("_forward_pre_hooks_with_kwargs", OrderedDict())
        setattr_("_modules", {})
        setattr_("_created_in_trace", tracing())
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward: Callable[..., Any] = _forward_unimplemented

    # -- registration ---------------------------------------------------------------------------
    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Add a buffer: state that is saved (unless ``persistent=False``) but not trained.

        Note: a ``jax.Array`` or NumPy array is stored wrapped in a plain ``Tensor`` box so
        that in-place methods work on it; a box is stored as it is.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module()
        >>> m.register_buffer("running_mean", tp.zeros(3))
        >>> m.register_buffer("cache", tp.zeros(2), persistent=False)
        >>> [n for n, _ in m.named_buffers()], list(m.state_dict())
        (['running_mean', 'cache'], ['running_mean'])
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        elif not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        elif "." in name:
            raise KeyError('buffer name can\'t contain "."')
        elif name == "":
            raise KeyError('buffer name can\'t be empty string ""')
        elif hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        elif tensor is not None and not _is_tensor_like(tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        _check_no_leak(self, name, tensor, "buffer")
        self._buffers[name] = _as_buffer_box(tensor)
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (a ``Parameter`` or ``None``) under ``name``.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module()
        >>> m.register_parameter("weight", tp.Parameter(tp.ones(2)))
        >>> m.weight.shape, m.weight.requires_grad
        (torch.Size([2]), True)
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        elif not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {_typename(name)}")
        elif "." in name:
            raise KeyError('parameter name can\'t contain "."')
        elif name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        elif hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        elif getattr(param, "grad_fn", None):
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method.")
        else:
            _check_no_leak(self, name, param, "parameter")
            self._parameters[name] = param

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module (or ``None``) under ``name``.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module()
        >>> m.add_module("child", tp.nn.Module())
        >>> [n for n, _ in m.named_children()]
        ['child']
        """
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        elif not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        elif hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        elif "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        elif name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    def register_module(self, name: str, module: "Module | None") -> None:
        """Alias for :meth:`add_module`.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.register_module("c", tp.nn.Module()); list(m._modules)
        ['c']
        """
        self.add_module(name, module)

    # -- attribute protocol ---------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        if "_parameters" in d and name in d["_parameters"]:
            return d["_parameters"][name]
        if "_buffers" in d and name in d["_buffers"]:
            return d["_buffers"][name]
        if "_modules" in d and name in d["_modules"]:
            return d["_modules"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        def remove_from(*dicts_or_sets: Any) -> None:
            for d in dicts_or_sets:
                if name in d:
                    if isinstance(d, dict):
                        del d[name]
                    else:
                        d.discard(name)

        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _check_no_leak(self, name, value, "parameter")
            remove_from(self.__dict__, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        else:
            modules = self.__dict__.get("_modules")
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call")
                remove_from(self.__dict__, self._parameters, self._buffers,
                            self._non_persistent_buffers_set)
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                    "(torch.nn.Module or None expected)")
                modules[name] = value
            else:
                buffers = self.__dict__.get("_buffers")
                if isinstance(value, Buffer) or (buffers is not None and name in buffers):
                    if value is not None and not _is_tensor_like(value):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                        "(torch.nn.Buffer, torch.Tensor or None expected)")
                    _check_no_leak(self, name, value, "buffer")
                    if isinstance(value, Buffer):
                        persistent = value.persistent
                    else:
                        persistent = name not in self._non_persistent_buffers_set
                    # torch's HACK: a subclass may override register_buffer without `persistent`;
                    # pass it only when the override accepts it (a persistent buffer otherwise).
                    if getattr(self.register_buffer, "__func__", None) is Module.register_buffer:
                        self.register_buffer(name, value, persistent)
                    elif "persistent" in inspect.signature(self.register_buffer).parameters:
                        self.register_buffer(name, value, persistent)
                    else:
                        if not persistent:
                            raise RuntimeError(
                                "Registering a non-persistent buffer on a Module subclass that implements "
                                "register_buffer() without the persistent argument is not allowed.")
                        self.register_buffer(name, value)
                else:
                    super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            super().__delattr__(name)

    def __dir__(self) -> list[str]:
        keys = (dir(self.__class__) + list(self.__dict__) + list(self._parameters)
                + list(self._modules) + list(self._buffers))
        return sorted(k for k in keys if not k[0].isdigit())

    def __getstate__(self) -> dict:
        return self.__dict__.copy()

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name in ("_forward_hooks", "_forward_hooks_with_kwargs", "_forward_pre_hooks",
                     "_forward_pre_hooks_with_kwargs"):
            if name not in self.__dict__:
                object.__setattr__(self, name, OrderedDict())
        if "_non_persistent_buffers_set" not in self.__dict__:
            object.__setattr__(self, "_non_persistent_buffers_set", set())

    # -- lookup by path -------------------------------------------------------------------------
    def _get_name(self) -> str:
        return self.__class__.__name__

    def get_submodule(self, target: str) -> "Module":
        """The submodule at dotted path ``target`` (``''`` is self).

        >>> import torchlike_params as tp
        >>> outer, inner = tp.nn.Module(), tp.nn.Module()
        >>> outer.inner = inner
        >>> outer.get_submodule("inner") is inner
        True
        """
        if target == "":
            return self
        mod: Module = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def set_submodule(self, target: str, module: "Module", strict: bool = False) -> None:
        """Set the submodule at dotted path ``target`` (its parent must exist).

        With ``strict=False`` (default) an existing submodule is replaced or a new one is
        added to the parent; with ``strict=True`` only an existing submodule is replaced
        (``AttributeError`` otherwise). Errors as torch 2.13: ``ValueError`` for an empty
        target or a non-Module, ``AttributeError`` for a missing parent or an attribute on
        the path that is not a Module.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.a = tp.nn.Module()
        >>> m.set_submodule("a.b", tp.nn.Module()); [n for n, _ in m.named_modules()]
        ['', 'a', 'a.b']
        >>> m.set_submodule("a.c", tp.nn.Module(), strict=True)
        Traceback (most recent call last):
        ...
        AttributeError: Module has no attribute `c`
        """
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError("`" + "module" + f"` is not an nn.Module, found {type(module)}")
        parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(parent._get_name() + " has no attribute `" + atoms[-1] + "`")
        if hasattr(parent, atoms[-1]):
            mod = getattr(parent, atoms[-1])
            if not isinstance(mod, Module):
                raise AttributeError("`" + atoms[-1] + "` is not an nn.Module")
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target``.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.c = tp.nn.Module(); m.c.w = tp.Parameter(tp.ones(2))
        >>> m.get_parameter("c.w") is m.c.w
        True
        """
        module_path, _, param_name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, param_name):
            raise AttributeError(mod._get_name() + " has no attribute `" + param_name + "`")
        param = getattr(mod, param_name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + param_name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target``.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.register_buffer("b", tp.zeros(2))
        >>> m.get_buffer("b").shape
        torch.Size([2])
        """
        module_path, _, buffer_name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, buffer_name):
            raise AttributeError(mod._get_name() + " has no attribute `" + buffer_name + "`")
        buffer = getattr(mod, buffer_name)
        if buffer_name not in mod._buffers:
            raise AttributeError("`" + buffer_name + "` is not a buffer")
        return buffer

    # -- traversal ------------------------------------------------------------------------------
    def _named_members(self, get_members_fn: Callable, prefix: str = "", recurse: bool = True,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        memo: set[int] = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for k, v in get_members_fn(module):
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield module_prefix + ("." if module_prefix else "") + k, v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(name, Parameter)`` pairs, pre-order, each parameter once by default.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(2)); m.tied = m.w
        >>> [n for n, _ in m.named_parameters()], [n for n, _ in m.named_parameters(remove_duplicate=False)]
        (['w'], ['w', 'tied'])
        """
        yield from self._named_members(lambda module: module._parameters.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield the parameters (each once), in ``named_parameters`` order.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(2, 3))
        >>> [p.shape for p in m.parameters()]
        [torch.Size([2, 3])]
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Yield ``(name, buffer)`` pairs, non-persistent buffers included.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.register_buffer("b", tp.zeros(1), persistent=False)
        >>> [n for n, _ in m.named_buffers()]
        ['b']
        """
        yield from self._named_members(lambda module: module._buffers.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Yield the buffers (each once).

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.register_buffer("b", tp.zeros(4))
        >>> [b.shape for b in m.buffers()]
        [torch.Size([4])]
        """
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """Yield ``(name, child)`` for the immediate children, skipping ``None`` and repeats.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.a = tp.nn.Module(); m.b = m.a
        >>> [n for n, _ in m.named_children()]
        ['a']
        """
        memo: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        """Yield the immediate children.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.a = tp.nn.Module()
        >>> len(list(m.children()))
        1
        """
        for _, module in self.named_children():
            yield module

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """Yield ``(name, module)`` for self and every descendant, pre-order.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.a = tp.nn.Module(); m.a.b = tp.nn.Module()
        >>> [n for n, _ in m.named_modules()]
        ['', 'a', 'a.b']
        """
        if memo is None:
            memo = set()
        if self not in memo:
            if remove_duplicate:
                memo.add(self)
            yield prefix, self
            for name, module in self._modules.items():
                if module is None:
                    continue
                submodule_prefix = prefix + ("." if prefix else "") + name
                yield from module.named_modules(memo, submodule_prefix, remove_duplicate)

    def modules(self, remove_duplicate: bool = True) -> Iterator["Module"]:
        """Yield self and every descendant, pre-order.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.a = tp.nn.Module()
        >>> len(list(m.modules()))
        2
        """
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Call ``fn`` on every child (recursively, children first), then on self; return self.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.a = tp.nn.Module()
        >>> seen = []
        >>> m.apply(lambda mod: seen.append(mod)) is m, seen == [m.a, m]
        (True, True)
        """
        if self._modules:
            seen: set[int] = set()
            for module in self._modules.values():     # children(), inlined: this is a hot loop
                if module is not None and id(module) not in seen:
                    seen.add(id(module))
                    module.apply(fn)
        fn(self)
        return self

    def train(self, mode: bool = True) -> "Module":
        """Set training mode on self and all descendants; return self.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.a = tp.nn.Module()
        >>> m.train(False).a.training
        False
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        """Set evaluation mode (``train(False)``); return self.

        >>> import torchlike_params as tp
        >>> tp.nn.Module().eval().training
        False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Set ``requires_grad`` on every parameter; return self.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(1))
        >>> m.requires_grad_(False).w.requires_grad
        False
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients: a no-op here.

        Note: JAX returns gradients as values (``jax.grad``); no gradient is stored on a
        Parameter, so there is nothing to reset. Kept so that torch training loops run.

        >>> import torchlike_params as tp
        >>> tp.nn.Module().zero_grad() is None
        True
        """
        return None

    # -- dtype / device -------------------------------------------------------------------------
    def _cast_floating(self, dtype: Any) -> "Module":
        for module in self.modules():
            for store in (module._parameters, module._buffers):
                for t in store.values():
                    if t is not None and _dtype.is_floating(t.dtype) and t.dtype != dtype:
                        t._set(t.value.astype(dtype))
        return self

    def float(self) -> "Module":
        """Cast floating-point parameters and buffers to float32 in place; return self.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(2, dtype="float16"))
        >>> m.float().w.dtype
        dtype('float32')
        """
        return self._cast_floating(_dtype.canonical(_dtype.float32))

    def double(self) -> "Module":
        """Cast floating-point parameters and buffers to float64 in place; return self.

        Note: without ``jax_enable_x64`` JAX stores float64 as float32.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(2))
        >>> m.double().w.dtype == tp._dtype.canonical("float64")
        True
        """
        return self._cast_floating(_dtype.canonical(_dtype.float64))

    def half(self) -> "Module":
        """Cast floating-point parameters and buffers to float16 in place; return self.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(2))
        >>> m.half().w.dtype
        dtype('float16')
        """
        return self._cast_floating(_dtype.canonical(_dtype.float16))

    def bfloat16(self) -> "Module":
        """Cast floating-point parameters and buffers to bfloat16 in place; return self.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(2))
        >>> m.bfloat16().w.dtype
        dtype(bfloat16)
        """
        return self._cast_floating(_dtype.canonical(_dtype.bfloat16))

    def cpu(self) -> "Module":
        """Return self (arrays stay where JAX put them).

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.cpu() is m
        True
        """
        return self

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """Cast floating-point parameters and buffers in place: ``to(dtype)``, ``to(device, dtype)``.

        Arguments are parsed as torch parses them (``to(device, dtype, non_blocking)``,
        ``to(dtype, non_blocking)``, ``to(tensor, non_blocking)``), with torch's errors.

        Note: a device (a string such as ``'cpu'`` or ``'cuda:0'``, or a device object) is
        checked and ignored (a string torch cannot parse, such as ``'bogus'``, raises torch's
        RuntimeError); use ``jax.device_put`` on the state to move arrays. A dtype may also be
        given by name (``'float16'``).

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(2))
        >>> m.to("cpu", tp.float16).w.dtype, m.to(tp.float32) is m
        (dtype('float16'), True)
        """
        from .._checks import parse_to
        dtype = parse_to(args, kwargs)
        if dtype is None:
            return self
        dtype = jnp.dtype(dtype)
        if not (jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.complexfloating)):
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got "
                            f"desired dtype={_dtype.torch_name(dtype)}")
        return self._cast_floating(_dtype.canonical(dtype))

    # -- calling and hooks ----------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Run ``hook(module, args)`` before ``forward``; a non-None result replaces ``args``.

        A result that is not a tuple is wrapped in one. With ``with_kwargs=True`` the hook is
        ``hook(module, args, kwargs)`` and may return ``(args, kwargs)``.

        >>> import torchlike_params as tp
        >>> class Id(tp.nn.Module):
        ...     def forward(self, x):
        ...         return x
        >>> m = Id(); h = m.register_forward_pre_hook(lambda mod, args: args[0] + 1)
        >>> m(1), h.remove(), m(1)
        (2, None, 1)
        """
        handle = RemovableHandle(self._forward_pre_hooks, extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Run ``hook(module, args, output)`` after ``forward``; a non-None result replaces the output.

        >>> import torchlike_params as tp
        >>> class Id(tp.nn.Module):
        ...     def forward(self, x):
        ...         return x
        >>> m = Id()
        >>> with m.register_forward_hook(lambda mod, args, out: out * 10):
        ...     m(2)
        20
        >>> m(2)
        2
        """
        handle = RemovableHandle(self._forward_hooks, extra_dict=self._forward_hooks_with_kwargs)
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` (and the hooks) under the "like in, like out" rule of ``_interop.py``.

        A ``forward`` written by the user sees every array argument as a ``Tensor`` (torch's
        methods); the library's own layers see ``jax.Array`` values. The result is made of
        ``Tensor`` values when an argument was a ``Tensor`` (or no argument was an array), of
        ``jax.Array`` values when the arguments were ``jax.Array``/NumPy arrays only.

        >>> import jax.numpy as jnp
        >>> m = tp.nn.Linear(3, 2)
        >>> type(m(jnp.ones((1, 3)))).__name__, type(m(tp.ones(1, 3))).__name__
        ('ArrayImpl', 'Tensor')
        """
        cls = type(self)
        lib = _LIBRARY_FORWARD.get(cls)
        if lib is None:
            lib = _LIBRARY_FORWARD[cls] = (getattr(cls.forward, "__module__", None) or "").startswith(
                "torchlike_params.")
        raw_args, raw_kwargs, has_t, has_raw = unwrap_args(args, kwargs)
        if not (self._forward_hooks or self._forward_pre_hooks):
            if lib:
                result = self.forward(*raw_args, **raw_kwargs)
            else:
                result = self.forward(*to_tensors(args), **(to_tensors(kwargs) if kwargs else kwargs))
        else:
            result = self._call_with_hooks(to_tensors(args), to_tensors(kwargs) if kwargs else kwargs, lib)
        return to_tensors(result) if has_t or not has_raw else to_arrays(result)

    def _call_with_hooks(self, args: tuple, kwargs: dict, lib: bool) -> Any:
        """Hooks are user code: they see ``Tensor`` arguments and outputs whatever the forward is."""
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                res = hook(self, args, kwargs)
                if res is not None:
                    if isinstance(res, tuple) and len(res) == 2:
                        args, kwargs = res
                    else:
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {res}.")
            else:
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        if lib:
            fargs, fkwargs, _, _ = unwrap_args(args, kwargs)
            result = self.forward(*fargs, **fkwargs)
        else:
            result = self.forward(*args, **kwargs)
        if self._forward_hooks:
            result = to_tensors(result)
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                res = hook(self, args, kwargs, result)
            else:
                res = hook(self, args, result)
            if res is not None:
                result = res
        return result

    # -- state_dict -----------------------------------------------------------------------------
    def get_extra_state(self) -> Any:
        """Extra state for ``state_dict`` (key ``'_extra_state'``); override with ``set_extra_state``.

        >>> import torchlike_params as tp
        >>> class Counter(tp.nn.Module):
        ...     def __init__(self):
        ...         super().__init__(); self.n = 3
        ...     def get_extra_state(self):
        ...         return {"n": self.n}
        ...     def set_extra_state(self, state):
        ...         self.n = state["n"]
        >>> dict(Counter().state_dict())
        {'_extra_state': {'n': 3}}
        """
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
            "to report this bug.")

    def set_extra_state(self, state: Any) -> None:
        """Restore what ``get_extra_state`` returned; called by ``load_state_dict``.

        As in torch it runs during the load (after this module's tensors were copied), so it may
        register submodules whose keys are then loaded. If the load fails afterwards, or this
        method raises, everything it changed in the module tree is undone.

        >>> import torchlike_params as tp
        >>> class Counter(tp.nn.Module):
        ...     n = 0
        ...     def get_extra_state(self):
        ...         return self.n
        ...     def set_extra_state(self, state):
        ...         self.n = state
        >>> c = Counter(); _ = c.load_state_dict({"_extra_state": 5}); c.n
        5
        """
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
            "to report this bug.")

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.value
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.value
        if getattr(self.__class__, "get_extra_state", Module.get_extra_state) is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args: Any, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Any]":
        """An OrderedDict of every parameter and persistent buffer, keyed by dotted name.

        Keys follow torch: own parameters, own persistent buffers, ``_extra_state``, then each
        child; shared tensors and modules appear under every name. ``_metadata`` maps each
        module prefix to ``{'version': module._version}``.

        Note: the values are the current ``jax.Array`` s (immutable, so this is a snapshot);
        ``keep_vars=True`` gives the boxes.

        >>> import torchlike_params as tp
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.ones(2)); m.c = tp.nn.Module()
        >>> m.c.register_buffer("b", tp.zeros(1))
        >>> sd = m.state_dict()
        >>> list(sd), type(sd["w"]).__name__, dict(sd._metadata)
        (['w', 'c.b'], 'ArrayImpl', {'': {'version': 1}, 'c': {'version': 1}})
        """
        if len(args) > 0:
            warnings.warn(
                "Positional args are being deprecated, use kwargs instead. Refer to "
                "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict"
                " for details.", FutureWarning, stacklevel=2)
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _queue_write(self, name: str, value: Any) -> None:
        """Queue a write of ``value`` to this module's ``name``; it runs when the load commits.

        The helper for ``_load_from_state_dict`` overrides (see its contract). If ``name`` is a
        registered parameter or buffer and ``value`` is tensor-like (a ``jax.Array``, NumPy
        array, box or torch tensor), the value is copied into the existing box, cast to its
        dtype (the box and its ties stay the same objects); a shape that differs from the
        box's raises ``RuntimeError`` at once (the load then changes nothing). Any other
        ``name``/``value`` is assigned with ``setattr`` (torch's registration rules apply).
        Outside ``load_state_dict`` the write happens immediately.

        >>> import torchlike_params as tp, jax.numpy as jnp
        >>> m = tp.nn.Module(); m.register_buffer("scale", tp.ones(2))
        >>> m._queue_write("scale", jnp.array([2.0, 3.0])); m.scale.tolist()
        [2.0, 3.0]
        """
        box = self._parameters.get(name) if name in self._parameters else self._buffers.get(name)
        if box is not None:
            arr = _to_array(value)
            if arr is not _NO_INPUT:
                if tuple(arr.shape) != tuple(box.shape):
                    raise RuntimeError(f"Expected the value queued for `{name}` to have shape {box.shape}, "
                                       f"got {Size(arr.shape)}")
                if arr.dtype != box.dtype:
                    arr = arr.astype(box.dtype)
                _enqueue(_write_box, (box, arr))
                return
        _enqueue(_set_attr, (self, name, value))

    def _load_from_state_dict(self, state_dict: dict, prefix: str, local_metadata: dict, strict: bool,
                              missing_keys: list, unexpected_keys: list, error_msgs: list) -> None:
        """Check this module's own keys and queue their writes (torch's override point).

        ``state_dict`` holds the keys under ``prefix`` (this module's and its descendants');
        this method handles the module's own parameters, persistent buffers and
        ``_extra_state``; ``load_state_dict`` recurses into the children afterwards.

        **The contract for overrides** (``load_state_dict`` is atomic: a failed load leaves
        the module exactly as it was):

        1. *Check, don't raise, for bad input.* Report problems by appending to
           ``error_msgs`` (torch's wording), ``missing_keys`` or ``unexpected_keys``;
           ``load_state_dict`` raises one ``RuntimeError`` with all of them after the walk.
        2. *Queue writes, never write.* Change parameters, buffers and attributes only with
           ``self._queue_write(name, value)`` (or by calling
           ``super()._load_from_state_dict(...)``, which queues the standard keys). Queued
           writes run after every module's checks passed, in the order queued. Do not call
           in-place methods (``self.weight.copy_(...)``) or assign attributes here directly.
        3. *Rewriting the input is fine*: like torch's BatchNorm, an override may add, rename
           or drop keys in ``state_dict`` before calling ``super()._load_from_state_dict``.

        What if the contract is broken: when a module whose class overrides this method or
        ``set_extra_state`` is reached, the whole module tree is snapshotted (registries,
        attributes and box contents), and the snapshot is restored if the load fails or
        anything raises; so a direct change (or a submodule registered by
        ``set_extra_state``) is undone too. Objects outside the module tree are not restored.

        ``set_extra_state`` is called during the walk, as in torch (after the writes queued so
        far have run, so it sees this module's loaded values), which lets it register
        submodules whose keys are then loaded.

        >>> import torchlike_params as tp, jax.numpy as jnp
        >>> class Scaled(tp.nn.Module):
        ...     def __init__(self):
        ...         super().__init__(); self.register_buffer("scale", tp.ones(2)); self.legacy = False
        ...     def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
        ...                               missing_keys, unexpected_keys, error_msgs):
        ...         old = state_dict.pop(prefix + "gain", None)      # an old checkpoint's name
        ...         if old is not None:
        ...             state_dict[prefix + "scale"] = old           # rewrite the input (3.)
        ...         self._queue_write("legacy", old is not None)     # queue a write (2.)
        ...         super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
        ...                                       missing_keys, unexpected_keys, error_msgs)
        >>> m = Scaled(); m.load_state_dict({"gain": jnp.array([2.0, 4.0])})
        <All keys matched successfully>
        >>> m.scale.tolist(), m.legacy
        ([2.0, 4.0], True)
        """
        assign = local_metadata.get("assign_to_params_buffers", False)
        persistent_buffers = {k: v for k, v in self._buffers.items()
                              if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in itertools.chain(self._parameters.items(), persistent_buffers.items())
                       if v is not None}
        for name, param in local_state.items():
            key = prefix + name
            if key in state_dict:
                raw = state_dict[key]
                arr = _to_array(raw)
                if arr is _NO_INPUT:
                    error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                                      f"or Tensor-like object from checkpoint but received {type(raw)}")
                    continue
                box = raw if isinstance(raw, Tensor) else None
                if param.ndim == 0 and arr.ndim == 1 and arr.shape[0] == 1:
                    arr, box = arr[0], None
                if tuple(arr.shape) != tuple(param.shape):
                    error_msgs.append(f"size mismatch for {key}: copying a param with shape {Size(arr.shape)} "
                                      f"from checkpoint, the shape in current model is {param.shape}.")
                    continue
                try:
                    if assign:
                        if isinstance(param, Parameter):
                            if param.requires_grad and not jnp.issubdtype(arr.dtype, jnp.inexact):
                                raise RuntimeError(     # torch's texts: Parameter(t) / p.requires_grad_()
                                    "only Tensors of floating point dtype can require gradients"
                                    if isinstance(box, Parameter) else
                                    "Only Tensors of floating point and complex dtype can require gradients")
                            new = box if isinstance(box, Parameter) else Parameter._wrap(arr)
                            _enqueue(_assign_param, (self, name, new, param.requires_grad))
                        else:
                            new = box if box is not None else Tensor._wrap(arr)
                            _enqueue(_set_attr, (self, name, new))
                    else:
                        if isinstance(arr, jax.Array) and arr.shape == tuple(param.shape) and arr.dtype == param.dtype:
                            value = arr          # the common case: no broadcast or cast to run
                        else:
                            value = param._broadcast_src(arr).astype(param.dtype)
                        _enqueue(_write_box, (param, value))
                except Exception as ex:     # torch reports a failed copy or assignment per key
                    error_msgs.append(
                        f'While copying the parameter named "{key}", whose dimensions in the model are '
                        f"{param.shape} and whose dimensions in the checkpoint are {Size(arr.shape)}, "
                        f"an exception occurred : {ex.args}.")
            elif strict:
                missing_keys.append(key)
        extra_state_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if getattr(self.__class__, "set_extra_state", Module.set_extra_state) is not Module.set_extra_state:
            if extra_state_key in state_dict:
                txn = _active_load()
                if txn is not None:
                    txn.flush()              # torch copies the tensors before it calls set_extra_state
                self.set_extra_state(state_dict[extra_state_key])
            elif strict:
                missing_keys.append(extra_state_key)
        elif strict and (extra_state_key in state_dict):
            unexpected_keys.append(extra_state_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_state_key:
                    input_name = key[len(prefix):].split(".", 1)
                    if len(input_name) > 1:
                        if input_name[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy ``state_dict`` into this module's parameters and buffers, with torch's checks.

        Values may be ``jax.Array`` s, NumPy arrays, Tensor boxes or torch tensors; each is cast
        to the destination's dtype. Returns ``_IncompatibleKeys(missing_keys, unexpected_keys)``.
        With ``assign=True`` the boxes are replaced (a Parameter keeps its ``requires_grad``).

        Note: loading is atomic. Every check (type, size mismatch, missing and unexpected
        keys) runs before anything is written, so after an error the module holds exactly the
        same boxes and arrays as before; a ``set_extra_state`` or ``_load_from_state_dict``
        override that raises is undone too (see ``_load_from_state_dict``). torch may have
        copied some tensors before it raises.

        Note: tied tensors. With ``strict=True``, a state that names only one of the names of
        a tied tensor (``tp.partition`` keeps one name per tensor, e.g. nanoGPT's
        ``transformer.wte.weight`` for ``lm_head.weight``) loads: the value given for one name
        is the value of every name of the tie (with ``assign=True`` every name gets the same
        new box). torch reports the other names as missing; it still does so here with
        ``strict=False``, and whenever the load has any other error.

        >>> import torchlike_params as tp, numpy as np
        >>> m = tp.nn.Module(); m.w = tp.Parameter(tp.zeros(2))
        >>> m.load_state_dict({"w": np.array([1.0, 2.0])})
        <All keys matched successfully>
        >>> m.w.tolist(), m.load_state_dict({"x": np.ones(2)}, strict=False)
        ([1.0, 2.0], _IncompatibleKeys(missing_keys=['w'], unexpected_keys=['x']))
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys: list[str] = []
        unexpected_keys: list[str] = []
        error_msgs: list[str] = []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata
        txn = _LoadTransaction()

        def load(module: Module, local_state_dict: dict, prefix: str = "") -> None:
            if txn.tree_saved:
                txn.save_module(module, boxes=True)     # registered during this load: no-op if known
            else:
                cls = type(module)
                if (cls._load_from_state_dict is not Module._load_from_state_dict
                        or getattr(cls, "set_extra_state", None) is not Module.set_extra_state):
                    txn.save_tree(self)                 # user code may change things: snapshot first
            local_metadata = dict({} if metadata is None else metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True,
                                         missing_keys, unexpected_keys, error_msgs)
            children = module._modules
            if not children:
                return
            if any("." in name for name in children):     # dotted child names: torch's prefix filter
                groups = {name: {k: v for k, v in local_state_dict.items() if k.startswith(prefix + name + ".")}
                          for name in children}
            else:                                          # one pass over the keys instead of one per child
                groups = {}
                start = len(prefix)
                for k, v in local_state_dict.items():
                    head, dot, _ = k[start:].partition(".")
                    if dot:
                        groups.setdefault(head, {})[k] = v
            for name, child in list(children.items()):
                if child is not None:
                    load(child, groups.get(name, {}), prefix + name + ".")

        stack = _load_stack()
        stack.append(txn)
        try:
            load(self, state_dict)
            if strict and missing_keys and not unexpected_keys and not error_msgs:
                _cover_ties(self, state_dict, missing_keys, assign, txn)
            if strict:
                if unexpected_keys:
                    error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in unexpected_keys)))
                if missing_keys:
                    error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in missing_keys)))
            if error_msgs:
                raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                    self.__class__.__name__, "\n\t".join(error_msgs)))
            txn.flush()
        except BaseException:
            txn.rollback()
            raise
        finally:
            stack.pop()
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # -- repr -----------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """Extra text inside ``ClassName(...)``; '' here, layers override it.

        >>> import torchlike_params as tp
        >>> tp.nn.Module().extra_repr()
        ''
        """
        return ""

    def __repr__(self) -> str:
        extra_lines: list[str] = []
        extra_repr = self.extra_repr()
        if extra_repr:
            extra_lines = extra_repr.split("\n")
        child_lines = ["(" + key + "): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main_str = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main_str += extra_lines[0]
            else:
                main_str += "\n  " + "\n  ".join(lines) + "\n"
        return main_str + ")"
