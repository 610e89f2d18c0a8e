"""Shared test setup. The tests compare against real torch 2.13.0 (CPU); the library never imports it."""

import jax

jax.config.update("jax_default_matmul_precision", "highest")
