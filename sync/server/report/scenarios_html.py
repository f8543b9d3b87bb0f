"""The report's section on income drivers: each group's drivers, what closes its gap, the
named scenarios side by side, the sensitivity to each driver (a table and a chart), and the
households whose drivers cannot be computed. Inline HTML and SVG, like the rest of the page."""

from __future__ import annotations

from html import escape

from sync.server.report.analysis import DriverAnalysis
from sync.server.report.closing import LEVERS, UNITS, Lever, SegmentDrivers
from sync.server.report.html import DIMENSIONS, _table, figure, interval
from sync.server.report.scenario_groups import STEPS, Sensitivity

DRIVER_NAMES = {
    "area_ha": "productive area (ha)", "yield_kg_ha": "yield (kg/ha)", "price": "price (per kg)",
    "cost_per_ha": "cost per ha", "cost_per_kg": "cost per kg", "other_income": "other income",
    "members": "household size", "equivalence_units": "adult equivalents",
    "benchmark": "adjusted benchmark",
}  # fmt: skip
DIGITS = {"area_ha": 2, "equivalence_units": 2, "price": 1, "cost_per_kg": 1}
COLOURS = {"-25%": "#c62828", "-10%": "#ef9a9a", "+10%": "#90caf9", "+25%": "#1565c0"}


def _named(by: str, group: str, benchmark: str) -> list[str]:
    return [DIMENSIONS.get(by, by), group, benchmark]


def _spread(values: list[float] | None, digits: int) -> str:
    if values is None:
        return "–"
    low, middle, high = (figure(v, digits) for v in values)
    return f"{middle} [{low}, {high}]"


def drivers_table(segments: list[SegmentDrivers], names: dict[str, str]) -> str:
    return _table(
        ["by", "group", "benchmark", "currency", "n", "with drivers", "% below", "gap %",
         *(f"{name}: median [25th, 75th]" for name in DRIVER_NAMES.values())],
        [[*_named(s.by, s.group, names.get(s.benchmark_id, s.benchmark_id)), s.currency, f"{s.n:,}", f"{s.with_drivers:,}",
          figure(s.share_below_pct, 1), figure(s.gap_pct, 1),
          *(_spread(s.quartiles[k], DIGITS.get(k, 0)) for k in DRIVER_NAMES)]
         for s in segments],
    )  # fmt: skip


def lever_said(found: Lever, below: int) -> str:
    """One driver alone for a group: "1.2 (62 % within reach of 13 assessed; 18 not
    assessed: no limit for id/cocoa)"; "cannot close alone" when it cannot for half or more."""
    if not below:
        return "–"  # nobody to bring up
    change = "cannot close alone" if found.median_change is None else figure(found.median_change, 1)
    parts = []
    if found.within_reach_pct is not None:
        parts.append(
            f"{figure(found.within_reach_pct, 0)} % within reach of {found.assessed:,} assessed"
        )
    if below > found.assessed:
        parts.append(
            f"{below - found.assessed:,} not assessed: no limit for {', '.join(found.no_limit_for)}"
        )
    return f"{change} ({'; '.join(parts)})"


def closing_table(segments: list[SegmentDrivers], names: dict[str, str]) -> str:
    return _table(
        ["by", "group", "benchmark", "households below",
         *(f"{name.replace('_', ' ')} alone: median change, {UNITS[name]}" for name in LEVERS)],
        [[*_named(s.by, s.group, names.get(s.benchmark_id, s.benchmark_id)), f"{s.below:,}",
          *(lever_said(s.closing[name], s.below) for name in LEVERS)] for s in segments],
    )  # fmt: skip


def needs_table(a: DriverAnalysis) -> str:
    """Each household below: its gap and each driver's change alone (✓ within reach, "not
    assessed" without a limit for its country and crop)."""

    def need(value: float | None, ok: bool | None, digits: int) -> str:
        if value is None:
            return "cannot close alone"
        return figure(value, digits) + {True: " ✓", False: "", None: " (not assessed)"}[ok]

    digits = {"area": 2, "other_income": 0}
    return _table(
        ["household", "district", "head", "gap",
         *(f"{name.replace('_', ' ')}, {UNITS[name]}" for name in LEVERS)],
        [[n.household_id or n.instance_id, n.district, n.head_sex, figure(n.gap),
          *(need(n.needs[k], n.within_reach[k], digits.get(k, 1)) for k in LEVERS)]
         for n in a.below],
    )  # fmt: skip


def scenarios_tables(a: DriverAnalysis) -> str:
    names = a.benchmark_names
    if not a.scenarios:
        return (
            "<p>No scenario asked for: add some with"
            ' <code>--scenario "name:price=+20%,yield=+15%"</code>.</p>'
        )
    side = _table(
        ["by", "group", "benchmark", "% below now",
         *(f"% below: {r.scenario.name}" for r in a.scenarios)],
        [[*_named(s.by, s.group, names.get(s.benchmark_id, s.benchmark_id)), figure(s.share_below_pct, 1),
          *(interval(r.groups[i].share_below_pct, 1) for r in a.scenarios)]
         for i, s in enumerate(a.segments)],
    )  # fmt: skip
    parts = [f"<h3>Side by side</h3>{side}"]
    for r in a.scenarios:
        changes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in r.changes.items())
        parts.append(f"<h3>{escape(r.scenario.name)}: {escape(changes or 'no change')}</h3>")
        parts.append(_table(
            ["by", "group", "benchmark", "n", "% below [95% CI]", "gap % [95% CI]", "FGT1",
             "median income", "households crossing", "of which within reach", "falling below"],
            [[*_named(g.by, g.group, names.get(g.benchmark_id, g.benchmark_id)), f"{g.n:,}", interval(g.share_below_pct, 1),
              interval(g.gap_pct, 1), figure(g.fgt1, 3), figure(g.median_income),
              f"{g.crossing:,}", f"{g.crossing_within_reach:,}", f"{g.falling:,}"]
             for g in r.groups],
        ))  # fmt: skip
    return "".join(parts)


