"""The seed walkthrough: torch's parameter functions, run on JAX by swapping two imports.

Every snippet below is the torch tutorial's code unchanged; only the two import lines
differ (``import torch`` / ``from torch import nn`` in the original). Run it with::

    python examples/walkthrough.py
"""

import torchlike_params as torch  # was: import torch
from torchlike_params import nn    # was: from torch import nn


def main() -> dict:
    summary = {}
    torch.manual_seed(0)

    # 1. Registering parameters: attribute assignment and register_parameter.
    class MyModule(nn.Module):
        def __init__(self):
            super().__init__()
            print("before:", self._parameters)
            self.W1_params = nn.Parameter(torch.rand(2, 3))
            self.register_parameter('W2_params', nn.Parameter(torch.rand(2, 3)))
            print("after:", list(self._parameters))

        def forward(self, x):
            return x @ self.W1_params.T + x @ self.W2_params.T

    mod = MyModule()
    summary["MyModule"] = [(name, tuple(p.shape)) for name, p in mod.named_parameters()]
    print(mod.W1_params)

    # 2. A Linear-style module: Parameter(torch.Tensor(...)), a None bias, reset_parameters().
    class MyLinear(nn.Module):
        def __init__(self, in_features, out_features, bias=False):
            super().__init__()
            self.in_features = in_features
            self.out_features = out_features
            self.weight = nn.Parameter(torch.Tensor(out_features, in_features))
            if bias:
                self.bias = nn.Parameter(torch.Tensor(out_features))
            else:
                self.register_parameter('bias', None)
            self.reset_parameters()

        def reset_parameters(self):
            nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)
            if self.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.weight)
                bound = 1 / fan_in ** 0.5
                nn.init.uniform_(self.bias, -bound, bound)

        def forward(self, x):
            out = x @ self.weight.T
            return out if self.bias is None else out + self.bias

    lin = MyLinear(5, 3)
    summary["MyLinear"] = [(name, tuple(p.shape)) for name, p in lin.named_parameters()]
    summary["MyLinear.state_dict"] = list(lin.state_dict())
    print(lin, lin(torch.ones(2, 5)).shape)

    # 3. The basic initializers on torch.empty(3, 5).
    w = torch.empty(3, 5)
    nn.init.uniform_(w, a=0.0, b=1.0)
    summary["uniform_"] = (float(w.min()) >= 0.0, float(w.max()) < 1.0)
    nn.init.normal_(w, mean=0.0, std=1.0)
    nn.init.constant_(w, 0.3)
    summary["constant_"] = round(float(w[0, 0]), 6)
    nn.init.ones_(w)
    summary["ones_"] = float(w.sum())
    nn.init.zeros_(w)
    summary["zeros_"] = float(w.sum())
    nn.init.eye_(w)
    summary["eye_"] = [[float(v) for v in row] for row in w.tolist()]
    print(w)

    # 4. Xavier and Kaiming, with gains from calculate_gain.
    nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain('relu'))
    bound = nn.init.calculate_gain('relu') * (6 / (3 + 5)) ** 0.5
    summary["xavier_uniform_ within bound"] = bool(abs(w).max() <= bound)
    nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='relu')
    summary["kaiming_uniform_ within bound"] = bool(abs(w).max() <= (6 / 5) ** 0.5)
    nn.init.kaiming_normal_(w, mode='fan_out', nonlinearity='relu')
    summary["kaiming_normal_ shape"] = tuple(w.shape)

    # 5. model.apply(fn): re-initialize every layer whose class name contains 'Conv'.
    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find('Conv') != -1:
            m.weight.data.normal_(0.0, 0.02)
            if m.bias is not None:
                m.bias.data.fill_(0)

    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 4, 3), nn.Tanh(), nn.Linear(4, 2))
    visited = []
    net.apply(lambda m: visited.append(type(m).__name__))
    net.apply(weights_init)
    summary["apply order"] = visited
    summary["conv bias zero"] = float(abs(net[0].bias).sum())
    summary["conv weight std ~0.02"] = bool(0.01 < float(net[0].weight.std()) < 0.03)
    summary["net.state_dict"] = list(net.state_dict())
    print(net)
    return summary


if __name__ == "__main__":
    for key, value in main().items():
        print(f"{key}: {value}")
