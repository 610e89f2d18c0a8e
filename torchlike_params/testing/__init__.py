"""``torchlike_params.testing``: find where a port and its torch original part.

- ``compare_modules(torch_model, model, *inputs)``: copy torch's weights across, run both,
  record every module call's output and every gradient, and print a table with the first
  divergent module (and parameter) marked; returns a ``DivergenceReport`` to assert on.
- ``assert_state_close(a, b)`` / ``assert_outputs_close(a, b)``: ``AssertionError`` with a
  readable report (missing and unexpected keys, shape mismatches, worst elements).

torch is imported only inside these functions, when they need it (``import
torchlike_params`` does not load this package, and this package does not load torch).

>>> import torchlike_params.testing as tpt
>>> tpt.assert_outputs_close((jnp.ones(2), jnp.zeros(3)), (np.ones(2), np.zeros(3)))
"""

from ._assert import assert_outputs_close as assert_outputs_close, assert_state_close as assert_state_close
from ._compare import compare_modules as compare_modules
from ._diff import Diff as Diff, diff as diff
from ._report import DivergenceReport as DivergenceReport, Row as Row, Table as Table

__all__ = ["compare_modules", "assert_state_close", "assert_outputs_close", "DivergenceReport", "Table", "Row",
           "Diff", "diff"]
