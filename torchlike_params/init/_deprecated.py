"""torch's deprecated non-underscore aliases (``nn.init.normal`` ...), with torch's FutureWarning."""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

from . import _inplace


def _deprecated(meth: Callable[..., Any]) -> Callable[..., Any]:
    new_name = meth.__name__
    old_name = new_name[:-1]

    @functools.wraps(meth)
    def deprecated_init(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
                      FutureWarning, stacklevel=2)
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = f"""Deprecated alias of ``{new_name}`` (warns FutureWarning, as torch does).

    For the pure ``(key, shape, dtype)`` initializer use ``torchlike_params.initializers.{old_name}``.

    >>> import warnings, torchlike_params as tp
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _ = tp.nn.init.{old_name}(tp.empty(3, 4, 3){", 0.5" if old_name == "constant" else ", 0.1" if old_name == "sparse" else ""}) if "{old_name}" not in ("eye", "sparse") else None
    """
    deprecated_init.__name__ = old_name
    deprecated_init.__qualname__ = old_name
    return deprecated_init


uniform = _deprecated(_inplace.uniform_)
normal = _deprecated(_inplace.normal_)
constant = _deprecated(_inplace.constant_)
eye = _deprecated(_inplace.eye_)
dirac = _deprecated(_inplace.dirac_)
xavier_uniform = _deprecated(_inplace.xavier_uniform_)
xavier_normal = _deprecated(_inplace.xavier_normal_)
kaiming_uniform = _deprecated(_inplace.kaiming_uniform_)
kaiming_normal = _deprecated(_inplace.kaiming_normal_)
orthogonal = _deprecated(_inplace.orthogonal_)
sparse = _deprecated(_inplace.sparse_)
