"""``torchlike_params.nn``: torch.nn's names, constructors and defaults, with jnp forwards."""

from . import init as init
from ._activation import GELU as GELU, ReLU as ReLU, Sigmoid as Sigmoid, Tanh as Tanh
from ._conv import Conv1d as Conv1d, Conv2d as Conv2d, Conv3d as Conv3d
from ._linear import Identity as Identity, Linear as Linear
from .._tensor import Buffer as Buffer, Parameter as Parameter
from ._module import Module as Module
from ._containers import (ModuleDict as ModuleDict, ModuleList as ModuleList,
                          ParameterDict as ParameterDict, ParameterList as ParameterList,
                          Sequential as Sequential)
