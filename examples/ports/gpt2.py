"""A nanoGPT-style GPT-2 ported by swapping imports: build, compare with torch, train, generate.

    python examples/ports/gpt2.py                # GPT-2 small (124M: 12 layers, 768 wide, vocab 50304), T=64
    python examples/ports/gpt2.py --small        # 2 layers, 32 wide, vocab 64, T=16: the test size
    python examples/ports/gpt2.py --small --no-flash   # the manual attention path with the tril `bias` buffer

It prints the comparison with torch and the losses, and saves ``gpt2_loss.png`` beside this
script (``--out DIR`` to save it elsewhere).

The model file is ``models/gpt.py``: ``CausalSelfAttention`` (``c_attn`` + ``split``,
``view(...).transpose(1, 2)``, ``F.scaled_dot_product_attention(is_causal=True)`` or the masked
manual path), the tied head ``self.transformer.wte.weight = self.lm_head.weight``,
``_init_weights`` through ``apply`` and the scaled ``c_proj.weight`` init, and ``generate``
(``torch.topk``, masked assignment, ``torch.multinomial``, ``torch.cat``).
Training uses nanoGPT's optimizer settings in optax: AdamW with weight decay on the >= 2-D
parameters only, betas (0.9, 0.95), and gradient clipping at 1.0.
"""

import sys
import jax
import jax.numpy as jnp
import numpy as np
import optax

import _harness as H
import torchlike_params as tp

NAME = "gpt2"


def model_loss(F, out, target):
    logits, loss = out          # the model computes its own cross-entropy when given targets
    return loss


def synthetic_text(rng, n, vocab):
    """A token stream with structure to learn: a few random "words" repeated in random order."""
    words = [rng.integers(0, vocab, rng.integers(3, 7)) for _ in range(12)]
    return np.concatenate([words[i] for i in rng.integers(0, len(words), n)])


def get_batch(data, rng, batch, block):
    ix = rng.integers(0, len(data) - block - 1, batch)
    x = np.stack([data[i:i + block] for i in ix])
    y = np.stack([data[i + 1:i + 1 + block] for i in ix])
    return x, y


def nanogpt_adamw(params, learning_rate, weight_decay=0.1, betas=(0.9, 0.95), grad_clip=1.0):
    """nanoGPT's ``configure_optimizers`` in optax: decay every >= 2-D tensor, no decay for the rest."""
    decay_mask = {n: p.ndim >= 2 for n, p in params.items()}
    return optax.chain(optax.clip_by_global_norm(grad_clip),
                       optax.adamw(learning_rate, b1=betas[0], b2=betas[1], weight_decay=weight_decay,
                                   mask=decay_mask))


def main(small: bool = False, flash: bool = True, steps: int = None, plot: bool = True, out_dir=None,
         seed: int = 0) -> dict:
    H.setup(small)
    if small:
        cfg = dict(block_size=16, vocab_size=64, n_layer=2, n_head=2, n_embd=32, dropout=0.1, bias=True, flash=flash)
        batch, T, steps = 8, 16, steps or 15
    else:
        cfg = dict(block_size=1024, vocab_size=50304, n_layer=12, n_head=12, n_embd=768, dropout=0.1, bias=True,
                   flash=flash)
        batch, T, steps = 4, 64, steps or 10
    ref, ours = H.build_twins("gpt", lambda m: m.GPT(m.GPTConfig(**cfg)), seed)
    res = {"structure": H.compare_structure(ref, ours)}
    H.print_structure(NAME, res["structure"])
    assert ours.transformer.wte.weight is ours.lm_head.weight          # the tie survived construction
    res["num_params"] = (ref.get_num_params(), ours.get_num_params())
    print(f"[{NAME}] get_num_params(): torch {res['num_params'][0]:,}, port {res['num_params'][1]:,}")

    H.copy_weights(ref, ours)
    rng = np.random.default_rng(seed)
    data = synthetic_text(rng, 4000, cfg["vocab_size"])
    x, y = get_batch(data, rng, batch, T)
    res["eval"] = H.compare_step(ref, ours, (x, y), None, model_loss, train=False, f64=not small)
    H.print_step(NAME, "eval", res["eval"])

    # train with dropout on
    params, _ = tp.partition(ours)
    batches = [((xb, yb), None) for xb, yb in (get_batch(data, rng, batch, T) for _ in range(steps))]
    res["losses"] = H.fit(ours, model_loss, batches, nanogpt_adamw(params, 1e-3 if small else 3e-4),
                          jax.random.key(seed))

    # greedy generation (top_k=1 makes multinomial deterministic): the port against torch, same weights
    import torch
    ref.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    ref.eval()
    ours.eval()
    prompt = x[:2]     # a full block: every step crops to block_size, so the eager ops keep one shape
    out_ref = ref.generate(torch.from_numpy(prompt.astype(np.int64)), 8, top_k=1).numpy()
    out_ours = np.asarray(ours.generate(tp.tensor(prompt), 8, top_k=1))
    res["generate_equal"] = bool((out_ref == out_ours).all())
    print(f"[{NAME}] generate(top_k=1), 8 new tokens: identical to torch's: {res['generate_equal']}")
    # model surgery: crop_block_size (a new wpe Parameter, sliced bias buffers), then the same state
    ref.crop_block_size(cfg["block_size"] // 2)
    ours.crop_block_size(cfg["block_size"] // 2)
    H.compare_structure(ref, ours)
    res["crop_diff"] = H.max_abs_diff(dict(ref.state_dict()), dict(ours.state_dict()))
    print(f"[{NAME}] crop_block_size({cfg['block_size'] // 2}): same keys and shapes as torch, max|diff| "
          f"{res['crop_diff']:.1e}")
    if plot:
        H.save_loss_curve(H.png_path(__file__, f"{NAME}{'' if flash else '_noflash'}_loss.png", out_dir),
                          {"torchlike_params": res["losses"]},
                          f"GPT-2 port{' (small)' if small else ''}: AdamW, dropout on")
    return res


if __name__ == "__main__":
    main(small=H.cli_small(), out_dir=H.cli_out_dir(), flash="--no-flash" not in sys.argv[1:])
