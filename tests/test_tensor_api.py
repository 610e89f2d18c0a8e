"""torch's Tensor API on the values that flow through ``forward``, compared with torch 2.13.

One table of calls ``f(M, x)`` where ``M`` is the ``torch`` module or ``torchlike_params`` and
``x`` a tensor of that framework: values, shapes and dtypes must agree, and so must errors
(type and message). Then the "like in, like out" rule, transforms and the compiled program.
"""

from __future__ import annotations

import math
import random

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import torchlike_params as tp
import torchlike_params.nn as tnn
import torchlike_params.nn.functional as TF

RNG = np.random.default_rng(0)
X234 = RNG.standard_normal((2, 3, 4)).astype(np.float32)
X23 = RNG.standard_normal((2, 3)).astype(np.float32)
I6 = np.arange(6)

# (id, input array, call)
CASES = [
    ("size", X234, lambda M, x: x.size()),
    ("size_dim", X234, lambda M, x: x.size(-1)),
    ("dim", X234, lambda M, x: x.dim()),
    ("numel", X234, lambda M, x: x.numel()),
    ("shape", X234, lambda M, x: tuple(x.shape)),
    ("view", X234, lambda M, x: x.view(6, -1)),
    ("view_tuple", X234, lambda M, x: x.view((4, 6))),
    ("view_flat", X234, lambda M, x: x.view(-1)),
    ("reshape", X234, lambda M, x: x.reshape(-1, 2)),
    ("view_as", X234, lambda M, x: x.view_as(x.reshape(4, 6))),
    ("transpose", X234, lambda M, x: x.transpose(1, 2)),
    ("transpose_neg", X234, lambda M, x: x.transpose(-1, 0)),
    ("permute", X234, lambda M, x: x.permute(2, 0, 1)),
    ("permute_tuple", X234, lambda M, x: x.permute((1, 2, 0))),
    ("t", X23, lambda M, x: x.t()),
    ("T", X23, lambda M, x: x.T),
    ("mT", X234, lambda M, x: x.mT),
    ("contiguous", X234, lambda M, x: x.transpose(0, 1).contiguous()),
    ("flatten", X234, lambda M, x: x.flatten()),
    ("flatten_1", X234, lambda M, x: x.flatten(1)),
    ("flatten_0_1", X234, lambda M, x: x.flatten(0, 1)),
    ("unflatten", X234, lambda M, x: x.unflatten(2, (2, 2))),
    ("squeeze", X234, lambda M, x: x.unsqueeze(1).squeeze()),
    ("squeeze_dim", X234, lambda M, x: x.unsqueeze(1).squeeze(1)),
    ("squeeze_non1", X234, lambda M, x: x.squeeze(0)),
    ("unsqueeze", X234, lambda M, x: x.unsqueeze(-1)),
    ("expand", X23, lambda M, x: x.unsqueeze(0).expand(4, -1, -1)),
    ("expand_as", X23, lambda M, x: x[:, :1].expand_as(x)),
    ("repeat", X23, lambda M, x: x.repeat(2, 1, 3)),
    ("split_int", X234, lambda M, x: x.split(3, dim=2)),
    ("split_list", X234, lambda M, x: x.split([1, 3], dim=-1)),
    ("chunk", X234, lambda M, x: x.chunk(3, dim=2)),
    ("unbind", X234, lambda M, x: x.unbind(1)),
    ("narrow", X234, lambda M, x: x.narrow(2, 1, 2)),
    ("masked_fill", X23, lambda M, x: x.masked_fill(x > 0, float("-inf"))),
    ("masked_fill_tensor_mask", X23, lambda M, x: x.masked_fill(M.ones(2, 3).tril() == 0, 0.0)),
    ("where_method", X23, lambda M, x: x.where(x > 0, M.zeros(2, 3))),
    ("clamp", X23, lambda M, x: x.clamp(-0.5, 0.5)),
    ("clamp_min", X23, lambda M, x: x.clamp(min=0)),
    ("type_as", X23, lambda M, x: x.type_as(M.tensor([1]))),
    ("to_dtype", X23, lambda M, x: x.to(M.float16)),
    ("to_device", X23, lambda M, x: x.to("cpu")),
    ("to_tensor", X23, lambda M, x: x.to(M.tensor([1]))),
    ("float", I6, lambda M, x: x.float()),
    ("half", X23, lambda M, x: x.half()),
    ("long", X23, lambda M, x: (x * 3).long()),
    ("bool", X23, lambda M, x: x.bool()),
    ("detach", X23, lambda M, x: x.detach()),
    ("clone", X23, lambda M, x: x.clone()),
    ("item", X23, lambda M, x: x[0, 0].item()),
    ("tolist", X23, lambda M, x: x.tolist()),
    ("is_cuda", X23, lambda M, x: x.is_cuda),
    ("sum", X234, lambda M, x: x.sum()),
    ("sum_dim", X234, lambda M, x: x.sum(dim=1)),
    ("sum_dims_keep", X234, lambda M, x: x.sum((0, 2), keepdim=True)),
    ("sum_bool", X234, lambda M, x: (x > 0).sum()),
    ("mean", X234, lambda M, x: x.mean(-1, keepdim=True)),
    ("max", X234, lambda M, x: x.max()),
    ("max_dim", X234, lambda M, x: x.max(dim=1)),
    ("max_dim_keep", X234, lambda M, x: x.max(2, keepdim=True)),
    ("max_other", X234, lambda M, x: x.max(x * 0)),
    ("min_dim", X234, lambda M, x: x.min(0)),
    ("argmax", X234, lambda M, x: x.argmax()),
    ("argmax_dim", X234, lambda M, x: x.argmax(dim=-1)),
    ("argmin_keep", X234, lambda M, x: x.argmin(1, keepdim=True)),
    ("std", X234, lambda M, x: x.std()),
    ("std_dim", X234, lambda M, x: x.std(dim=1)),
    ("std_unbiased_false", X234, lambda M, x: x.std(1, unbiased=False)),
    ("var_correction", X234, lambda M, x: x.var(-1, correction=0, keepdim=True)),
    ("norm", X234, lambda M, x: x.norm()),
    ("norm_dim", X234, lambda M, x: x.norm(dim=-1, keepdim=True)),
    ("norm_p1", X234, lambda M, x: x.norm(p=1, dim=1)),
    ("softmax", X234, lambda M, x: x.softmax(-1)),
    ("softmax_kw", X234, lambda M, x: x.softmax(dim=1)),
    ("log_softmax", X234, lambda M, x: x.log_softmax(dim=-1)),
    ("add_op", X23, lambda M, x: x + 1),
    ("radd_op", X23, lambda M, x: 2 - x),
    ("mul_div", X23, lambda M, x: x * x / 3),
    ("pow_op", X23, lambda M, x: x ** 2),
    ("matmul_op", X23, lambda M, x: x @ x.t()),
    ("neg_abs", X23, lambda M, x: abs(-x)),
    ("cmp_ops", X23, lambda M, x: (x > 0) & (x < 1) | (x == 0)),
    ("floordiv", X23, lambda M, x: (x * 10) // 3),
    ("index_bool_mask", X23, lambda M, x: x[x > 0]),
    ("index_none_ellipsis", X234, lambda M, x: x[None, ..., 1]),
    ("index_slices", X234, lambda M, x: x[:, 1:, ::2]),
    ("index_list", X234, lambda M, x: x[[1, 0]]),
    ("index_tensor", X234, lambda M, x: x[M.tensor([1, 1, 0])]),
    ("index_neg", X234, lambda M, x: x[-1, -2]),
    ("iter", X23, lambda M, x: [r.sum() for r in x]),
    ("len", X234, lambda M, x: len(x)),
    ("exp_log", X23, lambda M, x: x.exp().log()),
    ("sqrt_rsqrt", X23, lambda M, x: x.abs().sqrt() + x.abs().add(1).rsqrt()),
    ("sigmoid_tanh", X23, lambda M, x: x.sigmoid() * x.tanh()),
    ("relu", X23, lambda M, x: x.relu()),
    ("add_alpha", X23, lambda M, x: x.add(x, alpha=2)),
    ("div_floor", X23, lambda M, x: x.div(0.3, rounding_mode="floor")),
    ("topk", X234, lambda M, x: x.topk(2, dim=-1)),
    ("sort", X234, lambda M, x: x.sort(dim=1, descending=True)),
    ("argsort", X234, lambda M, x: x.argsort(dim=-1)),
    ("cumsum", X234, lambda M, x: x.cumsum(dim=2)),
    ("gather", X23, lambda M, x: x.gather(1, M.tensor([[0, 2], [1, 1]]))),
    ("index_select", X234, lambda M, x: x.index_select(2, M.tensor([3, 0]))),
    ("tril_triu", X23, lambda M, x: x.tril() - x.triu(1)),
    ("new_zeros", X23, lambda M, x: x.new_zeros(4, 2)),
    ("new_ones", X23, lambda M, x: x.new_ones((3,))),
    ("new_full", X23, lambda M, x: x.new_full((2, 2), 7.0)),
    ("new_tensor", X23, lambda M, x: x.new_tensor([1, 2])),
    ("all_any", X23, lambda M, x: ((x > -10).all(), (x > 10).any())),
    ("logsumexp", X234, lambda M, x: x.logsumexp(-1)),
    ("amax", X234, lambda M, x: x.amax(dim=(0, 1))),
    ("flip", X234, lambda M, x: x.flip(0, 2)),
    ("roll", X234, lambda M, x: x.roll(1, 2)),
    ("eq_method", X23, lambda M, x: x.eq(x).all()),
    ("allclose", X23, lambda M, x: x.allclose(x + 1e-9)),
    ("repeat_interleave", X23, lambda M, x: x.repeat_interleave(2, dim=1)),
    ("prod", X23, lambda M, x: x.prod(1)),
    ("element_size", X23, lambda M, x: x.element_size()),
    ("is_floating_point", X23, lambda M, x: x.is_floating_point()),
    ("masked_fill_", X23, lambda M, x: x.clone().masked_fill_(x < 0, 0.0)),
    ("inplace_chain", X23, lambda M, x: x.clone().mul_(2).add_(1).clamp_(0, 2)),
    ("setitem", X23, lambda M, x: _setitem(x)),
    ("scatter_", X23, lambda M, x: x.clone().scatter_(1, M.tensor([[0], [2]]), M.ones(2, 1))),
    ("index_fill", X23, lambda M, x: x.index_fill(1, M.tensor([0, 2]), -1.0)),
    ("lerp", X23, lambda M, x: x.lerp(M.zeros(2, 3), 0.3)),
    ("lerp_", X23, lambda M, x: x.clone().lerp_(M.ones(2, 3), 0.9)),
    ("nonzero", X23, lambda M, x: (x > 0).nonzero()),
    ("nonzero_tuple", X23, lambda M, x: (x > 0).nonzero(as_tuple=True)),
    ("fill_diagonal_", X23, lambda M, x: x.clone().fill_diagonal_(3.0)),
    ("diag", X23, lambda M, x: (x.diag(), x[0].diag(1))),
    # top-level functions
    ("var_mean", X234, lambda M, x: M.var_mean(x, dim=1)),
    ("std_mean", X234, lambda M, x: M.std_mean(x, 2, keepdim=True)),
    ("LongTensor", X23, lambda M, x: M.LongTensor([1, 2])),
    ("FloatTensor", X23, lambda M, x: M.FloatTensor(2, 3).shape),
    ("diag_fn", X23, lambda M, x: M.diag(x)),
    ("cat", X23, lambda M, x: M.cat([x, x * 2], dim=1)),
    ("cat_neg", X23, lambda M, x: M.cat((x, x), -2)),
    ("concat", X23, lambda M, x: M.concat([x, x])),
    ("stack", X23, lambda M, x: M.stack([x, x], dim=1)),
    ("flatten_fn", X234, lambda M, x: M.flatten(x, 1)),
    ("arange", X23, lambda M, x: M.arange(5)),
    ("arange_float", X23, lambda M, x: M.arange(0, 1, 0.1)),
    ("arange_start_end", X23, lambda M, x: M.arange(2, 11, 3)),
    ("linspace", X23, lambda M, x: M.linspace(-1, 1, 7)),
    ("zeros_like", X23, lambda M, x: M.zeros_like(x)),
    ("ones_like", X23, lambda M, x: M.ones_like(x)),
    ("full_like", X23, lambda M, x: M.full_like(x, 3.5)),
    ("full", X23, lambda M, x: M.full((2, 2), 1.5)),
    ("tril_fn", X23, lambda M, x: M.tril(M.ones(4, 4))),
    ("triu_fn", X23, lambda M, x: M.triu(x, diagonal=1)),
    ("where_fn", X23, lambda M, x: M.where(x > 0, x, M.zeros_like(x))),
    ("where_scalar", X23, lambda M, x: M.where(x > 0, x, 0.0)),
    ("einsum", X234, lambda M, x: M.einsum("bij,bkj->bik", x, x)),
    ("einsum_list", X234, lambda M, x: M.einsum("bij->bj", [x])),
    ("matmul_fn", X234, lambda M, x: M.matmul(x, x.transpose(1, 2))),
    ("bmm", X234, lambda M, x: M.bmm(x, x.transpose(1, 2))),
    ("softmax_fn", X234, lambda M, x: M.softmax(x, dim=-1)),
    ("sigmoid_fn", X23, lambda M, x: M.sigmoid(x)),
    ("tanh_fn", X23, lambda M, x: M.tanh(x)),
    ("exp_fn", X23, lambda M, x: M.exp(x)),
    ("log_fn", X23, lambda M, x: M.log(x.abs())),
    ("sqrt_fn", X23, lambda M, x: M.sqrt(x.abs())),
    ("rsqrt_fn", X23, lambda M, x: M.rsqrt(x.abs() + 1)),
    ("clamp_fn", X23, lambda M, x: M.clamp(x, min=-0.1)),
    ("split_fn", X234, lambda M, x: M.split(x, 2, dim=-1)),
    ("chunk_fn", X234, lambda M, x: M.chunk(x, 2, dim=-1)),
    ("outer", X23, lambda M, x: M.outer(x[0], x[1])),
    ("topk_fn", X234, lambda M, x: M.topk(x, 3)),
    ("max_fn_dim", X234, lambda M, x: M.max(x, dim=1)),
    ("sum_fn", X234, lambda M, x: M.sum(x, dim=(1, 2))),
    ("mean_fn", X234, lambda M, x: M.mean(x, 0)),
    ("transpose_fn", X234, lambda M, x: M.transpose(x, 0, 2)),
    ("permute_fn", X234, lambda M, x: M.permute(x, (2, 1, 0))),
    ("unsqueeze_fn", X23, lambda M, x: M.unsqueeze(x, 0)),
    ("squeeze_fn", X23, lambda M, x: M.squeeze(x.unsqueeze(0))),
    ("maximum", X23, lambda M, x: M.maximum(x, x * 0)),
    ("eye", X23, lambda M, x: M.eye(3, 2)),
    ("numel_fn", X234, lambda M, x: M.numel(x)),
    ("is_tensor", X23, lambda M, x: (M.is_tensor(x), M.is_tensor(1.0))),
    ("from_numpy", X23, lambda M, x: M.from_numpy(np.arange(4.0, dtype=np.float32))),
    ("finfo", X23, lambda M, x: (float(M.finfo(M.float32).min), float(M.finfo(M.float16).eps))),
    ("iinfo", X23, lambda M, x: int(M.iinfo(M.int32).max)),
    ("dtype_eq", X23, lambda M, x: (x.dtype == M.float32, x.long().dtype == M.float32)),
    ("device", X23, lambda M, x: str(M.device("cpu"))),
    ("cuda_available", X23, lambda M, x: M.cuda.is_available()),
    ("meshgrid", X23, lambda M, x: M.meshgrid(M.arange(2), M.arange(3), indexing="ij")),
    ("cdist", X23, lambda M, x: M.cdist(x, x)),
    ("hstack", X23, lambda M, x: M.hstack([x, x])),
    ("all_fn", X23, lambda M, x: M.all(x > -5)),
    ("argmax_fn", X23, lambda M, x: M.argmax(x, dim=1)),
    ("no_grad", X23, lambda M, x: _under(M.no_grad(), lambda: x * 2)),
    ("inference_mode", X23, lambda M, x: _under(M.inference_mode(), lambda: x + 1)),
    ("F_on_tensor", X234, lambda M, x: M.nn.functional.gelu(M.nn.functional.layer_norm(x, (4,)))),
]

ERROR_CASES = [
    ("view_bad", X234, lambda M, x: x.view(5, -1)),
    ("view_two_infer", X234, lambda M, x: x.view(-1, -1)),
    ("transpose_range", X234, lambda M, x: x.transpose(0, 3)),
    ("permute_len", X234, lambda M, x: x.permute(0, 1)),
    ("unsqueeze_range", X23, lambda M, x: x.unsqueeze(4)),
    ("sum_dim_range", X23, lambda M, x: x.sum(dim=2)),
    ("softmax_dim_range", X23, lambda M, x: x.softmax(-3)),
    ("expand_bad", X23, lambda M, x: x.expand(2, 5)),
    ("flatten_order", X234, lambda M, x: x.flatten(2, 1)),
    ("split_sizes", X234, lambda M, x: x.split([1, 2], dim=2)),
    ("narrow_bad", X234, lambda M, x: x.narrow(2, 3, 2)),
    ("item_many", X23, lambda M, x: x.item()),
    ("index_range", X23, lambda M, x: x[2]),
    ("index_range_dim1", X23, lambda M, x: x[0, 3]),
    ("t_3d", X234, lambda M, x: x.t()),
    ("mm_shapes", X23, lambda M, x: x.mm(x)),
    ("matmul_shapes", X23, lambda M, x: x @ x),
    ("cat_dims", X23, lambda M, x: M.cat([x, x[0]])),
    ("cat_sizes", X23, lambda M, x: M.cat([x, x[:, :2]], dim=0)),
    ("stack_sizes", X23, lambda M, x: M.stack([x, x[:, :2]])),
    ("cat_empty", X23, lambda M, x: M.cat([])),
    ("arange_zero_step", X23, lambda M, x: M.arange(0, 5, 0)),
    ("arange_sign", X23, lambda M, x: M.arange(5, 0, 1)),
    ("masked_fill_nonbool", X23, lambda M, x: x.masked_fill(x, 0.0)),
    ("masked_fill_int_mask", X23, lambda M, x: x.masked_fill(x.int(), 0.0)),
    ("mean_int", X23, lambda M, x: M.tensor([1, 2], dtype=M.int32).mean()),
    ("topk_k", X23, lambda M, x: x.topk(5)),
    ("chunk_zero", X23, lambda M, x: x.chunk(0)),
    ("where_nonbool", X23, lambda M, x: M.where(x.int(), x, x)),
    ("multinomial_neg", X23, lambda M, x: M.multinomial(M.tensor([0.5, -0.1]), 1)),
    ("multinomial_too_many", X23, lambda M, x: M.multinomial(M.tensor([0.5, 0.5]), 3)),
    ("linspace_neg", X23, lambda M, x: M.linspace(0, 1, -1)),
    ("randperm_neg", X23, lambda M, x: M.randperm(-1)),
    ("clamp_none", X23, lambda M, x: x.clamp()),
    ("div_mode", X23, lambda M, x: x.div(2, rounding_mode="bad")),
]


def _setitem(x):
    y = x.clone()
    y[0, 1] = 5.0
    y[:, 0] = 0.0
    return y


def _under(ctx, fn):
    with ctx:
        return fn()


def _to_np(v):
    if isinstance(v, torch.Tensor):
        return v.detach().numpy()
    if isinstance(v, tp.Tensor):
        return np.asarray(v)
    return v


def _check_same(ours, theirs, path="out"):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tp.Tensor), f"{path}: expected a tp.Tensor, got {type(ours).__name__}"
        a, b = np.asarray(ours), theirs.detach().numpy()
        assert a.shape == b.shape, f"{path}: shape {a.shape} != torch's {b.shape}"
        want = tp._dtype.canonical(str(b.dtype))
        assert a.dtype == want, f"{path}: dtype {a.dtype} != torch's {b.dtype}"
        np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64), rtol=2e-6, atol=2e-6, err_msg=path)
    elif isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{path}: {ours!r} vs {theirs!r}"
        if hasattr(theirs, "_fields"):
            assert tuple(ours._fields) == tuple(theirs._fields), path
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _check_same(a, b, f"{path}[{i}]")
    elif isinstance(theirs, torch.Size):
        assert tuple(ours) == tuple(theirs) and type(ours).__name__ == "Size", path
    elif isinstance(theirs, float):
        assert isinstance(ours, float) and math.isclose(ours, theirs, rel_tol=1e-6, abs_tol=1e-6), path
    else:
        assert type(ours) is type(theirs) and ours == theirs, f"{path}: {ours!r} vs torch's {theirs!r}"


