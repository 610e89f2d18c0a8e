"""Doctest namespace: every docstring example may use ``tp``, ``jax``, ``jnp`` and ``np``
(the names its module's examples are written with), as NumPy's own doctests do."""

import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    import jax
    import jax.numpy as jnp
    import numpy as np

    import torchlike_params as tp
    doctest_namespace.update(tp=tp, jax=jax, jnp=jnp, np=np)
