"""`fieldapp` command line: a thin wrapper over the library; errors become messages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from forms.errors import FormError

EPILOG_COMPILE = """example:
  fieldapp forms compile household.xlsx -o household.xml
  fieldapp forms compile old_form.xls --allow-choice-duplicates"""

EPILOG_SHOW = """example:
  fieldapp forms show household.xlsx
  fieldapp forms show household.xml --language French"""

EPILOG_CHECK = """example:
  fieldapp forms check household.xlsx
  fieldapp forms check household.xlsx --runs 200 --seed 7 --property username=enumerator
  fieldapp forms check household.xlsx --runs 20 --seed 7 --save rehearsal/

Lints what pyxform does not (expressions, functions, relevance that is never true,
choice filters that match nothing, calculation cycles), then fills the form RUNS times
with random valid answers. Attachments (CSV, XML, GeoJSON) are read from the form's
folder; a missing one is replaced by stand-in rows and the report names the questions
that ran on them. --save writes each finished interview as OpenRosa instance XML
(uuid-....xml, named by its instanceID) to rehearse exports and reports.
Exits with 1 when it finds errors, 0 when there are only warnings and notes."""


def _compile(args: argparse.Namespace) -> int:
    from forms.xlsform import compile_xlsform

    compiled = compile_xlsform(args.file, allow_choice_duplicates=args.allow_choice_duplicates)
    for warning in compiled.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out: Path = args.output or Path(args.file).with_suffix(".xml")
    out.write_text(compiled.xform, encoding="utf-8")
    print(f"{compiled.title} ({compiled.form_id}) -> {out}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from forms.summary import describe_file

    print(
        describe_file(
            Path(args.file),
            language=args.language,
            allow_choice_duplicates=args.allow_choice_duplicates,
        )
    )
    return 0


def _property(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    return name.strip(), value


def _positive(text: str) -> int:
    number = int(text)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def _check(args: argparse.Namespace) -> int:
    from forms.testdrive import check_file

    report = check_file(
        Path(args.file),
        runs=args.runs,
        seed=args.seed,
        allow_choice_duplicates=args.allow_choice_duplicates,
        properties=dict(args.property),
        save=args.save,
    )
    print(report.render())
    return 0 if report.ok else 1


EPILOG_APP = """example:
  fieldapp app --demo
  fieldapp app --data /tmp/tablet --port 8600 --no-browser"""


def _app(args: argparse.Namespace) -> int:
    from fieldapp.app import serve

    serve(
        args.data,
        port=args.port,
        demo=args.demo,
        browser=not args.no_browser,
        desktop=args.desktop,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldapp", description="Offline survey collector for producer households."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    forms = commands.add_parser("forms", help="compile, read and check XLSForms and XForms")
    form_commands = forms.add_subparsers(dest="forms_command", required=True)

    compile_cmd = form_commands.add_parser(
        "compile",
        help="compile an XLSForm (.xlsx, .xls, .csv, .md) to an ODK XForm",
        epilog=EPILOG_COMPILE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compile_cmd.add_argument("file", type=Path, help="the XLSForm")
    compile_cmd.add_argument("-o", "--output", type=Path, help="where to write the XForm")
    compile_cmd.add_argument(
        "--allow-choice-duplicates",
        action="store_true",
        help="accept repeated choice names in a list (the XLSForm setting of that name)",
    )
    compile_cmd.set_defaults(run=_compile)

    show_cmd = form_commands.add_parser(
        "show",
        help="show what a form contains: languages, sections, questions",
        epilog=EPILOG_SHOW,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show_cmd.add_argument("file", type=Path, help="an XLSForm or an XForm (.xml)")
    show_cmd.add_argument("--language", help="the language to show labels in")
    show_cmd.add_argument("--allow-choice-duplicates", action="store_true", help="as for compile")
    show_cmd.set_defaults(run=_show)

    check_cmd = form_commands.add_parser(
        "check",
        help="test-drive a form: lint it, then simulate interviews with random answers",
        epilog=EPILOG_CHECK,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check_cmd.add_argument("file", type=Path, help="an XLSForm or an XForm (.xml)")
    check_cmd.add_argument(
        "--runs", type=_positive, default=50, help="interviews to simulate (default 50)"
    )
    check_cmd.add_argument(
        "--seed", type=int, default=1, help="random seed; same seed, same report (default 1)"
    )
    check_cmd.add_argument("--allow-choice-duplicates", action="store_true", help="as for compile")
    check_cmd.add_argument(
        "--property",
        type=_property,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a device property for preloads, e.g. username=enumerator (repeatable)",
    )
    check_cmd.add_argument(
        "--save",
        type=Path,
        metavar="DIR",
        help="write each finished interview as OpenRosa instance XML to DIR (created if needed)",
    )
    check_cmd.set_defaults(run=_check)

    app_cmd = commands.add_parser(
        "app",
        help="start the enumerator app (web mode, served offline)",
        epilog=EPILOG_APP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    app_cmd.add_argument(
        "--data",
        type=Path,
        help="folder of the app's database (default: $FIELDAPP_DATA or ~/.local/share/fieldapp)",
    )
    app_cmd.add_argument("--port", type=int, default=8550, help="port on 127.0.0.1 (default 8550)")
    app_cmd.add_argument("--demo", action="store_true", help="load the bundled demo forms")
    app_cmd.add_argument(
        "--no-browser", action="store_true", help="serve without opening a browser"
    )
    app_cmd.add_argument(
        "--desktop",
        action="store_true",
        help="a desktop window, where the Flet desktop client is installed",
    )
    app_cmd.set_defaults(run=_app)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except FormError as error:
        for problem in error.problems:
            print(f"{problem.severity}: {problem}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