@pytest.mark.parametrize("name,x,call", CASES, ids=[c[0] for c in CASES])
def test_method_matches_torch(name, x, call):
    theirs = call(torch, torch.from_numpy(x.copy()))
    ours = call(tp, tp.tensor(x))
    _check_same(ours, theirs)


@pytest.mark.parametrize("name,x,call", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_matches_torch(name, x, call):
    with pytest.raises(Exception) as theirs:
        call(torch, torch.from_numpy(x.copy()))
    with pytest.raises(Exception) as ours:
        call(tp, tp.tensor(x))
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_every_case_returns_tensors_for_jax_inputs_too():
    """The same calls on a jax.Array input to a top-level function give jax.Arrays (like in, like out)."""
    x = jnp.asarray(X234)
    for fn in (lambda v: tp.flatten(v, 1), lambda v: tp.cat([v, v]), lambda v: tp.transpose(v, 0, 1),
               lambda v: tp.softmax(v, dim=-1), lambda v: TF.relu(v), lambda v: tp.where(v > 0, v, 0.0),
               lambda v: tp.einsum("bij->bj", v), lambda v: tp.split(v, 2, dim=-1)[0]):
        assert isinstance(fn(x), jax.Array)
        assert isinstance(fn(tp.tensor(X234)), tp.Tensor)


class TorchStyle(tnn.Module):
    """Forward code as torch users write it."""

    def __init__(self):
        super().__init__()
        self.proj = tnn.Linear(4, 12)
        self.register_buffer("mask", tp.tril(tp.ones(3, 3)).view(1, 1, 3, 3))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.proj(x).split(C, dim=2)
        q = q.view(B, T, 2, C // 2).transpose(1, 2)
        k = k.view(B, T, 2, C // 2).transpose(1, 2)
        v = v.view(B, T, 2, C // 2).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        att = tp.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return y.max(dim=-1).values + y.mean(-1)


def _torch_style_reference(params, x):
    """The same computation in plain jnp."""
    w, b = params["proj.weight"], params["proj.bias"]
    B, T, C = x.shape
    qkv = x @ w.T + b
    q, k, v = (a.reshape(B, T, 2, C // 2).transpose(0, 2, 1, 3) for a in jnp.split(qkv, 3, axis=2))
    att = (q @ jnp.swapaxes(k, -2, -1)) * (1.0 / math.sqrt(C // 2))
    mask = params["mask"]
    att = jnp.where(mask[:, :, :T, :T] == 0, -jnp.inf, att)
    att = jax.nn.softmax(att, axis=-1)
    y = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
    return jnp.max(y, axis=-1) + jnp.mean(y, axis=-1)


def test_torch_style_forward_under_transforms_in_random_order():
    """Fresh modules, eager and traced calls mixed: jit, grad and vmap see plain tracers."""
    x = jnp.asarray(RNG.standard_normal((2, 3, 4)).astype(np.float32))
    order = ["eager", "jit", "grad", "vmap", "functional_jit", "tensor_in"]
    random.Random(7).shuffle(order)
    tp.manual_seed(0)
    m = TorchStyle()
    params = {k: jnp.asarray(v) for k, v in m.state_dict().items()}
    want = _torch_style_reference(params, x)
    for step in order:
        if step == "eager":
            out = m(x)
            assert isinstance(out, jax.Array)
        elif step == "jit":
            out = jax.jit(lambda v: m(v))(x)
        elif step == "grad":
            g = jax.grad(lambda v: m(v).sum())(x)
            gref = jax.grad(lambda v: _torch_style_reference(params, v).sum())(x)
            np.testing.assert_allclose(g, gref, rtol=1e-5, atol=1e-6)
            out = m(x)
        elif step == "vmap":
            out = jax.vmap(lambda v: m(v[None])[0])(x)
        elif step == "functional_jit":
            out = jax.jit(lambda p, v: tp.functional_call(m, p, (v,)))(params, x)
        else:
            out = m(tp.tensor(np.asarray(x)))
            assert isinstance(out, tp.Tensor)
            out = out.value
        np.testing.assert_allclose(np.asarray(out), want, rtol=1e-5, atol=1e-6, err_msg=step)


def test_train_step_compiles_to_the_same_program_as_plain_jnp():
    """A jitted gradient step through functional_call costs what the jnp program costs."""
    tp.manual_seed(0)
    m = TorchStyle()
    params = {k: jnp.asarray(v) for k, v in m.state_dict().items()}
    x = jnp.asarray(RNG.standard_normal((8, 3, 4)).astype(np.float32))

    def ours(p, v):
        return jax.grad(lambda q: tp.functional_call(m, q, (v,)).sum())(p)

    def plain(p, v):
        return jax.grad(lambda q: _torch_style_reference(q, v).sum())(p)

    a = jax.jit(ours).lower(params, x).compile().cost_analysis()
    b = jax.jit(plain).lower(params, x).compile().cost_analysis()
    a = a[0] if isinstance(a, list) else a
    b = b[0] if isinstance(b, list) else b
    for key in ("flops", "transcendentals"):
        assert a.get(key) == b.get(key), (key, a.get(key), b.get(key))


def test_like_in_like_out_rule():
    m = tnn.Linear(3, 2)
    raw, box = jnp.ones((1, 3)), tp.ones(1, 3)
    assert isinstance(m(raw), jax.Array) and isinstance(m(box), tp.Tensor)
    assert isinstance(m(np.ones((1, 3), np.float32)), jax.Array)
    # state boxes do not decide: a jnp input with a Parameter argument stays a jax.Array
    assert isinstance(TF.linear(raw, m.weight, m.bias), jax.Array)
    assert isinstance(tp.tanh(m.weight), tp.Tensor)
    y, vjp = jax.vjp(lambda a: TF.linear(a, m.weight), raw)
    assert isinstance(y, jax.Array)
    # a Tensor is a pytree with one leaf: jit takes and returns it
    out = jax.jit(lambda t: t.view(-1) * 2)(box)
    assert isinstance(out, tp.Tensor) and out.shape == (3,)


def test_user_forward_sees_tensors_and_library_forward_sees_arrays():
    seen = {}

    class Probe(tnn.Module):
        def forward(self, x, pair):
            seen["x"], seen["pair"] = type(x), tuple(type(p) for p in pair)
            return x

    Probe()(jnp.ones(2), (jnp.ones(1), np.ones(1)))
    assert seen == {"x": tp.Tensor, "pair": (tp.Tensor, tp.Tensor)}

    class Sub(tnn.Linear):                       # overriding forward makes it user code
        def forward(self, x):
            seen["sub"] = type(x)
            return super().forward(x)

    assert isinstance(Sub(2, 2)(jnp.ones((1, 2))), jax.Array) and seen["sub"] is tp.Tensor


def test_unsupported_torch_features_give_clear_errors():
    t = tp.ones(2)
    with pytest.raises(RuntimeError, match=r"Tensor.backward\(\) is not supported: JAX computes gradients"):
        t.sum().backward()
    assert tp.nn.Parameter(tp.ones(1)).grad is None
    with pytest.raises(AttributeError, match=r"torch's Tensor.stft is not supported by torchlike_params; "
                                             r"use jnp.stft|torch's Tensor.stft is not supported"):
        t.stft
    with pytest.raises(AttributeError, match=r"'Tensor' object has no attribute 'data_ptr': torch's Tensor.data_ptr "
                                             r"is not supported by torchlike_params; compute it with jax.numpy"):
        t.data_ptr()
    assert t.cuda() is t and t.pin_memory() is t and t.cpu() is t
    assert not t.is_cuda


def test_views_are_values_not_aliases():
    """Documented difference: an in-place change through a view does not reach the original."""
    t = tp.zeros(2, 2)
    v = t.view(-1)
    v.add_(1)
    assert float(t.sum()) == 0.0 and float(v.sum()) == 4.0


def test_clip_grad_norm_matches_torch():
    rng = np.random.default_rng(3)
    grads = {"a": rng.standard_normal((3, 4)).astype(np.float32), "b": rng.standard_normal(5).astype(np.float32)}
    for norm_type in (2.0, 1.0, float("inf")):
        ps = [torch.nn.Parameter(torch.zeros(g.shape)) for g in grads.values()]
        for p, g in zip(ps, grads.values()):
            p.grad = torch.from_numpy(g.copy())
        tn = torch.nn.utils.clip_grad_norm_(ps, 0.5, norm_type=norm_type)
        clipped, n = tp.nn.utils.clip_grad_norm_({k: jnp.asarray(v) for k, v in grads.items()}, 0.5,
                                                  norm_type=norm_type)
        np.testing.assert_allclose(float(n), float(tn), rtol=1e-6)
        for p, k in zip(ps, grads):
            np.testing.assert_allclose(np.asarray(clipped[k]), p.grad.numpy(), rtol=1e-6, atol=1e-7)
    ps = [torch.nn.Parameter(torch.zeros(3))]
    ps[0].grad = torch.tensor([-3.0, 0.2, 4.0])
    torch.nn.utils.clip_grad_value_(ps, 1.0)
    np.testing.assert_array_equal(np.asarray(tp.nn.utils.clip_grad_value_([jnp.array([-3.0, 0.2, 4.0])], 1.0)[0]),
                                  ps[0].grad.numpy())


def test_parameters_vector_round_trip_matches_torch():
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    m = tnn.Sequential(tnn.Linear(3, 4), tnn.Linear(4, 2))
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    tv = torch.nn.utils.parameters_to_vector(t.parameters())
    v = tnn.utils.parameters_to_vector(m.parameters())
    np.testing.assert_array_equal(np.asarray(v), tv.detach().numpy())
    tnn.utils.vector_to_parameters(v * 2, m.parameters())
    np.testing.assert_array_equal(np.asarray(m[0].weight), 2 * t[0].weight.detach().numpy())
    before = {k: np.asarray(b) for k, b in m.state_dict().items()}
    with pytest.raises(RuntimeError):
        tnn.utils.vector_to_parameters(tp.zeros(5), m.parameters())
    assert all(np.array_equal(np.asarray(b), before[k]) for k, b in m.state_dict().items())


def test_data_parallel_keys_and_outputs_match_torch():
    torch.manual_seed(0)
    t = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    m = tnn.DataParallel(tnn.Linear(3, 2))
    assert list(m.state_dict()) == list(t.state_dict())
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(m(tp.tensor(x))), t(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(tnn.parallel.data_parallel(m.module, jnp.asarray(x))),
                               t(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)


def test_device_and_import_paths():
    import torchlike_params.nn.functional as F  # noqa: F401
    import torchlike_params.nn.init as init  # noqa: F401
    import torchlike_params.nn.parallel  # noqa: F401
    import torchlike_params.nn.utils  # noqa: F401
    assert repr(tp.device("cuda", 0)) == repr(torch.device("cuda", 0))
    assert repr(tp.device("cpu")) == repr(torch.device("cpu"))
    with pytest.raises(RuntimeError) as theirs:
        torch.device("bogus")
    with pytest.raises(RuntimeError) as ours:
        tp.device("bogus")
    assert str(ours.value) == str(theirs.value)
    assert tp.device("cuda" if tp.cuda.is_available() else "cpu").type == "cpu"


def test_multinomial_distribution():
    """Frequencies of draws with replacement match the probabilities (chi-square bound)."""
    tp.manual_seed(0)
    p = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
    draws = np.asarray(tp.multinomial(tp.tensor(p), 20000, replacement=True))
    counts = np.bincount(draws, minlength=4)
    chi2 = float(((counts - 20000 * p) ** 2 / (20000 * p)).sum())
    assert chi2 < 16.27            # 99.9% quantile of chi2(3)
    rows = np.asarray(tp.multinomial(tp.tensor(np.tile(p, (2000, 1))), 2))
    assert all(len(set(r)) == 2 for r in rows)   # without replacement: distinct
    first = np.bincount(rows[:, 0], minlength=4) / 2000
    np.testing.assert_allclose(first, p, atol=0.04)


def test_hooks_on_library_layers_see_tensors():
    """Hooks are user code: the feature-extraction idiom (out.detach()) works on built-in layers."""
    feats = {}
    m = tnn.Sequential(tnn.Linear(3, 4), tnn.ReLU())
    m[0].register_forward_hook(lambda mod, inp, out: feats.update(lin=out.detach(), inp=inp[0].size()))
    m[1].register_forward_pre_hook(lambda mod, inp: (inp[0] * 0,))
    out = m(jnp.ones((2, 3)))
    assert isinstance(out, jax.Array) and float(jnp.abs(out).sum()) == 0.0
    assert isinstance(feats["lin"], tp.Tensor) and feats["inp"] == (2, 3)


@pytest.mark.parametrize("wrap", [jnp.asarray, tp.tensor], ids=["jax_input", "tensor_input"])
def test_batchnorm_running_stats_update_through_the_boundary(wrap):
    """F.batch_norm keeps its running-stat boxes through like-in-like-out (a regression test)."""
    x = RNG.standard_normal((4, 3, 5)).astype(np.float32)
    t, m = torch.nn.BatchNorm1d(3), tnn.BatchNorm1d(3)
    t.train(), m.train()
    t(torch.from_numpy(x))
    m(wrap(x))
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(np.asarray(getattr(m, name)), getattr(t, name).numpy(), rtol=1e-5, atol=1e-6)
    assert int(np.asarray(m.num_batches_tracked)) == 1
    _, bufs = tp.functional_call(m, {}, (jnp.asarray(x),), return_buffers=True)
    t(torch.from_numpy(x))
    np.testing.assert_allclose(np.asarray(bufs["running_mean"]), t.running_mean.numpy(), rtol=1e-5, atol=1e-6)
