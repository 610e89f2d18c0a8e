"""``torch.nn.functional`` with torch's signatures, computed with ``jax.numpy``.

Inputs may be Tensor boxes or ``jax.Array``; results follow "like in, like out" (``Tensor``
values when an argument is a ``Tensor``, ``jax.Array`` otherwise). Layouts are torch's:
``(N, C, *spatial)`` activations and ``(out, in/groups, *kernel)`` weights. One file per
family; this door re-exports each file's ``__all__``.

>>> import jax.numpy as jnp, torchlike_params.nn.functional as F
>>> F.relu(jnp.array([-1.0, 2.0])).tolist()
[0.0, 2.0]
"""

from ._activation import *  # noqa: F401,F403
from ._attention import *  # noqa: F401,F403
from ._conv import *  # noqa: F401,F403
from ._distance import *  # noqa: F401,F403
from ._dropout import *  # noqa: F401,F403
from ._linear import *  # noqa: F401,F403
from ._loss import *  # noqa: F401,F403
from ._normalization import *  # noqa: F401,F403
from ._padding import *  # noqa: F401,F403
from ._pooling import *  # noqa: F401,F403
from ._sparse import *  # noqa: F401,F403
from ._vision import *  # noqa: F401,F403


class _Kept:
    """Hides a box from ``like_inputs``' unwrapping (see ``_keep_boxes``)."""

    __slots__ = ("box",)

    def __init__(self, box: object) -> None:
        self.box = box


def _keep_boxes(fn, names: tuple):
    """``like_inputs(fn)``, except that the arguments ``names`` reach ``fn`` as given (boxes stay boxes).

    ``batch_norm``/``instance_norm`` update ``running_mean``/``running_var`` in place when they are
    boxes; unwrapping them first would silently drop the update.
    """
    import functools
    import inspect

    from ..._interop import like_inputs
    sig = inspect.signature(fn)

    def unhide(v):
        return v.box if isinstance(v, _Kept) else v

    inner = like_inputs(lambda *a, **k: fn(*map(unhide, a), **{n: unhide(v) for n, v in k.items()}))

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        for n in names:
            if n in bound.arguments:
                bound.arguments[n] = _Kept(bound.arguments[n])
        return inner(*bound.args, **bound.kwargs)

    wrapper.__wrapped_like_inputs__ = True
    return wrapper


_IN_PLACE_ARGS = {"batch_norm": ("running_mean", "running_var"), "instance_norm": ("running_mean", "running_var")}


def _speak_torch() -> None:
    """Rebind every public function here under "like in, like out" (``_interop.like_inputs``)."""
    from ..._interop import like_inputs
    from . import (_activation, _attention, _conv, _distance, _dropout, _linear, _loss, _normalization,
                   _padding, _pooling, _sparse, _vision)
    for mod in (_activation, _attention, _conv, _distance, _dropout, _linear, _loss, _normalization, _padding,
                _pooling, _sparse, _vision):
        for name in mod.__all__:
            fn = getattr(mod, name)
            if callable(fn) and not isinstance(fn, type):
                wrapped = (_keep_boxes(fn, _IN_PLACE_ARGS[name]) if name in _IN_PLACE_ARGS
                           else like_inputs(fn))
                wrapped.__module__ = __name__          # pickled by reference as F.<name>
                globals()[name] = wrapped


_speak_torch()
