"""The MNIST convnet of pytorch/examples ported by swapping imports: build, compare, train, test.

    python examples/ports/mnist_cnn.py            # 64 training steps of batch 64
    python examples/ports/mnist_cnn.py --small    # 10 steps of batch 16: the test size

It prints the comparison with torch and the losses, and saves ``mnist_cnn_loss.png`` beside this
script (``--out DIR`` to save it elsewhere).

The model file is ``models/mnist.py`` (``Net`` and the example's ``test`` loop). No dataset is
downloaded: the images are synthetic 28x28 "digits" (a fixed random template per class plus
noise), normalized with MNIST's mean and std as the example's transform does. Training uses the
example's optimizer, Adadelta(lr=1.0), with dropout drawing from a JAX key.
"""

import jax
import numpy as np
import optax

import _harness as H
import torchlike_params as tp

NAME = "mnist_cnn"


def nll(F, out, target):
    return F.nll_loss(out, target)


def synthetic_mnist(rng, n, templates):
    labels = rng.integers(0, 10, n)
    images = templates[labels] + 0.3 * rng.standard_normal((n, 1, 28, 28))
    images = (np.clip(images, 0, 1) - 0.1307) / 0.3081             # transforms.Normalize((0.1307,), (0.3081,))
    return images.astype(np.float32), labels


class Loader(list):
    """A list of (data, target) batches with a ``.dataset`` of the right length, as ``test()`` expects."""

    def __init__(self, batches, n):
        super().__init__(batches)
        self.dataset = range(n)


def main(small: bool = False, steps: int = None, plot: bool = True, out_dir=None, seed: int = 0) -> dict:
    H.setup(small)
    batch = 16 if small else 64
    steps = steps or (10 if small else 64)
    ref, ours = H.build_twins("mnist", lambda m: m.Net(), seed)
    res = {"structure": H.compare_structure(ref, ours)}
    H.print_structure(NAME, res["structure"])

    H.copy_weights(ref, ours)
    rng = np.random.default_rng(seed)
    templates = (rng.uniform(size=(10, 1, 28, 28)) > 0.7).astype(np.float64)
    x, y = synthetic_mnist(rng, batch, templates)
    res["eval"] = H.compare_step(ref, ours, (x,), y, nll, train=False, f64=not small)    # dropout off
    H.print_step(NAME, "eval", res["eval"])

    # train: the example's Adadelta; dropout on, one key per step
    batches = [((xb,), yb) for xb, yb in (synthetic_mnist(rng, batch, templates) for _ in range(steps))]
    res["losses"] = H.fit(ours, nll, batches, optax.adadelta(learning_rate=1.0, rho=0.9, eps=1e-6),
                          jax.random.key(seed))

    # the example's test() loop, run eagerly on Tensors by the port and by torch with the port's weights
    import torch
    xt, yt = synthetic_mnist(rng, 2 * batch, templates)
    ours_loader = Loader([(tp.tensor(xt[i:i + batch]), tp.tensor(yt[i:i + batch])) for i in range(0, 2 * batch, batch)],
                         2 * batch)
    ref_loader = Loader([(torch.from_numpy(xt[i:i + batch]), torch.from_numpy(yt[i:i + batch]))
                         for i in range(0, 2 * batch, batch)], 2 * batch)
    ref.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    ours_mod, ref_mod = H.load_model_file("mnist", "tp"), H.load_model_file("mnist", "torch")
    ours_test = ours_mod.test(ours, tp.device("cpu"), ours_loader)
    ref_test = ref_mod.test(ref, torch.device("cpu"), ref_loader)
    res["test"] = {"ours": ours_test, "torch": ref_test, "loss_diff": abs(ours_test[0] - ref_test[0])}
    print(f"[{NAME}] test() after training: port loss {ours_test[0]:.4f} acc {ours_test[1]:.0%}; torch with the "
          f"port's weights: loss {ref_test[0]:.4f} acc {ref_test[1]:.0%}")
    if plot:
        H.save_loss_curve(H.png_path(__file__, f"{NAME}_loss.png", out_dir), {"torchlike_params": res["losses"]},
                          f"MNIST CNN port{' (small)' if small else ''}: Adadelta, dropout on")
    return res


if __name__ == "__main__":
    main(small=H.cli_small(), out_dir=H.cli_out_dir())
