"""A whole model: ResNet-18 in torchvision's layout against the same model in flax.linen; and the
converted variables saved with orbax-checkpoint and flax.serialization, restored by a pure Flax
program that never imports torchlike_params."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import flax.linen as fnn
import jax
import jax.numpy as jnp
import numpy as np

import torchlike_params as tp
from torchlike_params import flax as tflax

nn = tp.nn


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: Any = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: Any) -> Any:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18(nn.Module):
    """torchvision's ``resnet18`` layout (names and shapes of its state_dict)."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(64, 1)
        self.layer2 = self._make_layer(128, 2)
        self.layer3 = self._make_layer(256, 2)
        self.layer4 = self._make_layer(512, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def _make_layer(self, planes: int, stride: int) -> Any:
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample), BasicBlock(planes, planes)]
        self.inplanes = planes
        return nn.Sequential(*layers)

    def forward(self, x: Any) -> Any:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(jnp.asarray(self.avgpool(x)).reshape(x.shape[0], -1))


# The same model in flax.linen, with the same attribute names (NHWC).

def bn(train: bool, name: str) -> Any:
    return fnn.BatchNorm(use_running_average=not train, momentum=0.9, epsilon=1e-5, use_fast_variance=False,
                         name=name)


class LinenBlock(fnn.Module):
    planes: int
    stride: int
    down: bool

    @fnn.compact
    def __call__(self, x: Any, train: bool) -> Any:
        identity = x
        if self.down:
            identity = fnn.Conv(self.planes, (1, 1), self.stride, padding=[(0, 0)] * 2, use_bias=False,
                                name="downsample_0")(x)
            identity = bn(train, "downsample_1")(identity)
        out = fnn.Conv(self.planes, (3, 3), self.stride, padding=[(1, 1)] * 2, use_bias=False, name="conv1")(x)
        out = fnn.relu(bn(train, "bn1")(out))
        out = fnn.Conv(self.planes, (3, 3), 1, padding=[(1, 1)] * 2, use_bias=False, name="conv2")(out)
        return fnn.relu(bn(train, "bn2")(out) + identity)


class LinenResNet18(fnn.Module):
    num_classes: int = 10

    @fnn.compact
    def __call__(self, x: Any, train: bool = False) -> Any:
        x = fnn.Conv(64, (7, 7), 2, padding=[(3, 3)] * 2, use_bias=False, name="conv1")(x)
        x = fnn.relu(bn(train, "bn1")(x))
        x = fnn.max_pool(x, (3, 3), (2, 2), padding=((1, 1), (1, 1)))
        inplanes = 64
        for i, (planes, stride) in enumerate([(64, 1), (128, 2), (256, 2), (512, 2)], start=1):
            down = stride != 1 or inplanes != planes
            x = LinenBlock(planes, stride, down, name=f"layer{i}_0")(x, train)
            x = LinenBlock(planes, 1, False, name=f"layer{i}_1")(x, train)
            inplanes = planes
        return fnn.Dense(self.num_classes, name="fc")(x.mean((1, 2)))


def to_linen_names(tree: Any) -> Any:
    """torch's ``layer1/0/...`` and ``downsample/0`` as the linen model's ``layer1_0``, ``downsample_0``."""
    if not isinstance(tree, dict):
        return tree
    out = {}
    for k, v in tree.items():
        if k.startswith("layer") or k == "downsample":
            for i, sub in v.items():
                out[f"{k}_{i}"] = to_linen_names(sub)
        else:
            out[k] = to_linen_names(v)
    return out


