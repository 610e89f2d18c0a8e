"""The core (init, initializers, generators, boxes) loads without the Module shell and without torch."""

import subprocess
import sys
import textwrap

import pytest


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]))


@pytest.mark.parametrize("module", ["torchlike_params.init", "torchlike_params.initializers", "torchlike_params"])
def test_core_import_does_not_load_module_shell_or_torch(module):
    r = _run(f"""
        import sys, importlib
        importlib.import_module({module!r})
        import torchlike_params.init, torchlike_params.initializers
        shell = sorted(m for m in sys.modules if m.startswith("torchlike_params.nn"))
        print("SHELL", shell)
        print("TORCH", "torch" in sys.modules)
        print("MODULE", "torchlike_params.nn._module" in sys.modules)
    """)
    assert r.returncode == 0, r.stderr
    out = dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())
    assert out["MODULE"] == "False"
    assert out["TORCH"] == "False"
    assert out["SHELL"] == "[]", out["SHELL"]


def test_the_check_can_see_the_shell():
    # sanity: the same probe does see the shell once tp.nn is used (so the test above can fail)
    r = _run("""
        import sys, torchlike_params as tp
        tp.nn.init
        print(sorted(m for m in sys.modules if m.startswith("torchlike_params.nn")))
    """)
    assert r.returncode == 0, r.stderr
    assert "torchlike_params.nn" in r.stdout


def test_works_when_torch_cannot_be_imported():
    r = _run("""
        import sys
        sys.modules["torch"] = None          # any `import torch` now raises ImportError
        try:
            import torch
        except ImportError:
            pass
        else:
            raise SystemExit("guard failed")
        import jax, math
        import torchlike_params as tp
        w = tp.empty(8, 4)
        assert tp.init.kaiming_uniform_(w, a=math.sqrt(5)) is w
        assert tp.nn.init.xavier_normal_(tp.Parameter(tp.empty(3, 5))).shape == (3, 5)
        x = tp.initializers.trunc_normal(jax.random.key(0), (4, 4), std=0.02)
        assert x.shape == (4, 4)
        y = tp.initializers.orthogonal(jax.random.key(1), (3, 5))
        tp.manual_seed(0)
        tp.nn.init.sparse_(tp.empty(6, 3), 0.5)
        bound = 1 / math.sqrt(4)
        assert float(abs(w.value).max()) <= bound
        print("OK")
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("OK")
