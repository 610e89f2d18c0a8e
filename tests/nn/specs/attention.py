"""Specs of ``MultiheadAttention`` and the Transformer modules.

``TransformerEncoder``/``TransformerDecoder`` take a layer object, which a ``Spec``'s plain arguments
cannot carry: their specs build with ``num_layers=0`` (and no layer) and ``setup`` installs the
cloned layers and the final norm in both frameworks. Their structure and deep-copy behaviour are
pinned in ``tests/nn/test_rnn_attention.py``.
"""

from __future__ import annotations

import numpy as np

from ._spec import Spec, floats

_CAUSAL5 = np.triu(np.ones((5, 5), bool), 1)                    # True = masked out (MHA convention)
_CAUSAL5_FLOAT = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
_PAD = np.array([[False] * 4, [False, False, True, True]])      # (N=2, S=4)
_PAD5 = np.array([[False] * 5, [False, False, False, True, True]])


def _kpm_float(m: np.ndarray) -> np.ndarray:
    return np.where(m, -1e4, 0.0).astype(np.float32)


def _stack_setup(kind: str, num_layers: int, layer_kwargs: dict, norm: bool = True):
    """``setup`` for TransformerEncoder/Decoder specs: the same seeded layer, deep-copied, in both."""
    def setup(t, m) -> None:
        import copy

        import torch

        import torchlike_params as tp
        torch.manual_seed(0)
        tp.manual_seed(0)
        lt = getattr(torch.nn, f"Transformer{kind}Layer")(**layer_kwargs)
        lm = getattr(tp.nn, f"Transformer{kind}Layer")(**layer_kwargs)
        lm.load_state_dict({k: v.detach().numpy() for k, v in lt.state_dict().items()})
        t.layers = torch.nn.ModuleList([copy.deepcopy(lt) for _ in range(num_layers)])
        m.layers = tp.nn.ModuleList([copy.deepcopy(lm) for _ in range(num_layers)])
        t.num_layers = m.num_layers = num_layers
        if norm:
            t.norm = torch.nn.LayerNorm(layer_kwargs["d_model"])
            m.norm = tp.nn.LayerNorm(layer_kwargs["d_model"])
    return setup


_LAYER = {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.0}

