"""Specs of the convolutions: Conv1d/2d/3d and ConvTranspose1d/2d/3d."""

from ._spec import Spec, floats

SPECS = [
    Spec("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1}, inputs=floats((2, 4, 9))),
    Spec("Conv1d", (4, 8, 3), {"padding": "same", "padding_mode": "circular", "dilation": 2},
         inputs=floats((2, 4, 10))),
    Spec("Conv1d", (4, 6, 3), {"groups": 2, "bias": False}, inputs=floats((4, 9))),
    Spec("Conv2d", (3, 8, 3), {}, inputs=floats((2, 3, 7, 6))),
    Spec("Conv2d", (4, 8, (3, 5)), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "bias": False},
         inputs=floats((2, 4, 11, 13))),
    Spec("Conv2d", (3, 8, 4), {"padding": "same", "padding_mode": "reflect", "dilation": 2},
         inputs=floats((1, 3, 10, 9))),
    Spec("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "circular"}, inputs=floats((1, 2, 6, 6))),
    Spec("Conv2d", (3, 8, 3), {"padding": "valid", "stride": (1, 2)}, inputs=floats((2, 3, 7, 7))),
    Spec("Conv3d", (2, 4, 3), {"padding": (1, 0, 1), "padding_mode": "replicate"}, inputs=floats((1, 2, 5, 6, 7))),
    Spec("Conv3d", (4, 4, 2), {"groups": 4, "stride": 2}, inputs=floats((4, 6, 6, 6))),
    Spec("ConvTranspose1d", (4, 6, 3), {}, inputs=floats((2, 4, 7))),
    Spec("ConvTranspose1d", (4, 6, 3), {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2},
         inputs=floats((2, 4, 7))),
    Spec("ConvTranspose1d", (3, 2, 4), {"dilation": 2, "bias": False}, inputs=floats((3, 6))),
    Spec("ConvTranspose2d", (4, 8, 3), {"stride": 2, "padding": 1, "output_padding": 1},
         inputs=floats((2, 4, 5, 6))),
    Spec("ConvTranspose2d", (4, 6, (3, 2)), {"stride": (2, 3), "groups": 2, "dilation": (1, 2)},
         inputs=floats((1, 4, 4, 5))),
    Spec("ConvTranspose2d", (2, 4, 3), {"padding": 2, "output_padding": (0, 1), "dilation": 2, "stride": 1},
         inputs=floats((1, 2, 6, 6))),
    Spec("ConvTranspose2d", (3, 3, 1), {"bias": False}, inputs=floats((3, 4, 4))),
    Spec("ConvTranspose3d", (2, 4, 2), {"stride": 2}, inputs=floats((1, 2, 3, 3, 3))),
    Spec("ConvTranspose3d", (4, 4, 3), {"stride": (1, 2, 2), "padding": 1, "output_padding": (0, 1, 1),
                                       "groups": 4}, inputs=floats((1, 4, 3, 4, 4))),
]
