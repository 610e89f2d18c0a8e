"""Specs of the resampling layers: Upsample (and its 2-D aliases), PixelShuffle, PixelUnshuffle."""

from ._spec import Spec, floats

SPECS = [
    Spec("Upsample", (), {"scale_factor": 2}, inputs=floats((2, 3, 5))),
    Spec("Upsample", (), {"size": (7, 5)}, inputs=floats((1, 2, 4, 3))),
    Spec("Upsample", (), {"scale_factor": 1.7, "mode": "linear"}, inputs=floats((2, 3, 5))),
    Spec("Upsample", (), {"size": 9, "mode": "linear", "align_corners": True}, inputs=floats((2, 3, 5))),
    Spec("Upsample", (), {"scale_factor": (2, 1.5), "mode": "bilinear"}, inputs=floats((1, 2, 4, 5))),
    Spec("Upsample", (), {"size": (3, 7), "mode": "bilinear", "align_corners": True}, inputs=floats((1, 2, 5, 4))),
    Spec("Upsample", (), {"scale_factor": 2, "mode": "bicubic"}, inputs=floats((1, 2, 4, 5))),
    Spec("Upsample", (), {"scale_factor": 1.5, "mode": "trilinear", "recompute_scale_factor": True},
         inputs=floats((1, 2, 3, 4, 5))),
    Spec("Upsample", (), {"size": (4, 2, 6), "mode": "trilinear", "align_corners": True},
         inputs=floats((1, 2, 3, 4, 5))),
    Spec("Upsample", (), {"scale_factor": 0.5, "mode": "nearest-exact"}, inputs=floats((1, 2, 6, 7))),
    Spec("Upsample", (), {"size": (2, 3), "mode": "area"}, inputs=floats((1, 2, 6, 7))),
    Spec("UpsamplingNearest2d", (), {"scale_factor": 3}, inputs=floats((1, 2, 3, 2))),
    Spec("UpsamplingBilinear2d", (), {"size": (5, 6)}, inputs=floats((1, 2, 3, 2))),
    Spec("PixelShuffle", (2,), {}, inputs=floats((2, 8, 3, 4))),
    Spec("PixelShuffle", (3,), {}, inputs=floats((9, 2, 2))),
    Spec("PixelUnshuffle", (2,), {}, inputs=floats((2, 3, 4, 6))),
    Spec("PixelUnshuffle", (3,), {}, inputs=floats((1, 6, 6))),
]