def sensitivity_table(rows: list[Sensitivity], names: dict[str, str]) -> str:
    steps = [f"{s:+g}%" for s in STEPS]
    return _table(
        ["by", "group", "benchmark", "% below now",
         *(f"{d.replace('_', ' ')} {s}" for d in LEVERS for s in steps)],
        [[*_named(r.by, r.group, names.get(r.benchmark_id, r.benchmark_id)), figure(r.share_below_pct, 1),
          *(f"{r.change_pp[d][s]:+.1f}" for d in LEVERS for s in steps)] for r in rows],
    )  # fmt: skip


def sensitivity_chart(row: Sensitivity, benchmark: str) -> str:
    """Change in the share below (percentage points) for each driver and step, as bars
    around a zero line: left (red) more households below, right (blue) fewer. When no step
    moves anyone the chart would be empty: a sentence says why in its place."""
    if not any(v for steps in row.change_pp.values() for v in steps.values()):
        return (
            f"<p>Sensitivity, {escape(row.group)} ({escape(benchmark)}): no household crosses"
            f" its benchmark either way when one driver changes by ±10 % or ±25 %"
            f" ({figure(row.share_below_pct, 1)} % below now, none near enough to the benchmark"
            " to cross), so there is no bar to draw.</p>"
        )
    width, label, band = 640, 120, 34
    height = 50 + band * len(LEVERS)
    middle, scale = label + (width - label) / 2, (width - label - 20) / 2 / 100
    parts = [
        f'<line x1="{middle}" x2="{middle}" y1="20" y2="{height - 25}" stroke="#000"/>',
        f'<text x="{middle - 6}" y="{height - 8}" text-anchor="end" font-size="11">'
        "← more households below</text>",
        f'<text x="{middle + 6}" y="{height - 8}" font-size="11">fewer below →</text>',
    ]
    for i, driver in enumerate(LEVERS):
        top = 25 + i * band
        parts.append(f'<text x="{label - 6}" y="{top + band / 2}" text-anchor="end"'
                     f' font-size="12">{driver.replace("_", " ")}</text>')  # fmt: skip
        for k, (step, colour) in enumerate(COLOURS.items()):
            change = row.change_pp[driver][step]
            x = middle - max(change, 0) * scale
            parts.append(
                f'<rect x="{x:.1f}" y="{top + k * 7:.1f}" width="{abs(change) * scale:.1f}"'
                f' height="6" fill="{colour}"><title>{step}: {change:+.1f} points</title></rect>'
            )
    legend = "".join(
        f'<rect x="{label + n * 90}" y="4" width="10" height="10" fill="{c}"/>'
        f'<text x="{label + 14 + n * 90}" y="13" font-size="11">{s}</text>'
        for n, (s, c) in enumerate(COLOURS.items())
    )
    title = f"Change in % below the benchmark, {row.group} ({benchmark})"
    parts.append(f'<text x="{width - 4}" y="13" text-anchor="end" font-size="11">'
                 f"{escape(row.group)} ({escape(benchmark)})</text>")  # fmt: skip
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}"><title>{escape(title)}</title>{legend}'
        f"{''.join(parts)}</svg>"
    )


def drivers_html(a: DriverAnalysis) -> str:
    """The section, headed `h2`, for the report page."""
    lost = "".join(f"<li>{escape(why)}: {n:,}</li>" for why, n in a.missing_by_reason.items())
    missing = (
        f"<p>{len(a.missing):,} of {a.households:,} households have no drivers; they keep their"
        f" main crop income in every scenario (only other income changes apply):</p><ul>{lost}</ul>"
        + _table(["household", "district", "reason"],
                 [[m.household_id or m.instance_id, m.district, m.reason] for m in a.missing])
        if a.missing else "<p>Every household's drivers could be computed.</p>"
    )  # fmt: skip
    limits = _table(
        ["country", "crop", "currency", "yield at most (kg/ha)", "price at most (per kg)",
         "area at most (ha)", "cost cut at most (%)", "other income at most", "source"],
        [[x.country, x.crop, x.currency, figure(x.yield_max_kg_ha), figure(x.price_max_per_kg, 1),
          figure(x.area_max_ha, 1), figure(x.cost_cut_max_pct), figure(x.other_income_max),
          x.source] for x in a.limits],
    )  # fmt: skip
    charts = "".join(
        sensitivity_chart(r, a.benchmark_names.get(r.benchmark_id, r.benchmark_id))
        for r in a.sensitivity
        if r.by == "all"
    )
    return (
        "<h2>Income drivers: what closes the gap</h2><p>Drivers of the main crop (IDH's Income"
        " Driver Calculator's): productive area, yield, farm-gate price and cost of production;"
        " other income is every other source. Money per household and year in the group's"
        f" currency.</p>{missing}<h3>Drivers per group</h3>{drivers_table(a.segments, a.benchmark_names)}"
        "<h3>One driver alone: the change that brings a household below to its benchmark</h3>"
        f"<p>Within reach: the new value stays within these limits.</p>{limits}"
        f"{closing_table(a.segments, a.benchmark_names)}"
        + (
            f"<h3>Each household below its benchmark (✓ within reach)</h3>{needs_table(a)}"
            if a.below
            else ""
        )
        + f"<h2>Scenarios</h2>{scenarios_tables(a)}"
        "<h3>Sensitivity: change in % below (percentage points), each driver alone</h3>"
        f"{charts}{sensitivity_table(a.sensitivity, a.benchmark_names)}"
    )
