"""``torchlike_params.random``: where randomness enters.

* ``GeneratorProtocol`` (``_protocol.py``): what a generator answers (requests for uniform,
  normal and truncated-normal values and permutations, seeding and state, ``traceable``).
* ``Generator`` (``_keystream.py``): the JAX key-stream implementation, jit- and
  sharding-friendly; eagerly on one CPU device it uses the eager executor (``_eager_cpu.py``).
* ``LazyArray``/``materialize`` (``_lazy.py``): values still being computed, and the rule that
  they are always materialized concretely, never under a trace.
* The default generator and scopes (``_default.py``): ``get_default_generator``,
  ``set_default_generator``, the ``default_generator_scope(gen)`` block, ``key_scope``,
  ``current_generator``, ``manual_seed``, ``initial_seed``, ``seed``.

>>> import torchlike_params as tp
>>> g = tp.random.Generator().manual_seed(0)
>>> tp.nn.init.uniform_(tp.empty(2, 3), generator=g).shape
torch.Size([2, 3])
"""

from ._default import (current_generator as current_generator, default_generator_scope as default_generator_scope,
                       get_default_generator as get_default_generator, initial_seed as initial_seed,
                       key_scope as key_scope, manual_seed as manual_seed, resolve as resolve, seed as seed,
                       set_default_generator as set_default_generator)
from ._keystream import Generator as Generator
from ._lazy import LazyArray as LazyArray, materialize as materialize
from ._protocol import GeneratorProtocol as GeneratorProtocol
from ._exec_cache import stats as cache_stats
from ._trace import tracing as tracing
