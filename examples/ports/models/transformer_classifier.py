"""A Transformer-encoder sequence classifier in the style of the PyTorch tutorials.

``PositionalEncoding`` is the tutorial's (built with ``torch.arange``/``torch.exp``/``sin``/``cos``
into a registered buffer), here batch-first; the encoder is ``nn.TransformerEncoder`` of
``nn.TransformerEncoderLayer(batch_first=True)``; the head mean-pools the non-padded positions.

Torch code; only the imports are torchlike_params. The runner
(``examples/ports/transformer_classifier.py``) loads this same source again with ``torch``
imports for the reference twin.
"""

import math

import torchlike_params as torch
from torchlike_params import nn, Tensor


class PositionalEncoding(nn.Module):

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)

        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(1, max_len, d_model)
        pe[0, :, 0::2] = torch.sin(position * div_term)
        pe[0, :, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)

    def forward(self, x: Tensor) -> Tensor:
        """
        Arguments:
            x: Tensor, shape ``[batch_size, seq_len, embedding_dim]``
        """
        x = x + self.pe[:, :x.size(1)]
        return self.dropout(x)


class TransformerClassifier(nn.Module):

    def __init__(self, ntoken: int, d_model: int, nhead: int, d_hid: int, nlayers: int, num_classes: int,
                 dropout: float = 0.5, max_len: int = 5000):
        super().__init__()
        self.model_type = 'Transformer'
        self.embedding = nn.Embedding(ntoken, d_model)
        self.pos_encoder = PositionalEncoding(d_model, dropout, max_len)
        encoder_layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout, batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers, enable_nested_tensor=False)
        self.d_model = d_model
        self.classifier = nn.Linear(d_model, num_classes)

        self.init_weights()

    def init_weights(self) -> None:
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.classifier.bias.data.zero_()
        self.classifier.weight.data.uniform_(-initrange, initrange)

    def forward(self, src: Tensor, src_key_padding_mask: Tensor = None) -> Tensor:
        """
        Arguments:
            src: Tensor, shape ``[batch_size, seq_len]`` of token ids
            src_key_padding_mask: Tensor, shape ``[batch_size, seq_len]``, True at padding

        Returns:
            logits, Tensor of shape ``[batch_size, num_classes]``
        """
        x = self.embedding(src) * math.sqrt(self.d_model)
        x = self.pos_encoder(x)
        x = self.transformer_encoder(x, src_key_padding_mask=src_key_padding_mask)
        if src_key_padding_mask is None:
            pooled = x.mean(dim=1)
        else:
            keep = (~src_key_padding_mask).unsqueeze(-1).type_as(x)   # (B, T, 1): 1 at real tokens
            pooled = (x * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1.0)
        return self.classifier(pooled)
