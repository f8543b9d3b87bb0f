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
