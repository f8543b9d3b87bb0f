"""Synthetic living-income households (24 of them, figures chosen so groups, signs and farm
classes vary) as instance XML, for the report's tests and the report screen's."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sync.server.storage import Storage, SubmissionRecord

KINDS = ["main_net", "other_crops_net", "livestock_net", "wages", "business", "remittances", "transfers"]  # fmt: skip
DOMAIN_FIELDS = ["ad_input", "ad_assets", "ad_credit", "ad_income", "ad_group", "ad_workload"]


def household(n: int) -> dict[str, object]:
    """Figures chosen so groups, signs and classes vary; ages give the roster."""
    ages = [40 - n % 7, 35, 16 + n % 3, 8, 3][: 1 + n % 5]
    if n % 11 == 5:
        ages = [10, 7]
    money = [
        float((n * 97_331 + k * 13_007) % 900_000) - (50_000 if k == 2 else 0) for k in range(7)
    ]
    return {
        "id": f"uuid:li-{n:03d}",
        "hh": f"H{n:03d}",
        "district": ["north", "south", "east"][n % 3],
        "head_sex": "female" if n % 4 == 0 else "male",
        "crop": "cocoa" if n % 3 else "coffee",
        "ha": 0.5 + (n * 0.37) % 7,
        "ages": ages,
        "bm": 3_887_292.0 if n % 2 else 3_587_796.0,
        "units": 2.7,
        "money": money,
        "own": float((n * 31_337) % 400_000),
        "women": float((n * 17_011) % 300_000),
        "adequacy": None if n % 6 == 1 else [(n + k) % 3 != 0 for k in range(6)],
    }


HOUSEHOLDS = [household(n) for n in range(24)]


def xml_of(h: dict[str, object]) -> str:
    money = h["money"]
    assert isinstance(money, list) and isinstance(h["ages"], list)
    members = "".join(f"<member><person><age>{a}</age></person></member>" for a in h["ages"])
    figures = "".join(f"<{k}>{v}</{k}>" for k, v in zip(KINDS, money, strict=True))
    women = ""
    if isinstance(h["adequacy"], list):
        women = "<women>" + "".join(f"<{f}>{int(v)}</{f}>" for f, v in zip(DOMAIN_FIELDS, h["adequacy"], strict=True)) + "</women>"  # fmt: skip
    return (
        f'<data id="living_income_household" version="1"><identification><household_id>{h["hh"]}'
        f"</household_id></identification><bm_value>{h['bm']}</bm_value>"
        f"<bm_ref_units>{h['units']}</bm_ref_units><roster>{members}<head_sex>{h['head_sex']}"
        f"</head_sex></roster><plots><total_ha>{h['ha']}</total_ha></plots><main_crop><crop>"
        f"{h['crop']}</crop></main_crop>{figures}<own_consumption>{h['own']}</own_consumption>"
        f"<women_income>{h['women']}</women_income>{women}"
        f"<meta><instanceID>{h['id']}</instanceID></meta></data>"
    )


def store_households(storage: Storage) -> None:
    """Every household, stored as amina's submission in its district."""
    for h in HOUSEHOLDS:
        xml = xml_of(h)
        digest = hashlib.sha256(xml.encode()).hexdigest()
        storage.add_submission(
            SubmissionRecord(str(h["id"]), "living_income_household", "1", xml, digest, None,
                             None, "2026-02-01T00:00:00", "amina", str(h["district"]), None),
            [],
        )  # fmt: skip


LIVING_INCOME_FORM = (
    Path(__file__).resolve().parents[2] / "assets" / "forms" / "living_income_household.xml"
)
