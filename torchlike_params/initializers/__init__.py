"""The pure face of ``torch.nn.init``: ``(key, shape, dtype=float32, **hyperparameters) -> jax.Array``.

Each function computes torch's fans, gains and float64 bounds on a torch-layout shape
(``(out, in, *kernel)``), then samples with ``jax.random``. They are jit-able (shape and
dtype static), run on any JAX device and fit ``jax.nn.initializers``' protocol through
``functools.partial``:

>>> import functools, jax
>>> from torchlike_params import initializers as tinit
>>> init = functools.partial(tinit.kaiming_uniform, a=5 ** 0.5)
>>> init(jax.random.key(0), (4, 3)).shape
(4, 3)

Why a separate namespace: ``torch.nn.init.kaiming_uniform`` (no underscore) is torch's
deprecated in-place alias, and ``torchlike_params.init`` keeps it with torch's FutureWarning.
The pure faces therefore live here, under the same names without the underscore.
"""

from ._pure import (bias_uniform as bias_uniform, constant as constant, dirac as dirac, eye as eye,
                    kaiming_normal as kaiming_normal, kaiming_uniform as kaiming_uniform, normal as normal,
                    ones as ones, orthogonal as orthogonal, sparse as sparse, trunc_normal as trunc_normal,
                    uniform as uniform, xavier_normal as xavier_normal, xavier_uniform as xavier_uniform,
                    zeros as zeros)
from .._fans import (calculate_fan_in_and_fan_out as calculate_fan_in_and_fan_out,
                     calculate_gain as calculate_gain)
