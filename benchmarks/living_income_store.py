"""A server data directory holding many living income submissions, for the exports and
queue benchmarks.

Answering a household through `FormSession` costs tens of milliseconds, too much for
100,000 of them, so `POOL` households are answered (in parallel processes, each different:
`living_income_households`) and each stored submission is one of them with its own
identity: instanceID, household ID, village, GPS point, interview date and member names
(renamed consistently, so every "who" answer still names a member). Submissions sharing a
pool household are `POOL` rows apart, far outside the 32 kB window of the zip's deflate,
so compressed sizes are those of distinct households.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.living_income_households import FORM, FORM_ID, NAMES, NOW, definition
from benchmarks.living_income_households import household_xml as answered
from sync.server.app import open_storage
from sync.server.storage import FormRecord

POOL = 2_000
DISTRICTS = ("north", "south", "east", "west")
GIVEN = ("Abena", "Adama", "Afia", "Akua", "Amadou", "Aminata", "Awa", "Bintou", "Boubacar",
         "Chebet", "Daouda", "Esi", "Fanta", "Habiba", "Ibrahim", "Jepkoech", "Kamau", "Karim",
         "Kiptoo", "Kojo", "Kwabena", "Mamadou", "Moussa", "Nafissatou", "Nana", "Njeri",
         "Oumar", "Rokia", "Salif", "Seydou", "Wanjiru", "Yaw", "Zalika", "Zeinab")  # fmt: skip
NAME_TEXT = re.compile(">(" + "|".join(NAMES) + ")<")
DAY = NOW.date().isoformat()
VILLAGE = re.compile("<village>([^<]*)</village>")


@functools.cache
def pool(size: int = POOL) -> tuple[str, ...]:
    """`size` households answered through FormSession, numbered 0 to size - 1 (answered once
    per process: the exports and queue sections of one run share them)."""
    workers = max(1, os.cpu_count() or 1)
    with ProcessPoolExecutor(workers) as executor:
        return tuple(executor.map(answered, range(size), chunksize=max(1, size // workers // 8)))


def relabelled(xml: str, source: int, number: int, rng: random.Random) -> str:
    """Pool household `source` as submission `number`: its own identity, same answers."""
    names = dict(zip(NAMES, rng.sample(GIVEN, len(NAMES)), strict=True))
    lat, lon = rng.uniform(5, 8), rng.uniform(-7, -3)
    xml = xml.replace(f"uuid:bench-{source:07d}", f"uuid:bench-{number:07d}")
    xml = xml.replace(f"HH-{source:07d}", f"HH-{number:07d}")
    xml = xml.replace(DAY, _day(number)[:10])
    village = VILLAGE.search(xml)
    if village is not None:
        new = f"Village {rng.randint(1, 400)}"
        xml = xml.replace(village.group(0), f"<village>{new}</village>")
        xml = xml.replace(f" {village.group(1)}</instanceName>", f" {new}</instanceName>")
    xml = re.sub(r"<gps>[^<]*</gps>", f"<gps>{lat:.6f} {lon:.6f} {rng.randint(80, 400)} 5</gps>", xml)  # fmt: skip
    return NAME_TEXT.sub(lambda found: f">{names[found.group(1)]}<", xml)


def _day(number: int) -> str:
    return f"2026-0{1 + number % 6}-{1 + number % 28:02d}T08:00:00.000+00:00"


def generate(data: Path, count: int) -> int:
    """Store `count` submissions in a fresh data directory; returns the XML bytes stored."""
    xform = FORM.read_text(encoding="utf-8")
    version = definition().version or ""
    storage, _ = open_storage(data)
    md5 = hashlib.md5(xform.encode("utf-8")).hexdigest()
    storage.put_form(FormRecord(FORM_ID, version, "Living income", md5, xform, 0))
    households = pool(min(POOL, count))
    rng = random.Random(11)
    size = 0

    def rows() -> Iterator[tuple[object, ...]]:
        nonlocal size
        for n in range(count):
            xml = relabelled(households[n % len(households)], n % len(households), n, rng)
            size += len(xml.encode("utf-8"))
            digest = hashlib.sha256(xml.encode("utf-8")).hexdigest()
            yield (f"uuid:bench-{n:07d}", FORM_ID, version, xml, digest, None, f"HH-{n:07d}",
                   _day(n), f"enum{n % 40}", DISTRICTS[n % 4], f"dev{n % 40}", "done")  # fmt: skip

    db = storage.db  # type: ignore[attr-defined]
    with db.conn:
        db.conn.executemany(
            "INSERT INTO submissions (instance_id, form_id, form_version, xml, xml_sha256,"
            " deprecated_id, instance_name, submitted_at, enumerator, district, device_id,"
            " outbox) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )
    db.conn.close()
    return size
