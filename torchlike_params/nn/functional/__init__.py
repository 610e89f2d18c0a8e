"""``torch.nn.functional`` with torch's signatures, computed with ``jax.numpy``.

Inputs may be Tensor boxes or ``jax.Array``; results are ``jax.Array``. Layouts are torch's:
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
