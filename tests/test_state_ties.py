"""Two porting traps of issue 6: tied weights through ``partition`` -> optax -> ``load_state_dict(combine(...))``
(nanoGPT's ``lm_head.weight`` tied to ``transformer.wte.weight``), and ``compile_init`` returning its state
in torch's key order after ``jit``, ``eval_shape`` and ``vmap``.
"""

from collections import OrderedDict

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch

import torchlike_params as tp


# -- a nanoGPT-shaped tied model in both frameworks ----------------------------------------------------
def gpt(nn, Parameter, randn, ones, zeros, vocab=11, d=6):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_w = Parameter(ones(d))
            self.fc = nn.Linear(d, d)

    class TinyGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.Module()
            self.transformer.wte = nn.Module()
            self.transformer.wte.weight = Parameter(randn(vocab, d))
            self.transformer.h = nn.ModuleList([Block(), Block()])
            self.register_buffer("pos", zeros(d))
            self.lm_head = nn.Linear(d, vocab, bias=False)
            self.lm_head.weight = self.transformer.wte.weight          # the tie, as nanoGPT writes it
            self.transformer.h[0].ln_w.requires_grad_(False)           # one frozen parameter

        def forward(self, idx):
            x = self.transformer.wte.weight[idx] + self.pos
            for blk in self.transformer.h:
                x = x + tp.nn.functional.relu(blk.fc(x * blk.ln_w))
            return x @ self.lm_head.weight.T

    return TinyGPT()


def tp_gpt():
    return gpt(tp.nn, tp.Parameter, tp.randn, tp.ones, tp.zeros)


def torch_gpt():
    return gpt(torch.nn, torch.nn.Parameter, torch.randn, torch.ones, torch.zeros)


def train(model, steps=3):
    trainable, frozen = tp.partition(model)
    opt = optax.adamw(1e-1)
    opt_state = opt.init(trainable)
    idx = jnp.array([[1, 2, 3], [4, 5, 6]])

    @jax.jit
    def step(p, opt_state):
        def loss(p):
            logits = tp.functional_call(model, tp.combine(p, frozen), (idx,))
            return -jnp.mean(jax.nn.log_softmax(logits)[..., 0])
        value, grads = jax.value_and_grad(loss)(p)
        updates, opt_state = opt.update(grads, opt_state, p)
        return optax.apply_updates(p, updates), opt_state

    for _ in range(steps):
        trainable, opt_state = step(trainable, opt_state)
    return trainable, frozen


def test_partition_keeps_one_name_of_a_tie_like_named_parameters():
    m, t = tp_gpt(), torch_gpt()
    trainable, frozen = tp.partition(m)
    assert list(trainable) == [n for n, p in t.named_parameters() if p.requires_grad]
    assert "transformer.wte.weight" in trainable and "lm_head.weight" not in trainable
    assert "lm_head.weight" in m.state_dict() and "lm_head.weight" in t.state_dict()


@pytest.mark.parametrize("assign", [False, True])
def test_round_trip_through_optax_into_a_tied_model(assign):
    m = tp_gpt()
    before = {k: np.asarray(v) for k, v in m.state_dict().items()}
    trainable, frozen = train(m)
    wte = np.asarray(trainable["transformer.wte.weight"])
    assert not np.array_equal(wte, before["transformer.wte.weight"])        # training changed it
    assert repr(m.load_state_dict(tp.combine(trainable, frozen), assign=assign)) == "<All keys matched successfully>"
    assert m.lm_head.weight is m.transformer.wte.weight                       # still one tensor
    sd = m.state_dict()
    np.testing.assert_array_equal(np.asarray(sd["transformer.wte.weight"]), wte)
    np.testing.assert_array_equal(np.asarray(sd["lm_head.weight"]), wte)
    for k, v in trainable.items():
        np.testing.assert_array_equal(np.asarray(sd[k]), np.asarray(v), err_msg=k)
    # and the loaded model computes what functional_call computed with the trained state
    idx = jnp.array([[0, 1]])
    np.testing.assert_allclose(np.asarray(m(idx)),
                               np.asarray(tp.functional_call(m, tp.combine(trainable, frozen), (idx,))), rtol=1e-6)
    # a second round trip works too
    trainable, frozen = train(m, steps=1)
    m.load_state_dict(tp.combine(trainable, frozen), assign=assign)
    assert m.lm_head.weight is m.transformer.wte.weight


