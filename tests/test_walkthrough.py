"""The seed walkthrough runs with the imports swapped and does what it does in torch."""

import contextlib
import io
import pathlib


SOURCE = (pathlib.Path(__file__).parent.parent / "examples" / "walkthrough.py").read_text()
TORCH_SOURCE = SOURCE.replace("import torchlike_params as torch  # was: import torch", "import torch").replace(
    "from torchlike_params import nn    # was: from torch import nn", "from torch import nn")


def _run(source):
    namespace = {"__name__": "walkthrough"}
    exec(compile(source, "walkthrough.py", "exec"), namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        summary = namespace["main"]()
    return summary, out.getvalue()


def test_imports_are_the_only_difference():
    assert TORCH_SOURCE != SOURCE
    changed = [a for a, b in zip(SOURCE.splitlines(), TORCH_SOURCE.splitlines()) if a != b]
    assert len(changed) == 2


def test_walkthrough_matches_torch():
    ours, ours_out = _run(SOURCE)
    theirs, theirs_out = _run(TORCH_SOURCE)
    assert ours == theirs
    # Printed registries and reprs line up too (values differ: different generators).
    for marker in ("before: {}", "after: ['W1_params', 'W2_params']", "Parameter containing:",
                   "(0): Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))", "MyLinear()"):
        assert (marker in ours_out) == (marker in theirs_out), marker
