"""Specs of the normalization layers (BatchNorm, InstanceNorm, LayerNorm, RMSNorm, GroupNorm, LRN)."""

from ._spec import Spec, floats

SPECS = [
    # BatchNorm: 2D and 3D inputs for 1d, every constructor switch, 2d and 3d.
    Spec("BatchNorm1d", (3,), inputs=floats((4, 3)), id="BatchNorm1d(3)-NC"),
    Spec("BatchNorm1d", (3,), inputs=floats((4, 3, 5)), id="BatchNorm1d(3)-NCL"),
    Spec("BatchNorm1d", (3,), {"momentum": None}, inputs=floats((4, 3, 2))),
    Spec("BatchNorm1d", (3,), {"affine": False}, inputs=floats((5, 3))),
    Spec("BatchNorm1d", (3,), {"track_running_stats": False}, inputs=floats((4, 3, 2))),
    Spec("BatchNorm1d", (4,), {"affine": False, "track_running_stats": False}, inputs=floats((3, 4))),
    Spec("BatchNorm2d", (3,), inputs=floats((2, 3, 4, 4))),
    Spec("BatchNorm2d", (3,), {"eps": 1e-3, "momentum": 0.3, "bias": False}, inputs=floats((2, 3, 2, 3))),
    Spec("BatchNorm3d", (2,), inputs=floats((2, 2, 3, 3, 3))),
    Spec("BatchNorm3d", (2,), {"momentum": None, "affine": False}, inputs=floats((3, 2, 2, 2, 2))),
    # InstanceNorm: batched and unbatched, affine, running stats.
    Spec("InstanceNorm1d", (3,), inputs=floats((2, 3, 5))),
    Spec("InstanceNorm1d", (3,), {"affine": True}, inputs=floats((3, 5)), id="InstanceNorm1d(3, affine=True)-CL"),
    Spec("InstanceNorm1d", (3,), {"track_running_stats": True}, inputs=floats((2, 3, 5))),
    Spec("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True, "momentum": 0.2},
         inputs=floats((2, 3, 4, 4))),
    Spec("InstanceNorm2d", (2,), {"affine": True, "bias": False}, inputs=floats((2, 3, 3))),
    Spec("InstanceNorm3d", (2,), inputs=floats((2, 2, 3, 3, 3))),
    Spec("InstanceNorm3d", (2,), {"affine": True, "eps": 1e-3}, inputs=floats((2, 2, 2, 3))),
    # LayerNorm
    Spec("LayerNorm", (5,), inputs=floats((2, 5))),
    Spec("LayerNorm", ((3, 4),), {"elementwise_affine": False}, inputs=floats((2, 3, 4))),
    Spec("LayerNorm", ([4],), {"bias": False, "eps": 1e-3}, inputs=floats((2, 3, 4))),
    # RMSNorm
    Spec("RMSNorm", (4,), inputs=floats((2, 3, 4))),
    Spec("RMSNorm", ((3, 4),), {"eps": 1e-6}, inputs=floats((2, 3, 4))),
    Spec("RMSNorm", (4,), {"elementwise_affine": False}, inputs=floats((5, 4))),
    # GroupNorm
    Spec("GroupNorm", (2, 4), inputs=floats((2, 4, 3))),
    Spec("GroupNorm", (1, 4), {"affine": False}, inputs=floats((2, 4, 2, 2))),
    Spec("GroupNorm", (4, 4), {"eps": 1e-3, "bias": False}, inputs=floats((3, 4, 5))),
    # LocalResponseNorm: 3D, 4D and 5D inputs, even and odd sizes.
    Spec("LocalResponseNorm", (2,), inputs=floats((2, 4, 5))),
    Spec("LocalResponseNorm", (3,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}, inputs=floats((2, 5, 3, 3))),
    Spec("LocalResponseNorm", (4,), {"alpha": 0.5}, inputs=floats((1, 6, 2, 2, 2))),
]