def test_non_strict_and_failing_loads_report_tie_names_as_torch():
    m, t = tp_gpt(), torch_gpt()
    trainable, frozen = tp.partition(m)
    ours = dict(tp.combine(trainable, frozen))
    theirs = {k: torch.from_numpy(np.asarray(v).copy()) for k, v in ours.items()}
    # strict=False: torch reports the other name as missing (the shared tensor is loaded anyway)
    assert repr(m.load_state_dict(ours, strict=False)) == repr(t.load_state_dict(theirs, strict=False))
    assert torch.equal(t.lm_head.weight, t.transformer.wte.weight)
    # any other error: torch's message, tie names included
    for bad in ({"pos": np.ones(3, np.float32)}, {"extra": np.ones(1, np.float32)}, {"drop": None}):
        o, th = dict(ours), dict(theirs)
        for k, v in bad.items():
            if v is None:
                del o["transformer.h.1.fc.bias"], th["transformer.h.1.fc.bias"]
            else:
                o[k], th[k] = v, torch.from_numpy(v)
        msgs = []
        for model, sd in ((t, th), (m, o)):
            with pytest.raises(RuntimeError) as e:
                model.load_state_dict(sd)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]
        assert "lm_head.weight" in msgs[1]


def test_torch_refuses_one_name_of_a_tie_with_strict_true():
    # The documented departure: torch raises here; we load (see Module.load_state_dict's Note).
    t = torch_gpt()
    sd = t.state_dict()
    del sd["lm_head.weight"]
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "lm_head.weight"'):
        t.load_state_dict(sd)
    m = tp_gpt()
    m.load_state_dict({k: v.numpy() for k, v in sd.items()})
    np.testing.assert_array_equal(np.asarray(m.lm_head.weight), sd["transformer.wte.weight"].numpy())


def test_tied_buffers_and_giving_the_other_name():
    m = tp.nn.Module()
    m.a = tp.nn.Module()
    m.b = tp.nn.Module()
    m.a.register_buffer("stats", tp.zeros(2))
    m.b.register_buffer("stats", m.a.stats)
    assert list(m.state_dict()) == ["a.stats", "b.stats"]
    m.load_state_dict({"b.stats": np.array([1.0, 2.0], np.float32)})          # the second name only
    assert m.a.stats.tolist() == [1.0, 2.0] and m.a.stats is m.b.stats
    m.load_state_dict({"b.stats": np.array([3.0, 4.0], np.float32)}, assign=True)
    assert m.a.stats.tolist() == [3.0, 4.0] and m.a.stats is m.b.stats


# -- compile_init keeps torch's order ------------------------------------------------------------------
def unsorted(nn, Parameter, zeros, ones):
    """Names whose torch order is not their sorted order at every level."""
    class Leaf(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = Parameter(ones(2, 3))
            self.bias = Parameter(zeros(2))
            self.register_buffer("running", zeros(2))
            self.register_buffer("alpha", ones(1))

    m = nn.Sequential(OrderedDict([("zeta", Leaf()), ("beta", Leaf()), ("10", Leaf()), ("9", Leaf())]))
    return m


def torch_order():
    t = unsorted(torch.nn, torch.nn.Parameter, torch.zeros, torch.ones)
    return [n for n, _ in t.named_parameters()] + [n for n, _ in t.named_buffers()]


def test_compile_init_keeps_torch_order_under_jit_eval_shape_and_vmap():
    expected = torch_order()
    assert expected != sorted(expected)
    init = tp.compile_init(lambda: unsorted(tp.nn, tp.Parameter, tp.zeros, tp.ones))
    key = jax.random.key(0)
    assert list(init(key)) == expected
    assert list(jax.jit(init)(key)) == expected
    assert list(jax.eval_shape(init, key)) == expected
    batched = jax.vmap(init)(jax.random.split(key, 3))
    assert list(batched) == expected and batched["zeta.weight"].shape == (3, 2, 3)


def test_compile_init_nested_keeps_torch_order():
    t = unsorted(torch.nn, torch.nn.Parameter, torch.zeros, torch.ones)
    init = tp.compile_init(lambda: unsorted(tp.nn, tp.Parameter, tp.zeros, tp.ones), nested=True)
    key = jax.random.key(0)
    for out in (init(key), jax.jit(init)(key), jax.eval_shape(init, key), jax.vmap(init)(jax.random.split(key, 2))):
        assert list(out) == ["params", "buffers"]
        assert list(out["params"]) == [n for n, _ in t.named_children()]
        assert list(out["params"]["zeta"]) == ["weight", "bias"]
        assert list(out["buffers"]["beta"]) == ["running", "alpha"]
    # the nested tree still round-trips to torch's flat order
    assert list(tp.from_nested(jax.jit(init)(key))) == torch_order()
