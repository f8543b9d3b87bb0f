"""Inline SVG charts drawn by our own code (no scripts, no external files)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sync.server.report.compute import Report
from sync.server.report.groups import GroupResult
from sync.server.report.households import HouseholdResult

WIDTH, HEIGHT, PAD = 640, 260, 40
MAX_BARS = 280
"""Bars of the income distribution at most: two pixels each."""
LABELS = 230
"""Width (px) of the group names left of the composition bars."""
EMPTY_LINE = 70
"""Characters per line of an empty chart's explanation."""
COLOURS = {"main_crop": "#2e7d32", "other": "#1565c0", "own_consumption": "#f9a825"}


def _svg(body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}"><title>{escape(title)}</title>{body}</svg>'
    )


def empty(title: str, why: str) -> str:
    """A chart with nothing to draw, saying why in its middle (wrapped to fit its width)."""
    words, lines = why.split(), [""]
    for word in words:
        if len(lines[-1]) + len(word) + 1 > EMPTY_LINE:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    top = HEIGHT / 2 - (len(lines) - 1) * 10
    said = "".join(
        f'<text x="{WIDTH / 2}" y="{top + n * 20:.1f}" text-anchor="middle" font-size="14"'
        f' fill="#555">{escape(line)}</text>'
        for n, line in enumerate(lines)
    )
    frame = (
        f'<rect x="1" y="1" width="{WIDTH - 2}" height="{HEIGHT - 2}" fill="none" stroke="#ccc"/>'
    )
    return _svg(frame + said, f"{title}: {why}")


def income_vs_benchmark(households: Sequence[HouseholdResult], why: str = "") -> str:
    """Each household's income as % of its adjusted benchmark, sorted; a line at 100%. Past
    MAX_BARS households a bar stands for a quantile, so 100,000 households draw as a few
    hundred bars (a few kB), with the same shape and the same share in red. With no
    household, the chart says `why`."""
    ratios = sorted(h.income_total / h.benchmark * 100 for h in households)
    if not ratios:
        return empty("Household income as % of the adjusted benchmark", why)
    if len(ratios) > MAX_BARS:
        last = len(ratios) - 1
        ratios = [ratios[round(i * last / (MAX_BARS - 1))] for i in range(MAX_BARS)]
    top = max(150.0, max(ratios))
    low = min(0.0, min(ratios))
    span = top - low
    step = (WIDTH - 2 * PAD) / len(ratios)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)

    bars = "".join(
        f'<rect x="{PAD + i * step:.1f}" y="{min(y(r), y(0)):.1f}" width="{max(step - 1, 0.5):.1f}"'
        f' height="{abs(y(0) - y(r)):.1f}" fill="{"#c62828" if r < 100 else "#2e7d32"}"/>'
        for i, r in enumerate(ratios)
    )
    line = (
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(100):.1f}" y2="{y(100):.1f}"'
        ' stroke="#000" stroke-dasharray="4 3"/>'
        f'<text x="{WIDTH - PAD}" y="{y(100) - 4:.1f}" text-anchor="end" font-size="11">'
        "living income benchmark (100%)</text>"
    )
    return _svg(bars + line, "Household income as % of the adjusted benchmark")


def label(g: GroupResult, suffix: str = "") -> str:
    """A group's name in a chart, with its benchmark (groups are split by benchmark)."""
    return f"{g.group}{suffix} ({g.benchmark.id})"


def composition_bars(groups: Sequence[GroupResult], why: str = "") -> str:
    """Stacked bars: main crop / other / own consumption shares per group (or `why` not)."""
    if not groups:
        return empty("Income composition", why)
    band = (HEIGHT - 2 * PAD) / len(groups)
    parts = []
    for i, g in enumerate(groups):
        x = float(LABELS)
        top = PAD + i * band
        parts.append(
            f'<text x="{LABELS - 5}" y="{top + band / 2 + 4:.1f}" text-anchor="end" font-size="11">'
            f"{escape(label(g))}</text>"
        )
        for key, colour in COLOURS.items():
            share = max(0.0, g.composition_pct.get(key, 0.0))
            width = share / 100 * (WIDTH - LABELS - PAD)
            parts.append(
                f'<rect x="{x:.1f}" y="{top + 2:.1f}" width="{width:.1f}"'
                f' height="{max(band - 4, 1):.1f}" fill="{colour}"><title>{key}: {share:.1f}%'
                "</title></rect>"
            )
            x += width
    legend = "".join(
        f'<rect x="{150 + n * 150}" y="8" width="10" height="10" fill="{c}"/>'
        f'<text x="{165 + n * 150}" y="17" font-size="11">{k.replace("_", " ")}</text>'
        for n, (k, c) in enumerate(COLOURS.items())
    )
    return _svg(legend + "".join(parts), "Income composition")


def gap_by_head_sex(groups: Sequence[GroupResult], why: str = "") -> str:
    """Share below the benchmark and the FGT gap index, by sex of the household head (or
    `why` not)."""
    rows = [g for g in groups if g.by == "head_sex"]
    if not rows:
        return empty("Living income gap by sex of the household head", why)
    band = (WIDTH - 2 * PAD) / len(rows)
    parts = []
    for i, g in enumerate(rows):
        left = PAD + i * band
        for n, (value, colour) in enumerate(
            ((g.share_below_pct.value, "#c62828"), (g.fgt1 * 100, "#6a1b9a"))
        ):
            height = value / 100 * (HEIGHT - 2 * PAD)
            parts.append(
                f'<rect x="{left + 10 + n * (band / 2 - 10):.1f}" y="{HEIGHT - PAD - height:.1f}"'
                f' width="{band / 2 - 20:.1f}" height="{height:.1f}" fill="{colour}">'
                f"<title>{value:.1f}%</title></rect>"
            )
        parts.append(
            f'<text x="{left + band / 2:.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle"'
            f' font-size="12">{escape(label(g, "-headed"))}</text>'
        )
    legend = (
        '<rect x="40" y="8" width="10" height="10" fill="#c62828"/>'
        '<text x="55" y="17" font-size="11">% below benchmark</text>'
        '<rect x="200" y="8" width="10" height="10" fill="#6a1b9a"/>'
        '<text x="215" y="17" font-size="11">FGT gap index (%)</text>'
    )
    return _svg(legend + "".join(parts), "Living income gap by sex of the household head")


def report_charts(report: Report) -> dict[str, str]:
    """The report's three charts by heading, as the HTML report and the report screen show
    them; composition for all households and by sex of the head."""
    overall_and_sex = [g for g in report.groups if g.by in ("all", "head_sex")]
    nobody = empty_reason(report)
    sexless = nobody or "No household in this report has its head's sex recorded."
    return {
        "Income against the living income benchmark": income_vs_benchmark(
            report.households, nobody
        ),
        "Income composition": composition_bars(overall_and_sex, nobody),
        "Gap by sex of the household head": gap_by_head_sex(report.groups, sexless),
    }


def empty_reason(report: Report) -> str:
    """Why the report has no household to count ("" when it has some): "No approved
    household with a benchmark and a household size in north."."""
    if report.households:
        return ""
    states = " or ".join(report.population.states) or "submitted"
    where = ", ".join(report.population.districts) or "any district"
    return f"No {states} household with a benchmark and a household size in {where}."
