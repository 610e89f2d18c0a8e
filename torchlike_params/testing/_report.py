"""The result of a comparison: rows, tables and the text a porter reads."""

from __future__ import annotations

import dataclasses
import math
from typing import Sequence


@dataclasses.dataclass(frozen=True)
class Row:
    """One compared thing: a module call's output, a parameter's gradient, or a module output's gradient.

    ``name`` is the qualified name (``''`` for the root module), ``label`` adds ``#k`` for the
    k-th call (from 0) of a module called more than once. ``shapes`` / ``our_shapes`` hold the
    shape of every array leaf (an LSTM's ``(out, (h, c))`` has three). ``max_abs``/``max_rel``
    are the largest differences over the leaves (``nan`` when the row could not be compared);
    ``divergent`` is True when some element is outside ``atol + rtol * |torch|`` or the shapes
    or structures differ; ``note`` says why a row is special (``'only in torch'``, ...).

    >>> Row('fc', 'fc', 'Linear', 'Linear', ((2, 3),), ((2, 3),), 0.0, 0.0, False).status
    'ok'
    """

    label: str
    name: str
    torch_type: str
    our_type: str
    shapes: tuple
    our_shapes: tuple
    max_abs: float
    max_rel: float
    divergent: bool
    note: str = ""

    @property
    def type_text(self) -> str:
        """The module type, or ``'Tanh vs Sigmoid'`` (torch's, then ours) when the two differ."""
        if self.our_type in ("", self.torch_type):
            return self.torch_type
        return f"{self.torch_type} vs {self.our_type}" if self.torch_type else self.our_type

    @property
    def status(self) -> str:
        """``'ok'``, ``'DIVERGES'`` or the row's note."""
        if self.divergent:
            return "DIVERGES" + (f" ({self.note})" if self.note else "")
        return self.note or "ok"


def _fmt_shapes(shapes: tuple) -> str:
    if not shapes:
        return "-"
    return ", ".join("x".join(map(str, s)) if s else "scalar" for s in shapes)


def _fmt_num(x: float) -> str:
    if math.isnan(x):
        return "-"
    return "0" if x == 0 else f"{x:.3g}"


@dataclasses.dataclass(frozen=True)
class Table:
    """One table of rows, in the order they are compared, with the first divergent row marked.

    >>> t = Table("Gradients", "parameter", (Row('w', 'w', '', '', ((2,),), ((2,),), 0.5, 0.1, True),), 1e-5, 1e-5)
    >>> t.first_divergent.name, t.ok, t.divergent_labels
    ('w', False, ['w'])
    """

    title: str
    what: str
    rows: tuple[Row, ...]
    atol: float
    rtol: float
    order: str = ""

    @property
    def first_divergent(self) -> Row | None:
        """The first divergent row, or None."""
        return next((r for r in self.rows if r.divergent), None)

    @property
    def ok(self) -> bool:
        """No row diverges."""
        return self.first_divergent is None

    @property
    def divergent_labels(self) -> list[str]:
        """The labels of every divergent row, in order."""
        return [r.label for r in self.rows if r.divergent]

    def row(self, label: str) -> Row:
        """The row with this label (``KeyError`` if there is none)."""
        for r in self.rows:
            if r.label == label:
                return r
        raise KeyError(label)

    def __str__(self) -> str:
        first = self.first_divergent
        head = (f"{self.title}: {len(self.rows)} {self.what} rows{self.order} "
                f"(atol={self.atol:g}, rtol={self.rtol:g}); "
                + (f"first divergence: `{first.label or '(root)'}` ({first.type_text})"
                   if first else "no divergence"))
        cols = ["", "#", self.what, "type", "shape", "max abs diff", "max rel diff", "status"]
        body = []
        for i, r in enumerate(self.rows, 1):
            mark = ">>" if r is first else ""
            shape = _fmt_shapes(r.shapes or r.our_shapes)
            if r.shapes and r.our_shapes and r.shapes != r.our_shapes:
                shape = f"{_fmt_shapes(r.shapes)} vs ours {_fmt_shapes(r.our_shapes)}"
            status = r.status + ("  <- FIRST" if r is first else "")
            body.append([mark, str(i), r.label or "(root)", r.type_text, shape,
                         _fmt_num(r.max_abs), _fmt_num(r.max_rel), status])
        widths = [max(len(c), *(len(b[j]) for b in body)) if body else len(c) for j, c in enumerate(cols)]
        line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
        return "\n".join([head, line(cols), line(["-" * w for w in widths])] + [line(b) for b in body])


@dataclasses.dataclass(frozen=True)
class DivergenceReport:
    """What ``compare_modules`` found: a forward table and, when asked, two gradient tables.

    ``forward``: every module call's output, in the order the calls finish (a module after its
    children). ``grads``: every trainable parameter's gradient, in the order backward reaches
    them (nearest the loss first), or None. ``input_grads``: the gradient of the loss with
    respect to every module call's floating inputs, modules that start last first, or None. ``notes``: things
    that differ between the two models and explain many divergences (train/eval modes).

    >>> r = DivergenceReport(Table("Forward", "module", (), 1e-5, 1e-5))
    >>> r.ok, r.first_divergent, r.rows
    (True, None, ())
    """

    forward: Table
    grads: Table | None = None
    input_grads: Table | None = None
    notes: Sequence[str] = ()

    @property
    def tables(self) -> list[Table]:
        """The tables present, forward first."""
        return [t for t in (self.forward, self.grads, self.input_grads) if t is not None]

    @property
    def ok(self) -> bool:
        """Nothing diverges in any table."""
        return all(t.ok for t in self.tables)

    @property
    def rows(self) -> tuple[Row, ...]:
        """The forward table's rows (``.grads.rows``, ``.input_grads.rows`` for the others)."""
        return self.forward.rows

    @property
    def first_divergent(self) -> Row | None:
        """The first divergent module call of the forward table (``.grads.first_divergent`` for gradients)."""
        return self.forward.first_divergent

    @property
    def summary(self) -> str:
        """One line: where to look first.

        >>> DivergenceReport(Table("Forward", "module", (), 1e-5, 1e-5)).summary
        'Summary: no divergence.'
        """
        first = self.forward.first_divergent
        if first is not None:
            tail = "; the gradient differences follow from it" if any(
                not t.ok for t in (self.grads, self.input_grads) if t is not None) else ""
            return f"Summary: the outputs first differ at `{first.label or '(root)'}` ({first.type_text}){tail}."
        bad = [(t, t.first_divergent) for t in (self.input_grads, self.grads) if t is not None and not t.ok]
        if bad:
            where = " and ".join(f"{'the input of' if t is self.input_grads else 'parameter'} `{r.label or '(root)'}`"
                                 for t, r in bad)
            return f"Summary: the outputs match; backward first differs at {where}."
        return "Summary: no divergence."

    def __str__(self) -> str:
        parts = [f"note: {n}" for n in self.notes] + [str(t) for t in self.tables] + [self.summary]
        return "\n\n".join(parts)
