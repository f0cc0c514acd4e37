"""Plain-text tables: one per operation (ours, theirs, ratio), a summary, the race."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from _compare.scenario import OPERATIONS, RaceResult, Run

NOT_IMPLEMENTED = "n/a (not implemented)"
_METRICS: tuple[tuple[str, Callable[[Run], float]], ...] = (
    ("API calls", lambda r: r.counts.calls),
    ("writes", lambda r: r.counts.writes),
    ("comments created", lambda r: r.counts.comments),
    ("wall time (ms)", lambda r: r.wall_s * 1000),
)
_W = (18, 22, 22, 13)
_NOTES = {
    "dag waves": "outcome: the waves printed, stories separated by commas",
    "bprop run": "outcome: descendants carrying blocked-by:#<ejected> afterwards",
}  # column widths: metric, ours, theirs, ratio


def _median(runs: list[Run], metric: Callable[[Run], float]) -> float:
    return statistics.median(metric(r) for r in runs)


def _num(value: float) -> str:
    return f"{value:.0f}" if value == int(value) or value >= 100 else f"{value:.1f}"


def _ratio(ours: float, theirs: float) -> str:
    if theirs == 0:
        return "-" if ours == 0 else "inf"
    return f"{ours / theirs:.2f}"


def _row(*cells: str) -> str:
    first, *rest = cells
    return f"{first:<{_W[0]}}" + "".join(f"{c:>{w}}" for c, w in zip(rest, _W[1:], strict=True))


def _cell(runs: list[Run] | None, metric: Callable[[Run], float], name: str) -> str:
    """The median; for counts that differ between runs, their range too (the first run on
    an epic may create a marker that later runs only edit)."""
    if not runs:
        return NOT_IMPLEMENTED
    values = [metric(r) for r in runs]
    median = _num(statistics.median(values))
    if name.startswith("wall") or min(values) == max(values):
        return median
    return f"{median} ({_num(min(values))}-{_num(max(values))})"


def _codes(runs: list[Run]) -> str:
    return ",".join(str(c) for c in sorted({r.exit_code for r in runs}))


def operation_table(op: str, ours: list[Run] | None, theirs: list[Run] | None) -> str:
    runs = len(theirs or ours or [])
    lines = [f"== {op} ==  (median of {runs} run{'s' * (runs != 1)})"]
    if op in _NOTES:
        lines.append(f"   {_NOTES[op]}")
    lines.append(_row("", "ours", "theirs", "ours/theirs"))
    for name, metric in _METRICS:
        o = _median(ours, metric) if ours else None
        t = _median(theirs, metric) if theirs else None
        lines.append(
            _row(
                name,
                _cell(ours, metric, name),
                _cell(theirs, metric, name),
                "n/a" if o is None or t is None else _ratio(o, t),
            )
        )
    lines.append(
        _row("exit code", _codes(ours) if ours else "-", _codes(theirs) if theirs else "-", "")
    )
    if any(r.outcome for r in (ours or []) + (theirs or [])):
        lines.append(_row("outcome", _outcomes(ours), _outcomes(theirs), ""))
    return "\n".join(lines)


def _outcomes(runs: list[Run] | None) -> str:
    return " | ".join(sorted({r.outcome for r in runs})) if runs else "-"


def summary_table(ours: dict[str, list[Run] | None], theirs: dict[str, list[Run] | None]) -> str:
    """Ratios ours/theirs for every operation on one screen (lower is better for us)."""
    head = f"{'operation':<12}" + "".join(f"{n:>18}" for n, _ in _METRICS)
    lines = ["== summary: ours/theirs ==", head]
    for op in OPERATIONS:
        o, t = ours[op], theirs[op]
        cells = []
        for _, metric in _METRICS:
            if not o or not t:
                cells.append("n/a")
                continue
            om, tm = _median(o, metric), _median(t, metric)
            cells.append(f"{_num(om)}/{_num(tm)} = {_ratio(om, tm)}")
        lines.append(f"{op:<12}" + "".join(f"{c:>18}" for c in cells))
    return "\n".join(lines)


def race_table(ours: RaceResult | None, theirs: RaceResult | None) -> str:
    some = ours or theirs
    if some is None:
        return "== race ==\nn/a"
    rounds = len(some.holders)
    lines = [
        f"== race: {some.racers} instances claim one issue at once, {rounds} rounds, "
        f"comments invisible to listings for {some.delay_ms} ms ==",
        _row("", "ours", "theirs", ""),
    ]
    rows: tuple[tuple[str, Callable[[RaceResult], str]], ...] = (
        ("rounds 2+ holders", lambda r: str(sum(h >= 2 for h in r.holders))),
        ("rounds 1 holder", lambda r: str(sum(h == 1 for h in r.holders))),
        ("rounds no holder", lambda r: str(sum(h == 0 for h in r.holders))),
        ("max holders", lambda r: str(max(r.holders))),
        ("exit codes", lambda r: " ".join(f"{c}x{n}" for c, n in sorted(r.exit_codes.items()))),
        ("calls / round", lambda r: _num(statistics.median(r.calls))),
        ("writes / round", lambda r: _num(statistics.median(r.writes))),
        ("round time (ms)", lambda r: _num(statistics.median(r.wall_s) * 1000)),
    )
    for name, cell in rows:
        lines.append(
            _row(
                name,
                cell(ours) if ours else NOT_IMPLEMENTED,
                cell(theirs) if theirs else NOT_IMPLEMENTED,
                "",
            )
        )
    return "\n".join(lines)


def failures(name: str, results: dict[str, list[Run] | None]) -> list[str]:
    """One line per failed run: which side, which operation, the last line it printed."""
    lines = []
    for op, runs in results.items():
        for run in runs or []:
            if run.exit_code != 0:
                said = run.stderr.strip().splitlines()
                lines.append(f"{name} {op}: exit {run.exit_code}: {said[-1] if said else ''}")
    return lines
