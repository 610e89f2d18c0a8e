"""``torchlike_params.nn``: torch.nn's names, constructors and defaults, with jnp forwards."""

from . import init as init
