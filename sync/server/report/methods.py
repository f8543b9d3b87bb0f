"""The methods note at the end of the HTML report: definitions, formulas, the benchmarks'
sources, what is left out and how, and the A-WEAI scoring."""

from __future__ import annotations

from html import escape

from sync.server.report.compute import Report
from sync.server.report.estimates import REPLICATES
from sync.server.report.groups import SMALL
from sync.server.report.weai import WEIGHTS

DEFINITIONS = (
    "Income: net annual income of the household, all members and all sources (main crop,"
    " other crops, livestock, wages, business, remittances, transfers) plus the value of own"
    " consumption, following KIT/COSA, Guidance on calculating household income (2020).",
    "Household size: OECD-modified equivalence units (1 for the first adult, 0.5 per other"
    " member aged 14 or more, 0.3 per child). The adjusted benchmark is the benchmark × the"
    " household's units ÷ the reference household's units (a linear scaling, which also"
    " scales fixed costs such as housing); the comparison with the reference household's"
    " benchmark as published is shown beside it.",
    "Share below: the weighted share of households whose income is below their adjusted benchmark.",
    "Shortfall of a household: (adjusted benchmark − max(income, 0)) ÷ adjusted benchmark."
    " A net loss counts as no income, so a shortfall never exceeds 1 (100 %); it is negative"
    " for a household above its benchmark.",
    "Gap: the weighted median shortfall in % of the benchmark. Positive: the median household"
    " lacks that share of its benchmark; negative: it earns that share above it. The gap on"
    " the medians (median adjusted benchmark − median income) is shown in the currency.",
    "FGT1 and FGT2: the weighted mean over households of the shortfall where positive (0"
    " above the benchmark), and of its square (LICOP, Guidance manual on calculating and"
    " visualizing the income gap to a Living Income Benchmark, 2020).",
    "Women's share: per household, the income of the sources women control (a joint decision"
    " counts half), bounded to 0 and to the household's income of the sources that made money,"
    " each crop, animal and income source on its own (own consumption apart); summed over the"
    " group and divided by the group's sum of that income, so it lies between 0 and 100 %.",
    "Income per adult equivalent: income ÷ the household's equivalence units.",
)


def _sources(report: Report) -> str:
    items = []
    for b in report.benchmarks:
        text = (
            f"{b.id}: {b.place}, {b.currency} per household per year, reference household"
            f" {b.reference_members:g} members / {b.reference_units:g} equivalence units;"
            f" {b.type or 'type not stated'}; {b.publication or 'publication not stated'}"
            f" ({b.publication_year or b.original_year}) {b.url}"
        )
        if b.price_factor != 1.0:
            text += (
                f"; brought from {b.original_year} to {b.year} by a price-index factor of"
                f" {b.price_factor:g} ({b.price_factor_source or 'source not stated'})"
            )
        if b.superseded_by:
            text += f"; superseded by {b.superseded_by}"
        items.append(f"<li>{escape(text)}</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>No benchmark used.</p>"


def methods_note(report: Report) -> str:
    weights = ", ".join(f"{d} {w:.3f}" for d, w in WEIGHTS.items())
    negative = sum(1 for h in report.households if h.income_total < 0)
    exclusions = (
        f"{len(report.skipped)} submissions were left out: no benchmark value or reference"
        " units, no household member, or a sample weight not above 0. "
        f"{negative} households have a negative net income: they stay in every figure, with"
        " their income counted as 0 in the shortfall, the gap and the FGT indices, and are"
        " counted in each group's 'households with a net loss'. Income components the"
        " questionnaire could not value (a missing price) count as 0, as in the form."
    )
    uncertainty = (
        "Every estimate is weighted by the household's sample weight (1 when the sample design"
        f" gives none). The 95 % intervals come from a bootstrap over households: {REPLICATES}"
        " resamples with replacement, the 2.5th and 97.5th percentiles of the estimates,"
        f" seeded ({report.seed}) so the same data give the same intervals. Groups under"
        f" {SMALL} households are marked as fragile."
    )
    weai = (
        "Women's empowerment follows IFPRI's Instructional Guide on the A-WEAI (Malapit et al.,"
        f" 2015): six indicators weighted {weights}; a woman is empowered when adequate in at"
        " least 80 % of the weighted indicators. 5DE = 1 − H × A, with H the share of women"
        " not empowered and A their mean inadequacy score. The GPI compares, in dual-adult"
        " households, the woman's censored inadequacy score with the primary male decision-"
        "maker's: GPI = 1 − H_GPI × I_GPI (H_GPI: share of women without parity; I_GPI: their"
        " mean gap (c_w − c_m) ÷ (1 − c_m)). A-WEAI = 0.9 × 5DE + 0.1 × GPI; without men's"
        " data the index is the 5DE (women), never called A-WEAI."
    )
    definitions = "".join(f"<li>{escape(d)}</li>" for d in DEFINITIONS)
    return (
        f"<h3>Population</h3><p>{escape(report.population.describe())}</p>"
        f"<h3>Definitions</h3><ul>{definitions}</ul>"
        f"<h3>Benchmarks</h3>{_sources(report)}"
        f"<h3>Exclusions</h3><p>{escape(exclusions)}</p>"
        f"<h3>Weights and uncertainty</h3><p>{escape(uncertainty)}</p>"
        f"<h3>Women's empowerment</h3><p>{escape(weai)}</p>"
    )
