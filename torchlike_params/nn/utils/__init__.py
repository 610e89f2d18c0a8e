"""``torch.nn.utils``: gradient clipping as pure functions of gradients, and parameter vectors.

>>> import torchlike_params.nn.utils as U
>>> sorted(n for n in dir(U) if not n.startswith("_"))
['clip_grad_norm_', 'clip_grad_value_', 'clip_grads_with_norm_', 'get_total_norm', 'parameters_to_vector', 'vector_to_parameters']
"""

from ._clip_grad import (clip_grad_norm_ as clip_grad_norm_, clip_grad_value_ as clip_grad_value_,
                         clip_grads_with_norm_ as clip_grads_with_norm_, get_total_norm as get_total_norm)
from ._convert_parameters import (parameters_to_vector as parameters_to_vector,
                                  vector_to_parameters as vector_to_parameters)
