"""The LSTM word language model of pytorch/examples ported by swapping imports.

    python examples/ports/word_lm.py            # the example's defaults: 2x200 LSTM, dropout 0.2, batch 20, bptt 35
    python examples/ports/word_lm.py --small    # 2x32 LSTM, tied weights, batch 4, bptt 8: the test size

It prints the comparison with torch and the losses, and saves ``word_lm_loss.png`` beside this
script (``--out DIR`` to save it elsewhere).

The model file is ``models/word_lm.py``: ``RNNModel`` (Embedding, ``nn.LSTM``, Dropout, Linear
decoder, ``init_weights`` with ``uniform_``, ``init_hidden`` with ``weight.new_zeros``) and the
``batchify``/``get_batch``/``repackage_hidden`` helpers of the example's ``main.py``, all run
unchanged on Tensors here. The training loop is the example's: plain SGD with lr 20 (``optax.sgd``)
after ``torch.nn.utils.clip_grad_norm_(..., 0.25)``, the hidden state carried across batches. Here
``clip_grad_norm_`` is the pure function ``grads, norm = clip_grad_norm_(grads, 0.25)``.
The corpus is synthetic (no download): random "sentences" built from a small grammar.
"""

import jax
import numpy as np
import optax

import _harness as H
import torchlike_params as tp

NAME = "word_lm"


def nll(F, out, target):
    log_probs, hidden = out
    return F.nll_loss(log_probs, target)


def synthetic_corpus(rng, n, ntoken):
    """Token ids with learnable structure: each token is usually followed by one of two successors."""
    succ = rng.integers(0, ntoken, (ntoken, 2))
    ids = [0]
    for _ in range(n - 1):
        ids.append(int(succ[ids[-1], rng.integers(0, 2)]) if rng.uniform() < 0.9 else int(rng.integers(0, ntoken)))
    return np.asarray(ids, np.int64)


def main(small: bool = False, epochs: int = None, plot: bool = True, out_dir=None, seed: int = 0) -> dict:
    H.setup(small)
    if small:
        ntoken, emsize, nhid, nlayers, dropout, tied = 50, 32, 32, 2, 0.2, True
        bsz, bptt, n_tokens, epochs = 4, 8, 4 * (8 * 5 + 1), epochs or 3
    else:
        ntoken, emsize, nhid, nlayers, dropout, tied = 10000, 200, 200, 2, 0.2, False
        bsz, bptt, n_tokens, epochs = 20, 35, 20 * (35 * 10 + 1), epochs or 3
    lr, clip = 20.0, 0.25
    ref_mod, ours_mod = H.load_model_file("word_lm", "torch"), H.load_model_file("word_lm", "tp")
    ref, ours = H.build_twins("word_lm", lambda m: m.RNNModel("LSTM", ntoken, emsize, nhid, nlayers, dropout, tied),
                              seed)
    res = {"structure": H.compare_structure(ref, ours)}
    H.print_structure(NAME, res["structure"])

    H.copy_weights(ref, ours)
    rng = np.random.default_rng(seed)
    corpus = synthetic_corpus(rng, n_tokens, ntoken)

    # one batch through both, from the helpers of main.py run by each framework
    import torch
    src_ref = ref_mod.batchify(torch.from_numpy(corpus), bsz)
    data, targets = ref_mod.get_batch(src_ref, 0, bptt)
    hidden = tuple(h.numpy() for h in ref.init_hidden(bsz))
    src = ours_mod.batchify(tp.tensor(corpus), bsz)
    data_o, targets_o = ours_mod.get_batch(src, 0, bptt)
    assert (np.asarray(data_o) == data.numpy()).all() and (np.asarray(targets_o) == targets.numpy()).all()
    assert all((np.asarray(a) == b).all() for a, b in zip(ours.init_hidden(bsz), hidden))
    res["eval"] = H.compare_step(ref, ours, (data.numpy(), hidden), targets.numpy(), nll, train=False,
                                 tensors=True, f64=not small)
    H.print_step(NAME, "eval", res["eval"])

    # clip_grad_norm_: torch's in-place clipping of .grad against the pure function of gradients
    g_ref, g_ours = res["eval"]["grads"]
    params_t = [torch.nn.Parameter(torch.zeros(g.shape)) for g in g_ref.values()]
    for p, g in zip(params_t, g_ref.values()):
        p.grad = torch.from_numpy(np.array(g))
    norm_t = torch.nn.utils.clip_grad_norm_(params_t, clip)
    clipped, norm_o = tp.nn.utils.clip_grad_norm_(g_ours, clip)
    res["clip"] = {"norm": abs(float(norm_t) - float(norm_o)),
                   "grads": H.max_abs_diff([p.grad for p in params_t], [clipped[n] for n in g_ref])}
    print(f"[{NAME}] clip_grad_norm_({clip}): |norm diff| {res['clip']['norm']:.2e}, "
          f"max|clipped grad diff| {res['clip']['grads']:.2e}")

    # the example's train(): SGD with clipping, hidden state carried across batches, dropout on
    ours.train()
    params, frozen = tp.partition(ours)
    vg = H.value_and_grad_fn(ours, nll, train=True)

    opt = optax.sgd(lr)                    # the example's `p.data.add_(p.grad, alpha=-lr)`
    opt_state = opt.init(params)

    @H.jit
    def sgd(params, opt_state, grads):
        grads, _ = tp.nn.utils.clip_grad_norm_(grads, clip)   # torch.nn.utils.clip_grad_norm_(params, clip)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    key = jax.random.key(seed)
    losses = []
    for epoch in range(1, epochs + 1):
        hidden = ours.init_hidden(bsz)
        for batch, i in enumerate(range(0, src.size(0) - 1, bptt)):
            data, targets = ours_mod.get_batch(src, i, bptt)
            # Starting each batch, we detach the hidden state from how it was previously produced.
            hidden = ours_mod.repackage_hidden(hidden)
            key, sub = jax.random.split(key)
            (loss, (out, _)), grads = vg(params, frozen, (data, hidden), targets, sub)
            hidden = out[1]
            params, opt_state = sgd(params, opt_state, grads)
            losses.append(float(loss))
        print(f"  | epoch {epoch:3d} | {batch + 1:3d} batches | lr {lr:02.2f} | loss {losses[-1]:5.2f} | "
              f"ppl {np.exp(losses[-1]):8.2f}")
    H.load_trained(ours, params, frozen)
    res["losses"] = losses
    if plot:
        H.save_loss_curve(H.png_path(__file__, f"{NAME}_loss.png", out_dir), {"torchlike_params": losses},
                          f"LSTM LM port{' (small)' if small else ''}: SGD lr 20, clip 0.25")
    return res


if __name__ == "__main__":
    main(small=H.cli_small(), out_dir=H.cli_out_dir())
