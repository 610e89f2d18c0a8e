"""DCGAN (pytorch/examples style) ported by swapping imports: build, compare with torch, train.

    python examples/ports/dcgan.py            # nz=100, ngf=ndf=64, batch 8 of 3x64x64
    python examples/ports/dcgan.py --small    # nz=16, ngf=ndf=8: the test size

It prints the comparison with torch and the losses, and saves ``dcgan_loss.png`` beside this
script (``--out DIR`` to save it elsewhere).

The model file is ``models/dcgan.py`` (``Generator``, ``Discriminator``, ``weights_init`` applied
with ``model.apply``). The training loop below is the example's loop (D step on real and detached
fake, then G step through the updated D, BCE with real/fake labels, Adam(2e-4, beta1=0.5)) written
as one jitted JAX function. BatchNorm runs in training mode throughout; its running statistics
are threaded through every ``functional_call`` as values, in the order torch updates them.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax

import _harness as H
import torchlike_params as tp
import torchlike_params.nn.functional as F

NAME = "dcgan"


def gan_loss(F, out, target):
    # netD(netG(z)) against "real" labels: the generator's loss, errG
    return F.binary_cross_entropy(out, target)


def build(m, nz, ngf, ndf, nc=3):
    netG = m.Generator(1, nz, ngf, nc)
    netG.apply(m.weights_init)
    netD = m.Discriminator(1, ndf, nc)
    netD.apply(m.weights_init)
    # netD(netG(z)) as one module, so one comparison covers both networks' outputs and gradients
    pipeline = m.nn.Sequential(netG, netD)
    return pipeline


def synthetic_images(rng, n, nc=3, size=64):
    """Smooth colour blobs in [-1, 1] (the range of the generator's tanh), a stand-in for a dataset."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    imgs = []
    for _ in range(n):
        cx, cy, r = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), rng.uniform(0.1, 0.3)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        colour = rng.uniform(-1, 1, (nc, 1, 1))
        imgs.append(np.clip(colour * blob - (1 - blob) * 0.8, -1, 1))
    return np.stack(imgs).astype(np.float32)


def make_train_step(netG, netD, optG, optD, nz):
    """One iteration of the example's loop, as a pure jitted function of (params, buffers, opt states)."""
    real_label, fake_label = 1.0, 0.0

    def call(net, params, buffers, x):
        return tp.functional_call(net, tp.combine(params, buffers), (x,), return_buffers=True)

    @H.jit
    def step(pG, bG, pD, bD, sG, sD, real, key):
        b_size = real.shape[0]
        noise = jax.random.normal(key, (b_size, nz, 1, 1))
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        fake, bG_new = call(netG, pG, bG, noise)

        def errD_fn(pD):
            out_real, bD1 = call(netD, pD, bD, real)
            errD_real = F.binary_cross_entropy(out_real, jnp.full((b_size,), real_label))
            out_fake, bD2 = call(netD, pD, bD1, jax.lax.stop_gradient(fake))     # fake.detach()
            errD_fake = F.binary_cross_entropy(out_fake, jnp.full((b_size,), fake_label))
            return errD_real + errD_fake, (bD2, out_real.mean(), out_fake.mean())

        (errD, (bD, D_x, D_G_z1)), gD = jax.value_and_grad(errD_fn, has_aux=True)(pD)
        updates, sD = optD.update(gD, sD, pD)
        pD = optax.apply_updates(pD, updates)

        # (2) Update G network: maximize log(D(G(z))), through the updated D
        def errG_fn(pG):
            fake, _ = call(netG, pG, bG, noise)                # the same forward as above
            output, bD3 = call(netD, pD, bD, fake)
            return F.binary_cross_entropy(output, jnp.full((b_size,), real_label)), (bD3, output.mean())

        (errG, (bD, D_G_z2)), gG = jax.value_and_grad(errG_fn, has_aux=True)(pG)
        updates, sG = optG.update(gG, sG, pG)
        pG = optax.apply_updates(pG, updates)
        return pG, bG_new, pD, bD, sG, sD, {"errD": errD, "errG": errG, "D_x": D_x, "D_G_z1": D_G_z1,
                                            "D_G_z2": D_G_z2}

    return step


def main(small: bool = False, steps: int = 15, plot: bool = True, out_dir=None, seed: int = 0) -> dict:
    H.setup(small)
    nz, ngf, ndf, batch = (16, 8, 8, 8) if small else (100, 64, 64, 8)
    ref, ours = H.build_twins("dcgan", lambda m: build(m, nz, ngf, ndf), seed)
    res = {"structure": H.compare_structure(ref, ours)}
    H.print_structure(NAME, res["structure"])

    H.copy_weights(ref, ours)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((batch, nz, 1, 1)).astype(np.float32)
    label = np.ones(batch, np.float32)
    res["eval"] = H.compare_step(ref, ours, (z,), label, gan_loss, train=False, f64=not small)
    H.print_step(NAME, "eval", res["eval"])
    res["train"] = H.compare_step(ref, ours, (z,), label, gan_loss, train=True, f64=not small)
    H.print_step(NAME, "train", res["train"])

    # the example's training loop (BatchNorm in train mode)
    netG, netD = ours[0], ours[1]
    netG.train()
    netD.train()
    pG, bG = tp.partition(netG)
    pD, bD = tp.partition(netD)
    optD = optax.adam(2e-4, b1=0.5, b2=0.999)
    optG = optax.adam(2e-4, b1=0.5, b2=0.999)
    sG, sD = optG.init(pG), optD.init(pD)
    step = make_train_step(netG, netD, optG, optD, nz)
    data = synthetic_images(rng, 4 * batch)
    key = jax.random.key(seed)
    history = {"errD": [], "errG": []}
    for i in range(steps):
        key, sub = jax.random.split(key)
        real = jnp.asarray(data[(i % 4) * batch:(i % 4 + 1) * batch])
        pG, bG, pD, bD, sG, sD, stats = step(pG, bG, pD, bD, sG, sD, real, sub)
        for k in history:
            history[k].append(float(stats[k]))
        print(f"  [{i:2d}/{steps}] Loss_D: {stats['errD']:.4f} Loss_G: {stats['errG']:.4f} "
              f"D(x): {stats['D_x']:.4f} D(G(z)): {stats['D_G_z1']:.4f} / {stats['D_G_z2']:.4f}")
    H.load_trained(netG, pG, bG)
    H.load_trained(netD, pD, bD)
    res["losses"] = history["errD"]
    res["history"] = history
    if plot:
        H.save_loss_curve(H.png_path(__file__, f"{NAME}_loss.png", out_dir), {"Loss_D": history["errD"],
                          "Loss_G": history["errG"]}, f"DCGAN port{' (small)' if small else ''}")
    return res


if __name__ == "__main__":
    main(small=H.cli_small(), out_dir=H.cli_out_dir())
