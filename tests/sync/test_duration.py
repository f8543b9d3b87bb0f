"""An interview's duration is the time spent in it, read from its audit log; the time spent
correcting it is counted apart; the dashboard's median and `too_short` use it.

The issue: an interview of 12 minutes, finalized at 10:12 and corrected at 10:16-10:19,
showed 19 minutes (its `end` minus its `start`). ODK Collect's audit log has the sessions:
`form start`/`form resume` to `form exit`/`form finalize`; a session cut off (the app killed)
ends at the last moment logged in it. Every expected number below is counted by hand from
the timestamps.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from server_support import Server, instance_xml, make_server

from fieldapp.paradata import audit_log
from sync.server.quality.config import save_config
from sync.server.quality.duration import Durations, audit_durations
from sync.server.supervisor_ui.screens import _duration_line

pytestmark = pytest.mark.server_storage

T0 = 1_770_000_000_000
"""10:00 on the day of the interview, in milliseconds since the epoch."""
MIN = 60_000


def log(*rows: tuple[str, int, int | None]) -> str:
    lines = ["event,node,start,end"]
    lines += [f"{event},/data/q,{start},{'' if end is None else end}" for event, start, end in rows]
    return "\n".join(lines) + "\n"


CORRECTED = log(
    ("form start", T0, None),
    ("question", T0, T0 + 5 * MIN),
    ("question", T0 + 5 * MIN, T0 + 12 * MIN),
    ("form finalize", T0 + 12 * MIN, None),
    ("form exit", T0 + 12 * MIN, None),
    ("form resume", T0 + 16 * MIN, None),
    ("question", T0 + 16 * MIN, T0 + 19 * MIN),
    ("form finalize", T0 + 19 * MIN, None),
    ("form exit", T0 + 19 * MIN, None),
)
"""12 minutes of interview, finalized at 10:12; corrected from 10:16 to 10:19."""


def test_the_interview_counts_its_sessions_and_the_correction_apart() -> None:
    assert audit_durations(CORRECTED) == Durations(interview_s=12 * 60, correction_s=3 * 60)


def test_a_pause_between_sessions_counts_nowhere_and_a_cut_session_ends_at_its_last_row() -> None:
    paused = log(
        ("form start", T0, None),
        ("question", T0, T0 + 4 * MIN),
        ("form exit", T0 + 4 * MIN, None),
        ("form resume", T0 + 120 * MIN, None),  # two hours later
        ("question", T0 + 120 * MIN, T0 + 121 * MIN),  # then the app was killed
        ("form resume", T0 + 300 * MIN, None),
        ("form save", T0 + 302 * MIN, None),  # a save does not end the session
        ("question", T0 + 302 * MIN, T0 + 306 * MIN),
        ("form finalize", T0 + 306 * MIN, None),
    )
    assert audit_durations(paused) == Durations(interview_s=(4 + 1 + 6) * 60, correction_s=0)


def test_a_log_without_sessions_gives_no_duration() -> None:
    assert audit_durations(log(("question", T0, T0 + MIN))) is None
    assert audit_durations("not,a,log\n1,2,3\n") is None


@dataclass(frozen=True)
class Logged:
    event: str
    ref: str | None
    value: str | None
    at: str


def test_the_log_the_app_writes_reads_back() -> None:
    """A corrected version's log as `fieldapp/paradata.py` writes it: the first version's
    sessions (7 + 5 minutes), then the correction's (3 minutes), a day later."""
    events = [
        Logged("form_start", None, None, "2026-02-03T10:00:00+00:00"),
        Logged("screen", "/data/a", "question", "2026-02-03T10:00:00+00:00"),
        Logged("screen", "/data/b", "question", "2026-02-03T10:05:00+00:00"),
        Logged("form_exit", None, None, "2026-02-03T10:07:00+00:00"),
        Logged("form_resume", None, None, "2026-02-03T11:00:00+00:00"),
        Logged("screen", "/data/c", "question", "2026-02-03T11:00:00+00:00"),
        Logged("screen", None, "end", "2026-02-03T11:04:00+00:00"),
        Logged("form_finalize", None, None, "2026-02-03T11:05:00+00:00"),
        Logged("form_exit", None, None, "2026-02-03T11:05:00+00:00"),
        Logged("form_resume", None, None, "2026-02-04T09:00:00+00:00"),
        Logged("screen", "/data/a", "question", "2026-02-04T09:00:00+00:00"),
        Logged("screen", None, "end", "2026-02-04T09:02:00+00:00"),
        Logged("form_finalize", None, None, "2026-02-04T09:03:00+00:00"),
        Logged("form_exit", None, None, "2026-02-04T09:03:00+00:00"),
    ]
    text = audit_log(events).decode("utf-8")
    assert audit_durations(text) == Durations(interview_s=12 * 60, correction_s=3 * 60)


