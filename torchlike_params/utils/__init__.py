"""``torch.utils`` as model files use it: ``checkpoint`` (activation checkpointing).

>>> import torchlike_params.utils.checkpoint as cp
>>> cp.checkpoint(lambda x: x + 1, 1, use_reentrant=False)
2
"""

from . import checkpoint as checkpoint
