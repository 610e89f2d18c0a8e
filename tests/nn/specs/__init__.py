"""The layer registry: every family file's ``SPECS``, in one list (see ``_spec.py``)."""

import importlib
import pkgutil

from ._spec import Spec, floats  # noqa: F401


def all_specs() -> list:
    """Every ``Spec`` of every family file of this folder."""
    out = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        out.extend(getattr(mod, "SPECS", []))
    return out
