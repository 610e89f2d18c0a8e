"""A Transformer-encoder classifier (PyTorch-tutorial style) ported by swapping imports.

    python examples/ports/transformer_classifier.py            # the tutorial's sizes: d_model 200, 2 heads, 2 layers
    python examples/ports/transformer_classifier.py --small    # d_model 32, 4 heads, 2 layers: the test size

It prints the comparison with torch and the losses, and saves ``transformer_classifier_loss.png`` beside this
script (``--out DIR`` to save it elsewhere).

The model file is ``models/transformer_classifier.py``: ``PositionalEncoding`` (a buffer built
with ``torch.arange``/``torch.exp``/``torch.sin``/``torch.cos`` and strided assignment),
``nn.TransformerEncoder`` of ``nn.TransformerEncoderLayer(batch_first=True)`` with a key padding
mask, masked mean pooling, a Linear head. The task is synthetic: does a sequence (of random
length, padded) contain the "signal" token? Training uses AdamW with dropout on.
"""

import jax
import numpy as np
import optax

import _harness as H

NAME = "transformer_classifier"
SIGNAL = 3


def cross_entropy(F, out, target):
    return F.cross_entropy(out, target)


def synthetic_batch(rng, batch, seq, ntoken):
    lengths = rng.integers(seq // 2, seq + 1, batch)
    src = rng.integers(4, ntoken, (batch, seq))
    labels = rng.integers(0, 2, batch)
    for b in range(batch):
        if labels[b]:
            src[b, rng.integers(0, lengths[b], 2)] = SIGNAL
    pad = np.arange(seq)[None, :] >= lengths[:, None]          # True at padding, as torch expects
    src[pad] = 0
    return src, pad, labels


def main(small: bool = False, steps: int = None, plot: bool = True, out_dir=None, seed: int = 0) -> dict:
    H.setup(small)
    if small:
        ntoken, d_model, nhead, d_hid, nlayers, dropout, max_len = 50, 32, 4, 64, 2, 0.1, 64
        batch, seq, steps = 16, 12, steps or 25
    else:
        ntoken, d_model, nhead, d_hid, nlayers, dropout, max_len = 1000, 200, 2, 200, 2, 0.2, 5000
        batch, seq, steps = 32, 64, steps or 40
    ref, ours = H.build_twins(
        "transformer_classifier",
        lambda m: m.TransformerClassifier(ntoken, d_model, nhead, d_hid, nlayers, 2, dropout, max_len), seed)
    res = {"structure": H.compare_structure(ref, ours)}
    H.print_structure(NAME, res["structure"])
    pe_diff = H.max_abs_diff(ref.pos_encoder.pe, ours.pos_encoder.pe)      # built by torch code on both sides
    print(f"[{NAME}] positional-encoding buffer: max|diff| vs torch {pe_diff:.2e}")
    res["pe"] = pe_diff

    H.copy_weights(ref, ours)
    rng = np.random.default_rng(seed)
    src, pad, y = synthetic_batch(rng, batch, seq, ntoken)
    res["eval"] = H.compare_step(ref, ours, (src, pad), y, cross_entropy, train=False, f64=not small)
    H.print_step(NAME, "eval", res["eval"])

    batches = [((s, p), t) for s, p, t in (synthetic_batch(rng, batch, seq, ntoken) for _ in range(steps))]
    res["losses"] = H.fit(ours, cross_entropy, batches, optax.adamw(1e-3 if small else 3e-4, weight_decay=0.01),
                          jax.random.key(seed))
    if plot:
        H.save_loss_curve(H.png_path(__file__, f"{NAME}_loss.png", out_dir), {"torchlike_params": res["losses"]},
                          f"Transformer classifier port{' (small)' if small else ''}: AdamW, dropout on")
    return res


if __name__ == "__main__":
    main(small=H.cli_small(), out_dir=H.cli_out_dir())
