"""ResNet-18 (torchvision style) ported by swapping imports: build, compare with torch, train.

    python examples/ports/resnet18.py            # ResNet-18 at torchvision's widths, 2x3x224x224
    python examples/ports/resnet18.py --small    # narrow (base_planes=8), 4x3x32x32: the test size

It prints the comparison with torch and the losses, and saves ``resnet18_loss.png`` beside this
script (``--out DIR`` to save it elsewhere).

The model file is ``models/resnet.py``; see ``_harness.py`` for the comparison.
"""

import jax
import numpy as np
import optax

import _harness as H

NAME = "resnet18"


def cross_entropy(F, out, target):
    return F.cross_entropy(out, target)


def main(small: bool = False, steps: int = 12, plot: bool = True, out_dir=None, seed: int = 0) -> dict:
    H.setup(small)
    width, hw, batch, classes = (8, 32, 4, 10) if small else (64, 224, 2, 1000)
    ref, ours = H.build_twins("resnet", lambda m: m.resnet18(num_classes=classes, base_planes=width), seed)
    res = {"structure": H.compare_structure(ref, ours)}
    H.print_structure(NAME, res["structure"])

    H.copy_weights(ref, ours)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 3, hw, hw)).astype(np.float32)
    y = rng.integers(0, classes, batch)
    res["eval"] = H.compare_step(ref, ours, (x,), y, cross_entropy, train=False, f64=not small)
    H.print_step(NAME, "eval", res["eval"])
    # train mode: batch statistics, and running statistics updated as torch updates them
    res["train"] = H.compare_step(ref, ours, (x,), y, cross_entropy, train=True, f64=not small)
    H.print_step(NAME, "train", res["train"])

    # a few optax steps on a fixed batch (BatchNorm in train mode, running stats carried as values)
    xs = rng.standard_normal((2 * batch, 3, hw, hw)).astype(np.float32)
    ys = rng.integers(0, classes, 2 * batch)
    batches = [((xs,), ys)] * steps
    res["losses"] = H.fit(ours, cross_entropy, batches, optax.sgd(0.05, momentum=0.9), jax.random.key(seed))
    if plot:
        H.save_loss_curve(H.png_path(__file__, f"{NAME}_loss.png", out_dir), {"torchlike_params": res["losses"]},
                          f"ResNet-18 port{' (small)' if small else ''}: SGD on one batch")
    return res


if __name__ == "__main__":
    main(small=H.cli_small(), out_dir=H.cli_out_dir())