def test_resnet18_against_linen_train_and_eval() -> None:
    m = ResNet18()
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32)
    xl = jnp.moveaxis(x, 1, -1)
    v = tflax.to_linen_variables(m)
    assert set(v) == {"params", "batch_stats", "torch_counters"}
    linen_v = {c: to_linen_names(v[c]) for c in ("params", "batch_stats")}
    flax_model = LinenResNet18()
    assert jax.tree.map(jnp.shape, linen_v) == jax.tree.map(jnp.shape, jax.eval_shape(
        flax_model.init, jax.random.key(0), xl))

    # train mode: batch statistics, then running statistics moved by one step
    y_flax, upd = jax.jit(lambda v, x: flax_model.apply(v, x, train=True, mutable=["batch_stats"]))(linen_v, xl)
    state = dict(m.state_dict())
    y_torch, buffers = jax.jit(lambda s, x: tp.functional_call(m.train(), s, (x,), return_buffers=True))(state, x)
    np.testing.assert_allclose(y_flax, jnp.asarray(y_torch), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(upd["batch_stats"]["bn1"]["mean"], buffers["bn1.running_mean"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(upd["batch_stats"]["layer4_1"]["bn2"]["mean"], buffers["layer4.1.bn2.running_mean"],
                               rtol=1e-4, atol=1e-5)
    m.load_state_dict({**state, **buffers})

    # eval mode with the trained running statistics, through a round trip
    v = tflax.to_linen_variables(m)
    assert int(v["torch_counters"]["layer2"]["0"]["downsample"]["1"]["num_batches_tracked"]) == 1
    m2 = ResNet18()
    tflax.from_linen_variables(m2, v)
    for k, a in m.state_dict().items():
        assert np.array_equal(np.asarray(a), np.asarray(m2.state_dict()[k])), k
    linen_v = {c: to_linen_names(v[c]) for c in ("params", "batch_stats")}
    y_flax = jax.jit(lambda v, x: flax_model.apply(v, x))(linen_v, xl)
    y_torch = jax.jit(lambda s, x: tp.functional_call(m2.eval(), s, (x,)))(dict(m2.state_dict()), x)
    np.testing.assert_allclose(y_flax, jnp.asarray(y_torch), rtol=1e-4, atol=1e-4)


PURE_FLAX = textwrap.dedent('''
    import sys, numpy as np, jax, jax.numpy as jnp, flax.linen as nn
    from flax import serialization
    import orbax.checkpoint as ocp
    assert not any(m.startswith("torchlike_params") for m in sys.modules)

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x, train=False):
            x = nn.Conv(4, (3, 3), padding=[(1, 1), (1, 1)], name="0")(x)
            x = nn.BatchNorm(use_running_average=not train, momentum=0.9, epsilon=1e-5, name="1")(x)
            return nn.Dense(2, name="3")(x.reshape(x.shape[0], -1))

    path, msgpack_path, x_path, out_path = sys.argv[1:5]
    x = jnp.asarray(np.load(x_path))
    template = jax.eval_shape(Net().init, jax.random.key(0), x)
    restored = ocp.StandardCheckpointer().restore(path, template)
    with open(msgpack_path, "rb") as f:
        restored2 = serialization.from_bytes(template, f.read())
    y1 = Net().apply(restored, x)
    y2 = Net().apply(restored2, x)
    np.save(out_path, np.stack([np.asarray(y1), np.asarray(y2)]))
''')


def test_saved_variables_restore_in_a_pure_flax_program(tmp_path: Any) -> None:
    import orbax.checkpoint as ocp
    from flax import serialization

    m = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 5 * 5, 2))
    m(jnp.ones((2, 3, 5, 5)))              # move the running statistics off their init
    m.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    v = tflax.to_linen_variables(m)
    flax_vars = {"params": v["params"], "batch_stats": v["batch_stats"]}
    # torch flattens NCHW, Flax NHWC: the Linear after Flatten sees another order, so feed the
    # pure program a model whose flatten matches: permute fc's input rows to NHWC order.
    k = np.asarray(flax_vars["params"]["3"]["kernel"]).reshape(4, 5, 5, 2).transpose(1, 2, 0, 3).reshape(-1, 2)
    flax_vars["params"]["3"]["kernel"] = jnp.asarray(k)
    ckpt = tmp_path / "ckpt"
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(ckpt, flax_vars)
    checkpointer.wait_until_finished()
    (tmp_path / "vars.msgpack").write_bytes(serialization.to_bytes(flax_vars))
    np.save(tmp_path / "x.npy", np.moveaxis(x, 1, -1))
    script = tmp_path / "pure_flax.py"
    script.write_text(PURE_FLAX)
    subprocess.run([sys.executable, str(script), str(ckpt), str(tmp_path / "vars.msgpack"), str(tmp_path / "x.npy"),
                    str(tmp_path / "y.npy")], check=True, cwd=tmp_path, timeout=300)
    y1, y2 = np.load(tmp_path / "y.npy")
    want = np.asarray(jnp.asarray(m(jnp.asarray(x))))
    np.testing.assert_allclose(y1, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(y1, y2)