@pytest.fixture
def server(tmp_path: Path) -> Server:
    made = make_server(tmp_path / "server")
    save_config(made.storage, json.dumps({"min_total_minutes": 15}))
    return made


def push(server: Server, instance_id: str, minutes: int, audit: bytes = b"") -> None:
    """A submission whose `start` and `end` fields are `minutes` apart, declaring `audit`."""
    times = (
        "<start>2026-02-03T10:00:00.000+00:00</start>"
        f"<end>2026-02-03T10:{minutes:02d}:00.000+00:00</end>"
    )
    xml = instance_xml(instance_id).replace("<enumerator>", times + "<enumerator>")
    item: dict[str, object] = {"instance_id": instance_id, "form_id": "demo_household", "xml": xml}
    if audit:
        digest = hashlib.sha256(audit).hexdigest()
        item["attachments"] = [{"name": "audit.csv", "sha256": digest, "size": len(audit)}]
    body = {"batch_id": instance_id, "device_id": "d1", "items": [item]}
    pushed = server.client.post("/api/v1/submissions", json=body, headers=server.auth("amina"))
    assert pushed.status_code == 200, pushed.text


def put_audit(server: Server, instance_id: str, audit: bytes) -> None:
    path = f"/api/v1/submissions/{instance_id}/attachments/audit.csv"
    put = server.client.put(path, content=audit, headers=server.auth("amina"))
    assert put.status_code == 201, put.text


def median_minutes(server: Server) -> float:
    response = server.client.get("/api/v1/review/dashboard", headers=server.auth("sue"))
    assert response.status_code == 200, response.text
    [amina] = [row for row in response.json() if row["enumerator"] == "amina"]
    return float(amina["median_duration_min"])


def too_short(server: Server, instance_id: str) -> list[str]:
    index = server.client.get("/api/v1/review/queue", headers=server.auth("sue")).json()
    [row] = [r for r in index if r["instance_id"] == instance_id]
    return [f["message"] for f in row["flags"] if f["code"] == "too_short"]


def test_the_dashboard_median_and_too_short_use_the_time_spent(server: Server) -> None:
    push(server, "uuid:corrected", 19, CORRECTED.encode())
    push(server, "uuid:plain", 20)
    assert median_minutes(server) == (19 + 20) / 2
    assert too_short(server, "uuid:corrected") == []
    put_audit(server, "uuid:corrected", CORRECTED.encode())
    assert median_minutes(server) == (12 + 20) / 2
    assert too_short(server, "uuid:corrected") == [
        "interview took 12.0 min (minimum 15 min, from the audit log)"
    ]
    assert too_short(server, "uuid:plain") == []


def test_the_review_shows_the_time_spent_its_source_and_the_correction_apart(
    server: Server,
) -> None:
    """The submission's review view and its screen line: 12 min in the interview and 3 min of
    correction from the log (CORRECTED), where the start/end fields said 19 min."""
    push(server, "uuid:corrected", 19, CORRECTED.encode())

    def view() -> dict[str, Any]:
        got = server.client.get(
            "/api/v1/review/submissions/uuid:corrected", headers=server.auth("sue")
        )
        assert got.status_code == 200, got.text
        return dict(got.json())

    before = view()
    assert (before["duration_min"], before["duration_from"], before["correction_min"]) == (
        19.0,
        "start/end",
        None,
    )
    assert _duration_line(before) == "Duration: 19.0 min (from the start and end times)"
    put_audit(server, "uuid:corrected", CORRECTED.encode())
    after = view()
    assert (after["duration_min"], after["duration_from"], after["correction_min"]) == (
        12.0,
        "the audit log",
        3.0,
    )
    assert _duration_line(after) == (
        "Duration: 12.0 min (from the audit log); corrections afterwards: 3.0 min"
    )
