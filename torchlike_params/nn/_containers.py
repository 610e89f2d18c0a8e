"""torch's containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``, ``ParameterDict``.

Each one registers its members through ``Module``'s registries, so every traversal and
``state_dict`` sees them under torch's names (``'0'``, ``'1'``, ... or the given keys).
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections import abc as container_abcs
from itertools import chain, islice
from typing import Any, Iterable, Iterator, Mapping

from .. import _dtype
from .._parameter import Parameter
from ._module import Module, _addindent, _is_tensor_like, _typename

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _abs_index(idx: Any, size: int) -> int:
    idx = operator.index(idx)
    if not (-size <= idx < size):
        raise IndexError(f"index {idx} is out of range")
    return idx + size if idx < 0 else idx


def _as_parameter(value: Any) -> Any:
    """A tensor that is not a Parameter becomes one; anything else is kept."""
    if _is_tensor_like(value) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


def _param_line(key: Any, p: Any, type_str: str) -> str:
    if _is_tensor_like(p):
        size_str = "x".join(str(s) for s in p.shape)
        kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
        return f"  ({key}): {kind} containing: [{type_str} of size {size_str}]"
    return f"  ({key}): Object of type: {type(p).__name__}"


class Sequential(Module):
    """Modules called in order; ``Sequential(*mods)`` or ``Sequential(OrderedDict)``.

    >>> import torchlike_params as tp
    >>> class AddOne(tp.nn.Module):
    ...     def forward(self, x):
    ...         return x + 1
    >>> s = tp.nn.Sequential(AddOne(), AddOne(), AddOne())
    >>> s(0), len(s), list(s[1:]._modules)
    (3, 3, ['1', '2'])
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def _get_item_by_idx(self, iterator: Iterable, idx: Any) -> Any:
        return next(islice(iterator, _abs_index(idx, len(self)), None))

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        return self._get_item_by_idx(self._modules.values(), idx)

    def __setitem__(self, idx: int, module: Module) -> None:
        key = self._get_item_by_idx(self._modules.keys(), idx)
        setattr(self, key, module)

    def __delitem__(self, idx: Any) -> None:
        if isinstance(idx, slice):
            for key in list(self._modules.keys())[idx]:
                delattr(self, key)
        else:
            delattr(self, self._get_item_by_idx(self._modules.keys(), idx))
        self._modules = OrderedDict(zip((str(i) for i in range(len(self._modules))), self._modules.values()))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]

    def __add__(self, other: Any) -> "Sequential":
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
        ret = Sequential()
        for layer in chain(self, other):
            ret.append(layer)
        return ret

    def __iadd__(self, other: Any) -> "Sequential":
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
        offset = len(self)
        for i, module in enumerate(other):
            self.add_module(str(i + offset), module)
        return self

    def __mul__(self, other: int) -> "Sequential":
        """A new ``Sequential`` holding the layers ``other`` times over (the same module objects).

        >>> import torchlike_params as tp
        >>> a, b = tp.nn.Module(), tp.nn.Module()
        >>> s = tp.nn.Sequential(a, b) * 2
        >>> list(s._modules), s[2] is a, len(2 * tp.nn.Sequential(a))
        (['0', '1', '2', '3'], True, 2)
        """
        if not isinstance(other, int):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(other)}")
        elif other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")
        combined = Sequential()
        offset = 0
        for _ in range(other):
            for module in self:
                combined.add_module(str(offset), module)
                offset += 1
        return combined

    def __rmul__(self, other: int) -> "Sequential":
        return self.__mul__(other)

    def __imul__(self, other: int) -> "Sequential":
        """Repeat the layers ``other`` times in place (keys ``'0'`` ... must be contiguous, as in torch).

        >>> import torchlike_params as tp
        >>> s = tp.nn.Sequential(tp.nn.Module()); s *= 3; list(s._modules)
        ['0', '1', '2']
        """
        if not isinstance(other, int):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(other)}")
        elif other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")
        len_original = len(self)
        offset = len(self)
        for _ in range(other - 1):
            for i in range(len_original):
                self.add_module(str(i + offset), self._modules[str(i)])
            offset += len_original
        return self

    def forward(self, input: Any) -> Any:
        """Feed ``input`` through each module in turn.

        >>> import torchlike_params as tp
        >>> class Double(tp.nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> tp.nn.Sequential(Double(), Double()).forward(3)
        12
        """
        for module in self:
            input = module(input)
        return input

    def append(self, module: Module) -> "Sequential":
        """Add ``module`` at the end under key ``str(len(self))``; return self.

        >>> import torchlike_params as tp
        >>> list(tp.nn.Sequential().append(tp.nn.Module())._modules)
        ['0']
        """
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index: int, module: Module) -> "Sequential":
        """Insert ``module`` at ``index``, shifting later keys up; return self.

        >>> import torchlike_params as tp
        >>> a, b = tp.nn.Module(), tp.nn.Module()
        >>> s = tp.nn.Sequential(a).insert(0, b)
        >>> s[0] is b, s[1] is a
        (True, True)
        """
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self._modules)
        if not (-n <= index <= n):
            raise IndexError(f"Index out of range: {index}")
        if index < 0:
            index += n
        for i in range(n, index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module
        return self

    def extend(self, sequential: Iterable[Module]) -> "Sequential":
        """Append every module of ``sequential``; return self.

        >>> import torchlike_params as tp
        >>> len(tp.nn.Sequential().extend([tp.nn.Module(), tp.nn.Module()]))
        2
        """
        for layer in sequential:
            self.append(layer)
        return self

    def pop(self, key: Any) -> Module:
        """Remove and return the module at ``key`` (keys are renumbered).

        >>> import torchlike_params as tp
        >>> a, b = tp.nn.Module(), tp.nn.Module()
        >>> s = tp.nn.Sequential(a, b)
        >>> s.pop(0) is a, list(s._modules)
        (True, ['0'])
        """
        v = self[key]
        del self[key]
        return v


class ModuleList(Module):
    """A list of modules, registered under ``'0'``, ``'1'``, ...

    >>> import torchlike_params as tp
    >>> ml = tp.nn.ModuleList([tp.nn.Module(), tp.nn.Module()])
    >>> ml
    ModuleList(
      (0-1): 2 x Module()
    )
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self += modules

    def _get_abs_string_index(self, idx: Any) -> str:
        return str(_abs_index(idx, len(self)))

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return self._modules[self._get_abs_string_index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._get_abs_string_index(idx), module)

    def __delitem__(self, idx: Any) -> None:
        if isinstance(idx, slice):
            for k in range(len(self._modules))[idx]:
                delattr(self, str(k))
        else:
            delattr(self, self._get_abs_string_index(idx))
        self._modules = OrderedDict(zip((str(i) for i in range(len(self._modules))), self._modules.values()))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> "ModuleList":
        combined = ModuleList()
        for i, module in enumerate(chain(self, other)):
            combined.add_module(str(i), module)
        return combined

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]

    def __repr__(self) -> str:
        reprs = [repr(item) for item in self]
        if not reprs:
            return self._get_name() + "()"
        blocks: list[list] = []           # [start, end, repr]
        for i, r in enumerate(reprs):
            if blocks and r == blocks[-1][2]:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = []
        for start, end, r in blocks:
            line = f"({start}): {r}" if start == end else f"({start}-{end}): {end - start + 1} x {r}"
            lines.append(_addindent(line, 2))
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before ``index``.

        >>> import torchlike_params as tp
        >>> a, b = tp.nn.Module(), tp.nn.Module()
        >>> ml = tp.nn.ModuleList([a]); ml.insert(0, b); ml[0] is b
        True
        """
        for i in range(len(self._modules), index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module

    def append(self, module: Module) -> "ModuleList":
        """Append ``module``; return self.

        >>> import torchlike_params as tp
        >>> len(tp.nn.ModuleList().append(tp.nn.Module()))
        1
        """
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key: Any) -> Module:
        """Remove and return the module at ``key`` (keys are renumbered).

        >>> import torchlike_params as tp
        >>> ml = tp.nn.ModuleList([tp.nn.Module(), tp.nn.Module()]); _ = ml.pop(-1); len(ml)
        1
        """
        v = self[key]
        del self[key]
        return v

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        """Append every module of ``modules``; return self.

        >>> import torchlike_params as tp
        >>> len(tp.nn.ModuleList().extend([tp.nn.Module()] * 3))
        3
        """
        if not isinstance(modules, container_abcs.Iterable):
            raise TypeError("ModuleList.extend should be called with an iterable, but got "
                            + type(modules).__name__)
        offset = len(self)
        for i, module in enumerate(modules):
            self.add_module(str(offset + i), module)
        return self


class ModuleDict(Module):
    """An ordered dict of modules (insertion order, for any Mapping).

    >>> import torchlike_params as tp
    >>> md = tp.nn.ModuleDict({"b": tp.nn.Module(), "a": tp.nn.Module()})
    >>> list(md), "a" in md
    (['b', 'a'], True)
    """

    def __init__(self, modules: Mapping[str, Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every module.

        >>> import torchlike_params as tp
        >>> md = tp.nn.ModuleDict({"a": tp.nn.Module()}); md.clear(); len(md)
        0
        """
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove and return the module under ``key``.

        >>> import torchlike_params as tp
        >>> md = tp.nn.ModuleDict({"a": tp.nn.Module()}); _ = md.pop("a"); list(md)
        []
        """
        v = self[key]
        del self[key]
        return v

    def keys(self) -> Any:
        """The keys, in order.

        >>> import torchlike_params as tp
        >>> list(tp.nn.ModuleDict({"a": tp.nn.Module()}).keys())
        ['a']
        """
        return self._modules.keys()

    def items(self) -> Any:
        """The ``(key, module)`` pairs, in order.

        >>> import torchlike_params as tp
        >>> [k for k, _ in tp.nn.ModuleDict({"a": tp.nn.Module()}).items()]
        ['a']
        """
        return self._modules.items()

    def values(self) -> Any:
        """The modules, in order.

        >>> import torchlike_params as tp
        >>> len(list(tp.nn.ModuleDict({"a": tp.nn.Module()}).values()))
        1
        """
        return self._modules.values()

    def update(self, modules: Any) -> None:
        """Add (or overwrite) modules from a mapping or an iterable of pairs, keeping their order.

        >>> import torchlike_params as tp
        >>> md = tp.nn.ModuleDict(); md.update([("x", tp.nn.Module()), ("y", tp.nn.Module())]); list(md)
        ['x', 'y']
        """
        if not isinstance(modules, container_abcs.Iterable):
            raise TypeError("ModuleDict.update should be called with an iterable of key/value pairs, "
                            "but got " + type(modules).__name__)
        if isinstance(modules, (OrderedDict, ModuleDict, container_abcs.Mapping)):
            for key, module in modules.items():
                self[key] = module
        else:
            for j, m in enumerate(modules):
                if not isinstance(m, container_abcs.Iterable):
                    raise TypeError("ModuleDict update sequence element #" + str(j)
                                    + " should be Iterable; is" + type(m).__name__)
                if not len(m) == 2:
                    raise ValueError("ModuleDict update sequence element #" + str(j)
                                     + " has length " + str(len(m)) + "; 2 is required")
                self[m[0]] = m[1]


class ParameterList(Module):
    """A list of parameters under ``'0'``, ``'1'``, ...; plain tensors and arrays become Parameters.

    >>> import torchlike_params as tp
    >>> pl = tp.nn.ParameterList([tp.zeros(2, 3), tp.Parameter(tp.ones(4))])
    >>> pl
    ParameterList(
        (0): Parameter containing: [torch.float32 of size 2x3]
        (1): Parameter containing: [torch.float32 of size 4]
    )
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def _get_abs_string_index(self, idx: Any) -> str:
        return str(_abs_index(idx, len(self)))

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            out = self.__class__()
            for i in range(*idx.indices(len(self))):
                out.append(self[i])
            return out
        return getattr(self, self._get_abs_string_index(idx))

    def __setitem__(self, idx: int, param: Any) -> None:
        setattr(self, self._get_abs_string_index(idx), _as_parameter(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return iter(self[i] for i in range(len(self)))

    def __iadd__(self, parameters: Iterable[Any]) -> "ParameterList":
        return self.extend(parameters)

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]

    def append(self, value: Any) -> "ParameterList":
        """Append ``value`` (a tensor becomes a Parameter); return self.

        >>> import torchlike_params as tp
        >>> type(tp.nn.ParameterList().append(tp.zeros(1))[0]).__name__
        'Parameter'
        """
        new_idx = len(self)
        self._size += 1
        self[new_idx] = value
        return self

    def extend(self, values: Iterable[Any]) -> "ParameterList":
        """Append every value of ``values``; return self.

        >>> import torchlike_params as tp
        >>> len(tp.nn.ParameterList().extend([tp.zeros(1), tp.zeros(2)]))
        2
        """
        if not isinstance(values, container_abcs.Iterable) or _is_tensor_like(values):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            + type(values).__name__)
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        """One line per element: ``(0): Parameter containing: [torch.float32 of size 2x3]``.

        >>> import torchlike_params as tp
        >>> tp.nn.ParameterList([tp.zeros(2)]).extra_repr()
        '  (0): Parameter containing: [torch.float32 of size 2]'
        """
        return "\n".join(_param_line(k, p, _dtype.torch_name(p.dtype) if _is_tensor_like(p) else "")
                         for k, p in enumerate(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """An ordered dict of parameters; plain dicts are sorted by key, other inputs keep their order.

    >>> import torchlike_params as tp
    >>> pd = tp.nn.ParameterDict({"b": tp.zeros(2), "a": tp.zeros(2, 2)})
    >>> pd
    ParameterDict(
        (a): Parameter containing: [torch.FloatTensor of size 2x2]
        (b): Parameter containing: [torch.FloatTensor of size 2]
    )
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def _key_to_attr(self, key: Any) -> str:
        if not isinstance(key, str):
            raise TypeError("Index given to ParameterDict cannot be used as a key as it is not a string "
                            f"(type is '{type(key).__name__}'). Open an issue on github if you need "
                            "non-string keys.")
        return key

    def __getitem__(self, key: str) -> Any:
        return getattr(self, self._key_to_attr(key))

    def __setitem__(self, key: str, value: Any) -> None:
        self._keys[key] = None          # torch records the key before validating it
        attr = self._key_to_attr(key)
        setattr(self, attr, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, self._key_to_attr(key))

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same Parameter objects.

        >>> import torchlike_params as tp
        >>> pd = tp.nn.ParameterDict({"a": tp.zeros(1)}); pd.copy()["a"] is pd["a"]
        True
        """
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Return ``self[key]``, first inserting ``default`` if the key is missing.

        >>> import torchlike_params as tp
        >>> tp.nn.ParameterDict().setdefault("a", tp.zeros(2)).shape
        torch.Size([2])
        """
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry.

        >>> import torchlike_params as tp
        >>> pd = tp.nn.ParameterDict({"a": tp.zeros(1)}); pd.clear(); len(pd)
        0
        """
        for k in self._keys.copy():
            del self[k]

    def pop(self, key: str) -> Any:
        """Remove ``key`` and return its value.

        >>> import torchlike_params as tp
        >>> pd = tp.nn.ParameterDict({"a": tp.zeros(1)}); pd.pop("a").shape, len(pd)
        (torch.Size([1]), 0)
        """
        v = self[key]
        del self[key]
        return v

    def popitem(self) -> tuple[str, Any]:
        """Remove and return the last inserted ``(key, value)`` pair.

        >>> import torchlike_params as tp
        >>> pd = tp.nn.ParameterDict({"a": tp.zeros(1), "b": tp.zeros(2)}); pd.popitem()[0]
        'b'
        """
        k, _ = self._keys.popitem()
        self._keys[k] = None
        val = self[k]
        del self[k]
        return k, val

    def get(self, key: str, default: Any = None) -> Any:
        """``self[key]`` if present, else ``default``.

        >>> import torchlike_params as tp
        >>> tp.nn.ParameterDict().get("missing", 3)
        3
        """
        return self[key] if key in self else default

    def fromkeys(self, keys: Iterable[str], default: Any = None) -> "ParameterDict":
        """A new ParameterDict with ``keys``, each set to ``default``.

        >>> import torchlike_params as tp
        >>> list(tp.nn.ParameterDict().fromkeys(["x", "y"], tp.zeros(1)))
        ['x', 'y']
        """
        return ParameterDict((k, default) for k in keys)

    def keys(self) -> Any:
        """The keys, in order.

        >>> import torchlike_params as tp
        >>> list(tp.nn.ParameterDict({"a": tp.zeros(1)}).keys())
        ['a']
        """
        return self._keys.keys()

    def items(self) -> Iterable[tuple[str, Any]]:
        """The ``(key, value)`` pairs, in order.

        >>> import torchlike_params as tp
        >>> [k for k, _ in tp.nn.ParameterDict({"a": tp.zeros(1)}).items()]
        ['a']
        """
        return ((k, self[k]) for k in self._keys)

    def values(self) -> Iterable[Any]:
        """The values, in order.

        >>> import torchlike_params as tp
        >>> [v.shape for v in tp.nn.ParameterDict({"a": tp.zeros(1)}).values()]
        [torch.Size([1])]
        """
        return (self[k] for k in self._keys)

    def update(self, parameters: Any) -> None:
        """Add (or overwrite) entries: a plain Mapping in sorted key order, other inputs in order.

        >>> import torchlike_params as tp
        >>> pd = tp.nn.ParameterDict(); pd.update({"z": tp.zeros(1), "a": tp.zeros(1)}); list(pd)
        ['a', 'z']
        """
        if not isinstance(parameters, container_abcs.Iterable):
            raise TypeError("ParametersDict.update should be called with an iterable of key/value pairs, "
                            "but got " + type(parameters).__name__)
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            for key, parameter in parameters.items():
                self[key] = parameter
        elif isinstance(parameters, container_abcs.Mapping):
            for key, parameter in sorted(parameters.items()):
                self[key] = parameter
        else:
            for j, p in enumerate(parameters):
                if not isinstance(p, container_abcs.Iterable):
                    raise TypeError("ParameterDict update sequence element #" + str(j)
                                    + " should be Iterable; is" + type(p).__name__)
                if not len(p) == 2:
                    raise ValueError("ParameterDict update sequence element #" + str(j)
                                     + " has length " + str(len(p)) + "; 2 is required")
                self[p[0]] = p[1]

    def extra_repr(self) -> str:
        """One line per entry: ``(a): Parameter containing: [torch.FloatTensor of size 2x2]``.

        >>> import torchlike_params as tp
        >>> tp.nn.ParameterDict({"a": tp.zeros(2, 2)}).extra_repr()
        '  (a): Parameter containing: [torch.FloatTensor of size 2x2]'
        """
        return "\n".join(_param_line(k, p, _typename(p)) for k, p in self.items())

    def __call__(self, input: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")

    def __or__(self, other: "ParameterDict") -> "ParameterDict":
        out = self.copy()
        out.update(other)
        return out

    def __ror__(self, other: "ParameterDict") -> "ParameterDict":
        out = other.copy()
        out.update(self)
        return out

    def __ior__(self, other: "ParameterDict") -> "ParameterDict":
        self.update(other)
        return self
