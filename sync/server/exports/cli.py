"""The `export` and `report` commands of `fieldapp-server` (argument handling only)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from sync.server.errors import BadRequest
from sync.server.exports.run import check_target, export, export_schema
from sync.server.exports.source import ExportFilter
from sync.server.report.analysis import analysis_for, report_json
from sync.server.report.build import report_for
from sync.server.report.html import render_html
from sync.server.report.scenarios import parse_scenario
from sync.server.report.scenarios_html import drivers_html
from sync.server.storage import Storage


def _filter(args: argparse.Namespace) -> ExportFilter:
    states = getattr(args, "state", [])
    if hasattr(args, "states"):  # the report's --states approved,received
        states = [s.strip() for s in args.states.split(",") if s.strip()]
    try:
        return ExportFilter(
            states=tuple(states),
            districts=tuple(args.district),
            versions=tuple(getattr(args, "version", [])),
            since=getattr(args, "since", None),
            until=getattr(args, "until", None),
        )
    except ValidationError as error:
        raise BadRequest(f"bad filter: {error.errors()[0]['msg']}") from None


def run_export(storage: Storage, args: argparse.Namespace) -> int:
    """Write the export to `-o` once it is complete; an `-o` named for another kind of file
    than the export makes is refused before anything is written."""
    chosen = _filter(args)

    def progress(done: int, total: int) -> None:
        print(f"\r{done}/{total} submissions", end="", file=sys.stderr, flush=True)

    target: Path = args.output
    check_target(export_schema(storage, args.form_id, chosen), args.format, target)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, "wb") as out:
            written = export(storage, args.form_id, args.format, chosen, out, progress)
        partial.replace(target)
    except OSError as error:
        raise BadRequest(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    print(f"\nwrote {target}: {written} submissions", file=sys.stderr)
    return 0


def run_report(storage: Storage, args: argparse.Namespace) -> int:
    scenarios = [parse_scenario(spec) for spec in getattr(args, "scenario", [])]
    report = report_for(storage, args.form_id, _filter(args))
    drivers = analysis_for(storage, report, scenarios, per_household=True)
    if args.output.suffix == ".json":
        args.output.write_text(report_json(report, drivers), encoding="utf-8")
    else:
        title = f"Living income report: {args.form_id}"
        html = render_html(report, title, drivers_html(drivers))
        args.output.write_text(html, encoding="utf-8")
    print(
        f"wrote {args.output}: {len(report.households)} households; {report.population.describe()}"
    )
    return 0
