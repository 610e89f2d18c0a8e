"""Specs of the recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their cells."""

from __future__ import annotations

import numpy as np

from ._spec import Spec, floats


def _seq_and_state(x_shape: tuple[int, ...], *state_shapes: tuple[int, ...]):
    """Inputs ``(x, h0)`` or ``(x, (h0, c0))``: standard normal float32."""
    def make(rng: np.random.Generator) -> tuple:
        x = rng.standard_normal(x_shape).astype(np.float32)
        states = tuple(rng.standard_normal(s).astype(np.float32) for s in state_shapes)
        return (x, states[0] if len(states) == 1 else states)
    return make


SPECS = [
    # RNN
    Spec("RNN", (3, 4), inputs=floats((5, 2, 3))),
    Spec("RNN", (3, 4), {"num_layers": 2, "nonlinearity": "relu", "bidirectional": True},
         inputs=_seq_and_state((5, 2, 3), (4, 2, 4)), grad_inputs=(0, 1)),
    Spec("RNN", (3, 4), {"bias": False, "batch_first": True}, inputs=floats((2, 5, 3))),
    Spec("RNN", (3, 4), {"num_layers": 3, "dropout": 0.5}, inputs=floats((4, 2, 3)), random_in_train=True),
    Spec("RNN", (3, 4), {"nonlinearity": "relu"}, inputs=floats((6, 3)), id="RNN(3, 4, relu) unbatched"),
    # LSTM
    Spec("LSTM", (3, 4), inputs=floats((5, 2, 3))),
    Spec("LSTM", (3, 4), {"num_layers": 2}, inputs=_seq_and_state((5, 2, 3), (2, 2, 4), (2, 2, 4)),
         grad_inputs=(0, 1)),
    Spec("LSTM", (3, 4), {"bidirectional": True, "batch_first": True}, inputs=floats((2, 5, 3))),
    Spec("LSTM", (3, 5), {"proj_size": 2, "num_layers": 2, "bidirectional": True},
         inputs=_seq_and_state((4, 2, 3), (4, 2, 2), (4, 2, 5)), grad_inputs=(0, 1)),
    Spec("LSTM", (3, 4), {"bias": False}, inputs=floats((5, 3)), id="LSTM(3, 4, bias=False) unbatched"),
    Spec("LSTM", (3, 4), {"num_layers": 2, "dropout": 0.3}, inputs=floats((5, 2, 3)), random_in_train=True),
    Spec("LSTM", (3, 4), {"proj_size": 3, "batch_first": True},
         inputs=_seq_and_state((5, 3), (1, 3), (1, 4)), grad_inputs=(0, 1), id="LSTM(3, 4, proj_size=3) unbatched hx"),
    # GRU
    Spec("GRU", (3, 4), inputs=floats((5, 2, 3))),
    Spec("GRU", (3, 4), {"num_layers": 2, "bidirectional": True},
         inputs=_seq_and_state((5, 2, 3), (4, 2, 4)), grad_inputs=(0, 1)),
    Spec("GRU", (3, 4), {"batch_first": True, "bias": False}, inputs=floats((2, 5, 3))),
    Spec("GRU", (3, 6), {"num_layers": 3}, inputs=floats((4, 3))),
    Spec("GRU", (3, 4), {"num_layers": 2, "dropout": 0.5, "batch_first": True}, inputs=floats((2, 4, 3)),
         random_in_train=True),
    # cells
    Spec("RNNCell", (3, 4), inputs=floats((2, 3))),
    Spec("RNNCell", (3, 4), {"bias": False, "nonlinearity": "relu"}, inputs=floats((2, 3), (2, 4)),
         grad_inputs=(0, 1)),
    Spec("RNNCell", (3, 4), inputs=floats((3,), (4,)), grad_inputs=(0, 1), id="RNNCell(3, 4) unbatched"),
    Spec("LSTMCell", (3, 4), inputs=floats((2, 3))),
    Spec("LSTMCell", (3, 4), {"bias": False}, inputs=_seq_and_state((2, 3), (2, 4), (2, 4)), grad_inputs=(0, 1)),
    Spec("LSTMCell", (3, 4), inputs=_seq_and_state((3,), (4,), (4,)), grad_inputs=(0, 1),
         id="LSTMCell(3, 4) unbatched"),
    Spec("GRUCell", (3, 4), inputs=floats((2, 3))),
    Spec("GRUCell", (3, 4), {"bias": False}, inputs=floats((2, 3), (2, 4)), grad_inputs=(0, 1)),
    Spec("GRUCell", (3, 4), inputs=floats((3,)), id="GRUCell(3, 4) unbatched"),
]
