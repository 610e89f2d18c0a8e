"""``torchlike_params.nn``: torch.nn's names, constructors and defaults, with jnp forwards.

One private file per layer family (``_linear.py``, ``_conv.py``, ...), each listing its public
classes in ``__all__``; this door re-exports them.

>>> import torchlike_params as tp
>>> tp.nn.Sequential(tp.nn.Linear(4, 8), tp.nn.ReLU())
Sequential(
  (0): Linear(in_features=4, out_features=8, bias=True)
  (1): ReLU()
)
"""

from . import functional as functional
from . import init as init
from .._parameter import Buffer as Buffer, Parameter as Parameter
from ._module import Module as Module
from ._containers import (ModuleDict as ModuleDict, ModuleList as ModuleList,
                          ParameterDict as ParameterDict, ParameterList as ParameterList,
                          Sequential as Sequential)
from ._activation import *  # noqa: F401,F403
from ._attention import *  # noqa: F401,F403
from ._conv import *  # noqa: F401,F403
from ._dropout import *  # noqa: F401,F403
from ._linear import *  # noqa: F401,F403
from ._loss import *  # noqa: F401,F403
from ._normalization import *  # noqa: F401,F403
from ._padding import *  # noqa: F401,F403
from ._pooling import *  # noqa: F401,F403
from ._rnn import *  # noqa: F401,F403
from ._sparse import *  # noqa: F401,F403
from ._transformer import *  # noqa: F401,F403
from ._upsampling import *  # noqa: F401,F403
from . import parallel as parallel
from . import utils as utils
from .parallel import DataParallel as DataParallel
