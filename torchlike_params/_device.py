"""``torch.device``, ``torch.cuda`` and ``torch.backends`` as model files use them.

Placement is JAX's business (``jax.devices()``, ``jax.device_put``, shardings), so these
exist for code that is written against torch: ``device = torch.device("cuda" if
torch.cuda.is_available() else "cpu")`` then ``x.to(device)`` runs unchanged and places
nothing. ``cuda.is_available()`` is False because torch's CUDA runtime is not what JAX uses.
"""

from __future__ import annotations

from typing import Any


class device:
    """torch's device description: a type (``'cpu'``, ``'cuda'``, ...) and an optional index.

    Note: passing it to ``.to()`` or a factory places nothing; JAX decides placement.

    >>> device("cuda:1"), str(device("cpu")), device("cuda", 1) == device("cuda:1")
    (device(type='cuda', index=1), 'cpu', True)
    """

    _TYPES = ("cpu", "cuda", "mps", "xla", "meta", "tpu", "gpu", "xpu", "hip", "ipu", "lazy", "vulkan", "mtia")

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002 - torch's name
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"Expected `type` to be a device string such as 'cpu' or 'cuda:0', got "
                            f"{type.__class__.__name__}")
        name, _, idx = type.partition(":")
        if name not in self._TYPES or (idx and not idx.isdigit()):
            raise RuntimeError(f"Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, "
                               f"maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of "
                               f"device string: {type}")
        if idx:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: "
                                   f"{type}")
            index = int(idx)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type, self.index = name, index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


class cuda:
    """``torch.cuda``: no CUDA runtime behind torch's API here (JAX places arrays itself).

    >>> cuda.is_available(), cuda.device_count()
    (False, 0)
    """

    @staticmethod
    def is_available() -> bool:
        """False: torch's CUDA is not used; JAX finds GPUs itself (``jax.devices('gpu')``).

        >>> cuda.is_available()
        False
        """
        return False

    @staticmethod
    def device_count() -> int:
        """0 (see ``is_available``).

        >>> cuda.device_count()
        0
        """
        return 0

    @staticmethod
    def manual_seed(seed: int) -> None:
        """A no-op: there is no CUDA generator (``torchlike_params.manual_seed`` seeds the default one).

        >>> cuda.manual_seed(0) is None
        True
        """
        return None

    manual_seed_all = manual_seed

    @staticmethod
    def is_bf16_supported(including_emulation: bool = True) -> bool:
        """False, like ``is_available``.

        >>> cuda.is_bf16_supported()
        False
        """
        return False

    @staticmethod
    def synchronize(device: Any = None) -> None:
        """A no-op (use ``jax.block_until_ready`` on arrays).

        >>> cuda.synchronize() is None
        True
        """
        return None

    @staticmethod
    def empty_cache() -> None:
        """A no-op.

        >>> cuda.empty_cache() is None
        True
        """
        return None


class _Flags:
    """A settable namespace of flags that change nothing (``torch.backends.cudnn.benchmark = True``)."""

    def __init__(self, **flags: Any) -> None:
        self.__dict__.update(flags)


class backends:
    """``torch.backends``: ``cudnn`` and ``mps`` flags that can be set and read and change nothing.

    >>> backends.cudnn.deterministic = True; backends.mps.is_available()
    False
    """

    cudnn = _Flags(deterministic=False, benchmark=False, enabled=True, allow_tf32=True,
                   is_available=lambda: False)
    mps = _Flags(is_available=lambda: False, is_built=lambda: False)
    cuda = _Flags(matmul=_Flags(allow_tf32=False), is_built=lambda: False)
