"""The generator protocol: what any source of randomness must answer. Interfaces only.

A fill never touches ``jax.random`` itself; it asks a generator for values of a shape and
dtype (a *request*). Any object that implements :class:`GeneratorProtocol` can be passed as
``generator=`` to every in-place initializer, ``Tensor.uniform_``/``normal_`` and the
factories, or installed as the default with ``set_default_generator``.

A request may answer with a ``jax.Array`` or with a ``LazyArray`` (``_lazy.py``): a value
still being computed, which boxes store as it is and materialize concretely on first read.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from .._typing import DType, Shape

__all__ = ["GeneratorProtocol"]


@runtime_checkable
class GeneratorProtocol(Protocol):
    """What a generator answers. ``torchlike_params.random.Generator`` (a JAX key stream)
    implements it; so can a test backend or the torch-CPU replay.

    Requests (each advances the generator's state exactly once):

    * ``uniform(shape, dtype, low, high)``: U[low, high);
    * ``normal(shape, dtype, mean, std)``: N(mean, std**2);
    * ``trunc_normal(shape, dtype, mean, std, a, b)``: N(mean, std**2) truncated to [a, b];
    * ``randperms(n, count)``: an integer ``(count, n)`` array of ``count`` permutations of ``range(n)``.

    The first three may return a :class:`~torchlike_params.random.LazyArray`; ``randperms`` returns an array.

    State: ``manual_seed(seed)`` (returns self), ``initial_seed()``, ``get_state()`` (an opaque
    value, meaningful only to the same backend) and ``set_state(state)`` (returns self).

    ``traceable`` says whether the generator may be drawn from while JAX traces: a key stream
    rooted at a traced key may; a concretely seeded one may not (its numbers would be baked
    into the compiled program as constants), and drawing from it under a trace raises.

    >>> import torchlike_params as tp
    >>> isinstance(tp.random.Generator(), GeneratorProtocol)
    True
    """

    traceable: bool

    def uniform(self, shape: Shape, dtype: DType, low: float, high: float) -> Any: ...

    def normal(self, shape: Shape, dtype: DType, mean: float, std: float) -> Any: ...

    def trunc_normal(self, shape: Shape, dtype: DType, mean: float, std: float, a: float, b: float) -> Any: ...

    def randperms(self, n: int, count: int) -> Any: ...

    def manual_seed(self, seed: int) -> Any: ...

    def initial_seed(self) -> int: ...

    def get_state(self) -> Any: ...

    def set_state(self, state: Any) -> Any: ...