SPECS = [
    # MultiheadAttention: inputs (query, key, value); outputs (attn_output, attn_weights)
    Spec("MultiheadAttention", (8, 2), inputs=floats((3, 2, 8), (4, 2, 8), (4, 2, 8)), grad_inputs=(0, 1, 2)),
    Spec("MultiheadAttention", (8, 2), {"kdim": 3, "vdim": 5}, inputs=floats((3, 2, 8), (4, 2, 3), (4, 2, 5)),
         grad_inputs=(0, 1, 2)),
    Spec("MultiheadAttention", (8, 4), {"add_bias_kv": True, "batch_first": True},
         inputs=floats((2, 3, 8), (2, 4, 8), (2, 4, 8)), forward_kwargs={"key_padding_mask": _PAD},
         grad_inputs=(0, 1, 2)),
    Spec("MultiheadAttention", (8, 2), {"add_zero_attn": True, "bias": False},
         inputs=floats((5, 2, 8), (5, 2, 8), (5, 2, 8)), forward_kwargs={"attn_mask": _CAUSAL5},
         grad_inputs=(0, 1, 2)),
    Spec("MultiheadAttention", (6, 3), {"batch_first": True, "kdim": 4, "vdim": 4, "add_bias_kv": True,
                                        "add_zero_attn": True},
         inputs=floats((2, 3, 6), (2, 4, 4), (2, 4, 4)),
         forward_kwargs={"average_attn_weights": False, "key_padding_mask": _kpm_float(_PAD)}),
    Spec("MultiheadAttention", (8, 2), inputs=floats((5, 8), (5, 8), (5, 8)),
         forward_kwargs={"attn_mask": _CAUSAL5_FLOAT, "need_weights": False, "is_causal": True},
         grad_inputs=(0, 1, 2), id="MultiheadAttention(8, 2) unbatched causal"),
    Spec("MultiheadAttention", (8, 2), {"dropout": 0.5}, inputs=floats((3, 2, 8), (4, 2, 8), (4, 2, 8)),
         random_in_train=True),
    # Transformer layers (dropout=0.0 for value comparisons in train mode)
    Spec("TransformerEncoderLayer", (8, 2, 16, 0.0), inputs=floats((5, 2, 8)),
         forward_kwargs={"src_mask": _CAUSAL5_FLOAT}),
    Spec("TransformerEncoderLayer", (8, 2, 16, 0.0), {"batch_first": True, "norm_first": True,
                                                      "activation": "gelu"},
         inputs=floats((2, 5, 8)), forward_kwargs={"src_key_padding_mask": _PAD5}),
    Spec("TransformerEncoderLayer", (8, 2, 16, 0.0), {"bias": False, "layer_norm_eps": 1e-3},
         inputs=floats((5, 8)), forward_kwargs={"src_mask": _CAUSAL5, "is_causal": True},
         id="TransformerEncoderLayer(8, 2, 16, 0.0, bias=False) unbatched causal"),
    Spec("TransformerEncoderLayer", (8, 2, 16, 0.2), inputs=floats((5, 2, 8)), random_in_train=True),
    Spec("TransformerDecoderLayer", (8, 2, 16, 0.0), inputs=floats((5, 2, 8), (4, 2, 8)), grad_inputs=(0, 1),
         forward_kwargs={"tgt_mask": _CAUSAL5_FLOAT, "tgt_is_causal": True}),
    Spec("TransformerDecoderLayer", (8, 2, 16, 0.0), {"batch_first": True, "norm_first": True},
         inputs=floats((2, 5, 8), (2, 4, 8)), grad_inputs=(0, 1),
         forward_kwargs={"tgt_key_padding_mask": _PAD5, "memory_key_padding_mask": _PAD}),
    Spec("TransformerDecoderLayer", (8, 2, 16, 0.3), {"activation": "gelu"}, inputs=floats((5, 2, 8), (4, 2, 8)),
         random_in_train=True),
    # Stacks: built empty, layers installed by setup (see the module docstring)
    Spec("TransformerEncoder", (None, 0), {"enable_nested_tensor": False}, inputs=floats((5, 2, 8)),
         forward_kwargs={"mask": _CAUSAL5_FLOAT, "src_key_padding_mask": _kpm_float(_PAD5)},
         setup=_stack_setup("Encoder", 2, _LAYER), id="TransformerEncoder(2 x layer(8, 2, 16), norm)"),
    Spec("TransformerEncoder", (None, 0), {"enable_nested_tensor": False, "mask_check": False},
         inputs=floats((2, 5, 8)), setup=_stack_setup("Encoder", 3, {**_LAYER, "batch_first": True}, norm=False),
         id="TransformerEncoder(3 x layer(8, 2, 16, batch_first))"),
    Spec("TransformerDecoder", (None, 0), inputs=floats((5, 2, 8), (4, 2, 8)), grad_inputs=(0, 1),
         forward_kwargs={"tgt_mask": _CAUSAL5_FLOAT}, setup=_stack_setup("Decoder", 2, _LAYER),
         id="TransformerDecoder(2 x layer(8, 2, 16), norm)"),
    # Transformer
    Spec("Transformer", (8, 2, 2, 2, 16, 0.0), inputs=floats((6, 2, 8), (5, 2, 8)), grad_inputs=(0, 1),
         forward_kwargs={"tgt_mask": _CAUSAL5_FLOAT}),
    Spec("Transformer", (8, 2, 1, 1, 16, 0.0), {"batch_first": True, "norm_first": True, "bias": False},
         inputs=floats((2, 6, 8), (2, 5, 8)), grad_inputs=(0, 1),
         forward_kwargs={"src_key_padding_mask": np.zeros((2, 6), bool), "tgt_key_padding_mask": _PAD5,
                         "memory_key_padding_mask": np.array([[False] * 6, [False] * 4 + [True] * 2])}),
    Spec("Transformer", (8, 2, 1, 1, 16, 0.1), inputs=floats((6, 2, 8), (5, 2, 8)), random_in_train=True),
]
