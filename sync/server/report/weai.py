"""Women's empowerment: the 5DE, the Gender Parity Index and the A-WEAI of a group.

Follows IFPRI's "Instructional Guide on the Abbreviated Women's Empowerment in Agriculture
Index (A-WEAI)" (Malapit et al., 2015, updated 2020), section "Calculating the A-WEAI":

- each indicator is adequate or not; the inadequacy score c of a person is the weighted
  sum of their inadequate indicators (weights: input in productive decisions 1/5, ownership
  of assets 2/15, access to and decisions on credit 1/15, control over use of income 1/5,
  group membership 1/5, workload 1/5);
- a person is empowered with an adequacy of at least 80 % (c ≤ 20 %); otherwise
  disempowered. The censored score is c for the disempowered and 0 for the empowered;
- 5DE = 1 − H × A, H the share of disempowered women and A their mean inadequacy score
  (equivalently 1 − the mean censored score);
- GPI, over dual-adult households (the primary female and male decision-makers both
  interviewed): a woman lacks parity when her censored score exceeds the man's; H_GPI is
  the share of women lacking parity, I_GPI their mean empowerment gap
  (c_w − c_m) / (1 − c_m) on censored scores, and GPI = 1 − H_GPI × I_GPI;
- A-WEAI = 0.9 × 5DE + 0.1 × GPI. Without men's data there is no GPI: the index is then
  reported as "5DE (women)", never as the A-WEAI.

Every share and mean is weighted by the household's sample weight.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from sync.server.report.estimates import dot
from sync.server.report.household import DOMAINS

WEIGHTS = {
    "input": 1 / 5, "assets": 2 / 15, "credit": 1 / 15,
    "income": 1 / 5, "group": 1 / 5, "workload": 1 / 5,
}  # fmt: skip
"""A-WEAI indicator weights (they sum to 1)."""
EMPOWERED_AT = 0.8
"""Empowered: adequate in at least 80 % of the weighted indicators."""
TOLERANCE = 1e-9
"""Weights in thirds and fifths do not add exactly in binary: 0.8 is 0.8 within this."""


VECTOR = np.array([WEIGHTS[d] for d in DOMAINS])


def inadequacy(adequate: NDArray[np.bool_]) -> NDArray[np.float64]:
    """The weighted share of indicators in which each person (a row) is inadequate."""
    return np.asarray(np.einsum("ij,j->i", (~adequate).astype(np.float64), VECTOR))


def censored(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """The inadequacy scores of the disempowered; 0 for the empowered."""
    return np.where(scores > 1 - EMPOWERED_AT + TOLERANCE, scores, 0.0)


class Weai(BaseModel):
    model_config = ConfigDict(frozen=True)

    women: int
    """Women interviewed (the women's module done)."""
    adequacy_pct: dict[str, float]
    empowered_pct: float
    disempowered_share: float
    """H: the weighted share of women who are not empowered."""
    mean_inadequacy: float | None
    """A: the mean inadequacy score of the disempowered (None when none is)."""
    five_de: float
    dual_adult: int
    """Households with both the woman's and the man's module."""
    gpi: float | None
    parity_pct: float | None
    """Women in dual-adult households with parity: their censored score ≤ the man's."""
    a_weai: float | None
    index_label: str
    """"A-WEAI" with men's data, "5DE (women)" without."""
    index: float
    """The A-WEAI, or the 5DE when there is no GPI."""


def weai(
    women: NDArray[np.bool_],
    weights: NDArray[np.float64],
    men: NDArray[np.bool_],
    dual: NDArray[np.bool_],
) -> Weai | None:
    """`women`: adequacy, a row per woman interviewed and a column per domain (DOMAINS
    order); `weights`: their households' weights; `men`: the man's adequacy in the same rows,
    read where `dual` (the household is dual-adult: the man's module was done). None
    without a woman."""
    total = float(weights.sum())
    if not len(women) or total <= 0:
        return None
    scores = inadequacy(women)
    kept = censored(scores)
    weak = kept > 0
    h = float(weights[weak].sum()) / total
    a = dot(scores[weak], weights[weak]) / float(weights[weak].sum()) if weak.any() else None
    five_de = 1 - h * (a or 0.0)
    gpi = parity = None
    paired = weights[dual]
    if dual.any() and paired.sum() > 0:
        cw, cm = kept[dual], censored(inadequacy(men[dual]))
        lacking = cw > cm
        h_gpi = float(paired[lacking].sum() / paired.sum())
        gaps = (cw - cm)[lacking] / (1 - cm[lacking])
        i_gpi = dot(gaps, paired[lacking]) / float(paired[lacking].sum()) if lacking.any() else 0.0
        gpi = 1 - h_gpi * i_gpi
        parity = (1 - h_gpi) * 100
    a_weai = 0.9 * five_de + 0.1 * gpi if gpi is not None else None
    adequate = np.einsum("ij,i->j", women.astype(np.float64), weights) / total * 100
    return Weai(
        women=len(women),
        adequacy_pct={d: float(v) for d, v in zip(DOMAINS, adequate, strict=True)},
        empowered_pct=(1 - h) * 100,
        disempowered_share=h,
        mean_inadequacy=a,
        five_de=five_de,
        dual_adult=int(dual.sum()),
        gpi=gpi,
        parity_pct=parity,
        a_weai=a_weai,
        index_label="A-WEAI" if a_weai is not None else "5DE (women)",
        index=a_weai if a_weai is not None else five_de,
    )
