"""The report as one self-contained HTML page (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

from html import escape

from sync.server.report.charts import report_charts
from sync.server.report.compute import Report
from sync.server.report.household import COMPONENTS, DOMAINS

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
)


def figure(value: float | None, digits: int = 0) -> str:
    """A figure as the report writes it: thousands separated, `–` for none."""
    return "–" if value is None else f"{value:,.{digits}f}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    top = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report, title: str) -> str:
    groups = _table(
        ["by", "group", "households", "% below", "mean income", "median income",
         "mean benchmark", "median benchmark", "gap (medians)", "FGT1", "FGT2",
         "% main crop", "% other", "% own consumption", "women's share %"],
        [
            [g.by, g.group, str(g.households), figure(g.share_below_pct, 1), figure(g.mean_income),
             figure(g.median_income), figure(g.mean_benchmark), figure(g.median_benchmark),
             figure(g.gap_median), figure(g.fgt1, 3), figure(g.fgt2, 3), figure(g.composition_pct["main_crop"], 1),
             figure(g.composition_pct["other"], 1), figure(g.composition_pct["own_consumption"], 1),
             figure(g.women_share_pct, 1)]
            for g in report.groups
        ],
    )  # fmt: skip
    weai = _table(
        ["by", "group", "women interviewed", *DOMAINS, "mean score", "% empowered"],
        [
            [g.by, g.group, str(g.women_module), *(figure(g.adequacy_pct.get(d), 1) for d in DOMAINS),
             figure(g.mean_empowerment_score, 3), figure(g.empowered_pct, 1)]
            for g in report.groups
            if g.women_module
        ],
    )  # fmt: skip
    households = _table(
        ["household", "region", "head", "crop", "farm", *COMPONENTS, "own consumption",
         "income without own", "income total", "units", "benchmark", "gap", "gap %"],
        [
            [h.household_id or h.instance_id, h.region, h.head_sex, h.crop, h.farm_class,
             *(figure(h.components[c]) for c in COMPONENTS), figure(h.own_consumption),
             figure(h.income_without_own), figure(h.income_total), figure(h.equivalence_units, 2),
             figure(h.benchmark), figure(h.gap), figure(h.gap_pct, 1)]
            for h in report.households
        ],
    )  # fmt: skip
    (first, spread), *others = report_charts(report).items()  # the spread above the groups
    skipped = (
        f"<p>{len(report.skipped)} submissions left out (no benchmark or no household members).</p>"
        if report.skipped
        else ""
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{skipped}"
        f"<h2>{escape(first)}</h2>{spread}<h2>Groups</h2>{groups}"
        + "".join(f"<h2>{escape(heading)}</h2>{svg}" for heading, svg in others)
        + f"<h2>Women's empowerment (A-WEAI adequacy by domain, %)</h2>{weai}"
        f"<h2>Households</h2>{households}</body></html>"
    )
