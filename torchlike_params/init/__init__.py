"""``torch.nn.init`` for Tensor boxes (also reachable as ``torchlike_params.nn.init``).

Every public function of torch 2.13's ``torch.nn.init`` with torch's signature, checks,
messages and float64 arithmetic; each fills its argument in place and returns it. The
deprecated non-underscore aliases warn FutureWarning as in torch. The pure
``(key, shape, dtype)`` faces are in ``torchlike_params.initializers``.

>>> import torchlike_params as tp
>>> w = tp.empty(3, 5)
>>> tp.nn.init.kaiming_uniform_(w, a=5 ** 0.5) is w
True
"""

from .._fans import (calculate_correct_fan as _calculate_correct_fan,  # noqa: F401 - torch private names
                     calculate_fan_in_and_fan_out as _calculate_fan_in_and_fan_out,
                     calculate_fan_in_and_fan_out as calculate_fan_in_and_fan_out,
                     calculate_gain as calculate_gain)
from ._deprecated import (constant as constant, dirac as dirac, eye as eye, kaiming_normal as kaiming_normal,
                          kaiming_uniform as kaiming_uniform, normal as normal, orthogonal as orthogonal,
                          sparse as sparse, uniform as uniform, xavier_normal as xavier_normal,
                          xavier_uniform as xavier_uniform)
from ._inplace import (constant_ as constant_, dirac_ as dirac_, eye_ as eye_, kaiming_normal_ as kaiming_normal_,
                       kaiming_uniform_ as kaiming_uniform_, normal_ as normal_, ones_ as ones_,
                       orthogonal_ as orthogonal_, sparse_ as sparse_, trunc_normal_ as trunc_normal_,
                       uniform_ as uniform_, xavier_normal_ as xavier_normal_, xavier_uniform_ as xavier_uniform_,
                       zeros_ as zeros_)
