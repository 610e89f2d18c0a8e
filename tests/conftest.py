"""Shared fixtures: torch is imported only by tests (the library never needs it)."""

import pytest

torch = pytest.importorskip("torch", reason="the parity tests compare against torch 2.13.0 (pip install -e '.[test]')")
