"""Every question of the living income form is shown on at least one scripted path
(the random test-drive may miss rare branches; these paths do not)."""

from __future__ import annotations

from living_income_households import cote_divoire_cocoa, ghana_cocoa, kenya_diversified
from living_income_support import definition, fill, new_session, shown, start

from forms.session import FormSession


def refused_consent() -> FormSession:
    session = new_session()
    start(session, "pe_coffee_cocoa_2024", "pe")
    fill(session, [("consent", "no")])
    return session


def every_input_and_warning() -> FormSession:
    """The Côte d'Ivoire household with every input and every warning's trigger."""
    session = cote_divoire_cocoa()
    inputs = "fertiliser herbicide pesticide fungicide seedlings other_input"
    fill(
        session,
        [
            ("costs/inputs", inputs),
            ("plots/plot[1]/plot_area/area", 25),
            ("main_crop/season[1]/sale/price", 900),
            ("main_crop/season[1]/season_amounts/harvest_qty", 50_000),
            ("costs/other_costs/other_cost", 90_000_000),
        ],
    )
    return session


def every_branch() -> FormSession:
    """The Kenya household with a sharecropped plot, an unsold season without a reference
    price, a crop in an unlisted local unit, task work and loans from every source."""
    session = kenya_diversified()
    credit = "ngo informal formal friends group savings"
    fill(
        session,
        [
            ("plots/plot[1]/share_kind", "abunu"),
            ("plots/plot[1]/share_pct", 50),
            ("main_crop/season[1]/season_amounts/sold_qty", 0),
            ("main_crop/season[1]/season_amounts/kept_qty", 1200),
            ("other_crops/crop_other[1]/oc_amounts/oc_unit", "other"),
            ("costs/labour[1]/labour_days/contract_labour", "yes"),
            ("weai/dm[1]/dm_resources/credit_sources", credit),
        ],
    )
    return session


def test_every_question_is_shown_on_some_scripted_path() -> None:
    questions = {
        c.ref for c in definition().controls() if c.ref and c.kind not in ("group", "repeat")
    }
    paths = [cote_divoire_cocoa, ghana_cocoa, kenya_diversified, refused_consent]
    seen: set[str] = set()
    for path in [
        *paths,
        every_input_and_warning,
        every_branch,
        lambda: ghana_cocoa("gh_cocoa_2022"),
    ]:
        seen |= shown(path())
    assert sorted(questions - seen) == []


def test_refused_consent_ends_the_interview() -> None:
    session = refused_consent()
    assert shown(session) >= {"/data/consent", "/data/consent_refused"}
    assert not any(
        q.startswith(("/data/roster", "/data/weai", "/data/close")) for q in shown(session)
    )
    assert session.validate() == []
