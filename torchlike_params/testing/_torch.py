"""The lazy torch import: torch is loaded only when a comparison needs it, never at import time."""

from __future__ import annotations

from typing import Any

import numpy as np

INSTALL_HINT = ("pip install torch==2.13.0 (CPU wheel: pip install torch==2.13.0 "
                "--index-url https://download.pytorch.org/whl/cpu)")


def import_torch() -> Any:
    """``import torch``, or an ``ImportError`` that says how to install it.

    >>> import_torch().__name__
    'torch'
    """
    try:
        import torch
    except ImportError as e:
        raise ImportError(f"torchlike_params.testing needs PyTorch to run the torch side of a comparison; "
                          f"install it with: {INSTALL_HINT}") from e
    return torch


def is_torch_tensor(x: Any) -> bool:
    """True for a ``torch.Tensor`` (by duck typing: torch is not imported).

    >>> is_torch_tensor(np.zeros(2)), is_torch_tensor(tp.zeros(2)), is_torch_tensor(import_torch().zeros(2))
    (False, False, True)
    """
    return type(x).__module__.split(".")[0] == "torch" and hasattr(x, "detach") and hasattr(x, "numpy")


def torch_to_numpy(t: Any) -> np.ndarray:
    """A NumPy copy of a torch tensor (bfloat16 as float32, which NumPy can hold).

    >>> torch_to_numpy(import_torch().ones(2)).tolist()
    [1.0, 1.0]
    """
    t = t.detach().cpu()
    if str(t.dtype) == "torch.bfloat16":
        t = t.float()
    return t.resolve_conj().resolve_neg().numpy().copy()
