"""``torchlike_params.nn.init`` is ``torchlike_params.init`` (as ``torch.nn.init``)."""

from ..init import *  # noqa: F401,F403
from ..init import (_calculate_correct_fan, _calculate_fan_in_and_fan_out,  # noqa: F401
                    calculate_fan_in_and_fan_out)
