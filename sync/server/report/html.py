"""The report as one self-contained HTML page (inline CSS and SVG, nothing fetched).

Every row of figures names its benchmark and currency; money is in that currency, per
household and year. The page ends with the methods note (`methods.py`).
"""

from __future__ import annotations

from html import escape

from sync.server.report.charts import report_charts
from sync.server.report.compute import Report
from sync.server.report.estimates import Estimate
from sync.server.report.groups import BANDS, SMALL, SOURCES, GroupResult
from sync.server.report.household import COMPONENTS, DOMAINS
from sync.server.report.methods import methods_note

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1em;color:#222;max-width:100%}"
    ".wide{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
    "th{min-width:5em;max-width:12em;vertical-align:bottom}"
    "th:first-child,td:first-child{text-align:left}"
    "svg{max-width:100%;height:auto}"
    "p,li{overflow-wrap:anywhere}"
)
"""Fits a tablet's width (800 px): a wide table scrolls sideways in its own box, headings
wrap, a chart shrinks to the page."""
DIMENSIONS = {"all": "all households", "head_sex": "sex of the head", "district": "district",
              "crop": "main crop", "farm_class": "farm size"}  # fmt: skip


def figure(value: float | None, digits: int = 0) -> str:
    """A figure as the report writes it: thousands separated, `–` for none."""
    return "–" if value is None else f"{value:,.{digits}f}"


def interval(estimate: Estimate, digits: int = 0) -> str:
    """An estimate and its 95 % interval: `41.7 [20.0, 62.5]` (a comma, not a dash, so
    that negative bounds read plainly: `-6.3 [-125.7, 83.2]`)."""
    low, high = estimate.ci95
    return f"{figure(estimate.value, digits)} [{figure(low, digits)}, {figure(high, digits)}]"


def size(g: GroupResult) -> str:
    """n, marked when under SMALL households."""
    return f"{g.n:,}" + (f" (< {SMALL}: fragile)" if g.small else "")


def named(g: GroupResult) -> list[str]:
    """The columns that say what a row is: dimension, group, benchmark and its year, currency."""
    b = g.benchmark
    old = f", superseded by {b.superseded_by}" if b.superseded_by else ""
    return [DIMENSIONS.get(g.by, g.by), g.group, f"{b.place} {b.year} ({b.id}{old})", g.currency]


NAMED = ["by", "group", "benchmark (place, year)", "currency"]


def _table(head: list[str], rows: list[list[str]]) -> str:
    top = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f"<div class='wide'><table><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def groups_table(report: Report) -> str:
    return _table(
        [*NAMED, "n", "% below adjusted benchmark [95% CI]", "% below reference-household benchmark",
         "mean income [95% CI]", "median income [95% CI]", "median adjusted benchmark",
         "gap: median shortfall % of benchmark [95% CI]", "gap on medians (benchmark − income)",
         "FGT1", "FGT2", "households with a net loss", "median income per adult equivalent",
         "women's share % (sources that made money)"],
        [[*named(g), size(g), interval(g.share_below_pct, 1), figure(g.share_below_reference_pct, 1),
          interval(g.mean_income), interval(g.median_income), figure(g.median_benchmark),
          interval(g.gap_pct, 1), figure(g.gap_median), figure(g.fgt1, 3), figure(g.fgt2, 3),
          f"{g.negative_income:,}", figure(g.income_per_adult_equivalent.median),
          figure(g.women_share_pct, 1)] for g in report.groups],
    )  # fmt: skip


def sources_table(report: Report) -> str:
    return _table(
        [*NAMED, "n", *(f"{s.replace('_', ' ')} (mean / median)" for s in SOURCES),
         "% main crop", "% other", "% own consumption"],
        [[*named(g), size(g),
          *(f"{figure(g.sources[s].mean)} / {figure(g.sources[s].median)}" for s in SOURCES),
          *(figure(g.composition_pct[k], 1) for k in ("main_crop", "other", "own_consumption"))]
         for g in report.groups],
    )  # fmt: skip


def distribution_table(report: Report) -> str:
    return _table(
        [*NAMED, "n", *(f"% at {label} of the benchmark" for label, _, _ in BANDS)],
        [[*named(g), size(g), *(figure(g.distribution_pct[label], 1) for label, _, _ in BANDS)]
         for g in report.groups],
    )  # fmt: skip


def weai_table(report: Report) -> str:
    rows = [(g, g.weai) for g in report.groups if g.weai is not None]
    return _table(
        ["by", "group", "benchmark", "women interviewed", *(f"{d} adequate %" for d in DOMAINS),
         "% empowered", "H (disempowered)", "A (their inadequacy)", "5DE", "dual-adult households",
         "GPI", "index"],
        [[DIMENSIONS.get(g.by, g.by), g.group, g.benchmark.id, f"{w.women:,}",
          *(figure(w.adequacy_pct[d], 1) for d in DOMAINS), figure(w.empowered_pct, 1),
          figure(w.disempowered_share, 3), figure(w.mean_inadequacy, 3), figure(w.five_de, 3),
          f"{w.dual_adult:,}", figure(w.gpi, 3), f"{w.index_label} {figure(w.index, 3)}"]
         for g, w in rows],
    )  # fmt: skip


def households_table(report: Report) -> str:
    currency = {b.id: b.currency for b in report.benchmarks}
    return _table(
        ["household", "district", "head", "crop", "farm", "benchmark", "currency", "weight",
         *COMPONENTS, "own consumption", "income without own", "income total", "units",
         "reference benchmark", "adjusted benchmark", "gap", "shortfall %"],
        [[h.household_id or h.instance_id, h.district, h.head_sex, h.crop, h.farm_class,
          h.benchmark_id, currency.get(h.benchmark_id, "unknown"), figure(h.weight, 2),
          *(figure(h.components[c]) for c in COMPONENTS), figure(h.own_consumption),
          figure(h.income_without_own), figure(h.income_total), figure(h.equivalence_units, 2),
          figure(h.benchmark_reference), figure(h.benchmark), figure(h.gap),
          figure(h.shortfall * 100, 1)] for h in report.households],
    )  # fmt: skip


def render_html(report: Report, title: str, drivers: str = "") -> str:
    """`drivers`: the income drivers and scenarios section (`scenarios_html`), if any."""
    (first, spread), *others = report_charts(report).items()  # the spread above the groups
    skipped = (
        f"<p>{len(report.skipped)} submissions left out (no benchmark, no household members or"
        " no positive sample weight).</p>"
        if report.skipped
        else ""
    )
    women = (
        weai_table(report) if any(g.weai for g in report.groups) else "<p>No women's module.</p>"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>Population: {escape(report.population.describe())} {len(report.households):,}"
        f" households.</p>{skipped}"
        "<p>Money is net income per household per year, in the currency named on each row;"
        " each group holds the households of one benchmark (place, currency, year).</p>"
        f"<h2>{escape(first)}</h2>{spread}<h2>Groups</h2>{groups_table(report)}"
        f"<h2>Income by source (mean / median per household)</h2>{sources_table(report)}"
        f"<h2>Distribution of income against the benchmark</h2>{distribution_table(report)}"
        + "".join(f"<h2>{escape(heading)}</h2>{svg}" for heading, svg in others)
        + f"<h2>Women's empowerment (A-WEAI indicators)</h2>{women}"
        f"{drivers}<h2>Households</h2>{households_table(report)}"
        f"<h2>Methods</h2>{methods_note(report)}</body></html>"
    )
