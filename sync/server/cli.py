"""`fieldapp-server`: a thin argparse wrapper over the server library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sync.protocol import DeviceSettings
from sync.server.api.auth import add_user
from sync.server.app import open_storage
from sync.server.errors import DomainError
from sync.server.hub.trust import USERS_AT_KEY, USERS_EVERY
from sync.server.migrate_cli import add_migrate, run_migrate
from sync.server.publish import publish_file
from sync.server.serving import relay, serve, workers_count
from sync.server.storage import ROLES, Storage
from sync.server.storage.blobs import BlobStore
from sync.server.storage.open import DATABASE_HELP, UnusableDatabase, backup_storage
from sync.server.storage.sqlite.backup import BackupFailed
from sync.server.token_arg import token_help, token_of

PROJECT = "1"
QR_CHOICE = (
    "users qr needs the user's token, to put the one `users add` printed in the code"
    " (--token=T, or FIELDAPP_TOKEN), or --rotate, to issue a new one (older ones stop working)"
)

EXAMPLES = {
    "serve": "fieldapp-server serve --data ./serverdata --host 127.0.0.1 --port 8000",
    "serve-workers": "FIELDAPP_DATABASE_URL=postgresql://fieldapp@db.internal/fieldapp"
    " fieldapp-server serve --workers 4 --data /srv/fieldapp --port 8000",
    "publish": "fieldapp-server forms publish household.xlsx --data ./serverdata",
    "add": "fieldapp-server users add amina --role enumerator --district north --url http://10.0.0.5:8000 --data ./serverdata",
    "qr": "fieldapp-server users qr amina -o amina.png --url https://central.example.org --hub http://192.168.1.20:8000 --token=TOKEN --data ./serverdata",
    "revoke": "fieldapp-server users revoke amina --data ./serverdata",
    "export": "fieldapp-server export survey csv -o survey.zip --district north --data ./serverdata",
    "report": "fieldapp-server report living_income_household -o report.html --data ./serverdata",
    "supervisor": "fieldapp-server supervisor --server http://127.0.0.1:8000 --token=TOKEN",
    "show": "fieldapp-server quality show --data ./serverdata > quality.json",
    "set": "fieldapp-server quality set quality.json --data ./serverdata",
    "drivers-show": "fieldapp-server drivers show --data ./serverdata > limits.json",
    "drivers-set": "fieldapp-server drivers set limits.json --data ./serverdata",
    "relay": "fieldapp-server relay --upstream https://central.example.org --token=TOKEN --data ./hub --port 8000",
    "import": "fieldapp-server submissions import rehearsal/ --as amina --data ./serverdata",
    "backup": "fieldapp-server backup --data ./serverdata --to backups/server-2026-03-01.db",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldapp-server", description="fieldapp central server")
    commands = parser.add_subparsers(dest="command", required=True)

    def sub(
        group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, key: str, text: str
    ) -> argparse.ArgumentParser:
        p = group.add_parser(name, help=text, description=text, epilog=f"example: {EXAMPLES[key]}")
        p.add_argument("--data", type=Path, required=True, help="data directory")
        p.add_argument("--database", metavar="URL", help=DATABASE_HELP)
        return p

    serve = sub(commands, "serve", "serve", "Run the server (batch API and OpenRosa).")
    serve.epilog = f"examples: {EXAMPLES['serve']}\n  {EXAMPLES['serve-workers']}"
    serve.formatter_class = argparse.RawDescriptionHelpFormatter
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=workers_count,
        default=1,
        metavar="N",
        help="server processes on the one port (default 1); more than one needs PostgreSQL",
    )
    forms = commands.add_parser("forms", help="Manage forms").add_subparsers(
        dest="action", required=True
    )
    publish = sub(forms, "publish", "publish", "Compile, test-drive and publish a form.")
    publish.add_argument("file", type=Path, help="XLSForm (.xlsx/.xls/.csv/.md) or XForm (.xml)")
    users = commands.add_parser("users", help="Manage users").add_subparsers(
        dest="action", required=True
    )
    add = sub(users, "add", "add", "Add a user; print its token and app-user URL (shown once).")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--district")
    add.add_argument("--url", help="server URL as the devices reach it (for the app-user URL)")
    qr = sub(
        users,
        "qr",
        "qr",
        "Write a provisioning QR code with the user's token (--token=T) or a new one (--rotate).",
    )
    qr.add_argument("name")
    qr.add_argument("-o", "--output", type=Path, required=True)
    qr.add_argument("--url", required=True, help="server URL as the devices reach it")
    qr.add_argument(
        "--hub",
        metavar="URL",
        help="the district hub's address on the office network, e.g. http://192.168.1.20:8000:"
        " the device syncs through the hub when it answers, else with --url (same token)",
    )
    reuse = qr.add_mutually_exclusive_group()
    reuse.add_argument("--token", help=token_help("the user's current (as `users add` printed)"))
    reuse.add_argument(
        "--rotate",
        action="store_true",
        help="issue a new token; the user's older ones stop working",
    )
    revoke = sub(users, "revoke", "revoke", "Revoke a user's token.")
    revoke.add_argument("name")
    relay = sub(
        commands,
        "relay",
        "relay",
        "Run a district hub: tablets sync to it with their usual token (it gets its district's"
        " users from upstream); it forwards to the upstream server.",
    )
    relay.add_argument("--upstream", required=True, help="the central server's URL")
    relay.add_argument(
        "--token", help=token_help("a coordinator's of the hub's district (or an admin's)")
    )
    relay.add_argument("--host", default="0.0.0.0")
    relay.add_argument("--port", type=int, default=8000)
    relay.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
    relay.add_argument(
        "--users-every",
        type=float,
        default=USERS_EVERY,
        help="seconds between two refreshes of the hub's users from upstream"
        f" (default {USERS_EVERY:g})",
    )
    export = sub(
        commands,
        "export",
        "export",
        "Export a form's submissions (csv, xlsx, dta, geojson); csv and dta are one file for a"
        " form without repeats, a zip of one per table for a form with them.",
    )
    export.add_argument("form_id")
    export.add_argument("format", choices=("csv", "xlsx", "dta", "geojson"))
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="the file to write, named for what the export is (e.g. li.dta, li.zip, li.xlsx)",
    )
    for flag in ("state", "district", "version"):
        export.add_argument(f"--{flag}", action="append", default=[])
    export.add_argument("--since", help="first day, e.g. 2026-01-31")
    export.add_argument("--until", help="last day, e.g. 2026-02-28")
    report = sub(commands, "report", "report", "Write the living income report (.html or .json).")
    report.add_argument("form_id")
    report.add_argument("-o", "--output", type=Path, required=True)
    report.add_argument("--district", action="append", default=[])
    report.add_argument(
        "--states",
        default="approved",
        help="review states counted, comma-separated (default: approved), e.g. approved,received",
    )
    report.add_argument(
        "--scenario",
        action="append",
        default=[],
        help="a named set of driver changes added to the report (repeatable), e.g."
        " 'fair price:price=+20%%,yield=+15%%'; drivers: price, yield, cost (in %%), area"
        " (+0.5 ha or +10%%), other_income (+100000 per year or +10%%)",
    )
    drivers = commands.add_parser(
        "drivers", help="The plausible limits of income driver changes, per country and crop"
    ).add_subparsers(dest="action", required=True)
    sub(
        drivers,
        "show",
        "drivers-show",
        "Print the driver limits as JSON (the shipped ones if none set).",
    )
    limits = sub(drivers, "set", "drivers-set", "Check a JSON file of driver limits and store it.")
    limits.add_argument("file", type=Path, help="JSON, as `drivers show` prints it")
    quality = commands.add_parser(
        "quality", help="The project's quality-flag settings (thresholds, fields, district boxes)"
    ).add_subparsers(dest="action", required=True)
    sub(quality, "show", "show", "Print the quality settings as JSON (the defaults if none set).")
    settle = sub(quality, "set", "set", "Check a JSON file of quality settings and store it.")
    settle.add_argument("file", type=Path, help="JSON, as `quality show` prints it")
    submissions = commands.add_parser("submissions", help="Manage submissions").add_subparsers(
        dest="action", required=True
    )
    imports = sub(
        submissions,
        "import",
        "import",
        "Take in instance XMLs from a folder or a zip, with the files they name beside them.",
    )
    imports.add_argument("path", type=Path, help="a folder, a .zip or one .xml file")
    imports.add_argument(
        "--as", dest="as_user", metavar="USER", help="file them under USER (default: import)"
    )
    imports.add_argument("--verbose", action="store_true", help="list stored and skipped too")
    backup = sub(
        commands,
        "backup",
        "backup",
        "Copy the SQLite database to a file while the server runs (SQLite's online backup);"
        " copy --data's blobs folder after it. PostgreSQL: pg_dump (docs/deployment.md).",
    )
    backup.add_argument("--to", type=Path, required=True, help="the backup file to write")
    supervisor = commands.add_parser(
        "supervisor",
        help="Open the supervisor review screens (a Flet web app over the review API).",
        epilog=f"example: {EXAMPLES['supervisor']}",
    )
    supervisor.add_argument("--server", required=True, help="server URL")
    supervisor.add_argument("--token", help=token_help("a supervisor's (or admin's)"))
    supervisor.add_argument("--port", type=int, default=8560)
    supervisor.add_argument("--no-browser", action="store_true", help="serve without opening one")
    add_migrate(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in ("supervisor", "relay"):
        args.token = token_of(parser, args.token)
    if args.command == "users" and args.action == "qr" and not args.rotate:
        args.token = token_of(parser, args.token, QR_CHOICE)
    try:
        return _run(args)
    except (DomainError, BackupFailed) as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    except UnusableDatabase as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return serve(args)
    if args.command == "relay":
        return relay(args)
    if args.command == "migrate-data":
        return run_migrate(args)
    if args.command == "supervisor":
        from sync.server.supervisor_ui.__main__ import main as supervisor

        flags = ["--server", args.server, f"--token={args.token}", "--port", str(args.port)]
        return supervisor(flags + (["--no-browser"] if args.no_browser else []))
    if args.command == "backup":
        held = backup_storage(args.data, args.to, args.database)
        print(f"wrote {args.to}: {held} submissions; now copy {args.data / 'blobs'} beside it")
        return 0
    storage, blobs = open_storage(args.data, args.database)
    try:
        return _on_data(args, storage, blobs)
    finally:
        storage.close()


def _on_data(args: argparse.Namespace, storage: Storage, blobs: BlobStore) -> int:
    """The commands on the server's data, with its storage open."""
    if args.command == "submissions":
        from sync.server.intake.importer import run_import

        return run_import(storage, blobs, args)
    if args.command in ("export", "report"):
        from sync.server.exports.cli import run_export, run_report

        return run_export(storage, args) if args.command == "export" else run_report(storage, args)
    if args.command == "quality":
        return _quality(args, storage)
    if args.command == "drivers":
        from sync.server.report.driver_limits import run_limits

        return run_limits(storage, args.action, getattr(args, "file", None))
    if args.command == "forms":
        published = publish_file(storage, blobs, args.file)
        form = published.form
        state = "published" if published.changed else "unchanged"
        print(f"{state}: {form.form_id} version {form.version or '-'} md5:{form.md5}")
        for warning in published.warnings:
            print(f"warning: {warning}")
        return 0
    if storage.get_setting(USERS_AT_KEY) is not None and (
        args.action in ("add", "revoke") or getattr(args, "rotate", False)
    ):
        raise DomainError(
            f"{args.data} is a district hub's: its users come from the central server, and a"
            " change made here is undone at its next refresh; run this at HQ"
        )
    if args.action == "add":
        token = add_user(storage, args.name, args.role, args.district)
        print(token)
        print(f"app-user URL for ODK Collect: {app_user_url(args.url, token)}")
        return 0
    if args.action == "revoke":
        if not storage.revoke(args.name):
            raise DomainError(f"no user {args.name!r}")
        print(f"revoked: {args.name}")
        return 0
    return _qr(args, storage)


def _quality(args: argparse.Namespace, storage: Storage) -> int:
    """`show` prints the settings in force; `set` stores a file's, or names what is wrong
    (file, field) and changes nothing."""
    from sync.server.quality.config import load_config, save_config

    if args.action == "set":
        try:
            text = args.file.read_bytes()
        except OSError as error:
            raise DomainError(f"{args.file}: cannot read it ({error.strerror})") from None
        try:
            save_config(storage, text)
        except DomainError as error:
            raise DomainError(f"{args.file}: {error.message}") from None
        print(f"stored the quality settings from {args.file}")
        return 0
    print(load_config(storage).model_dump_json(indent=2))
    return 0


def app_user_url(server: str | None, token: str) -> str:
    """The OpenRosa base ODK Collect is given: the server, the token and the project."""
    return f"{(server or '<server URL>').rstrip('/')}/v1/key/{token}/projects/{PROJECT}"


def _qr(args: argparse.Namespace, store: Storage) -> int:
    """With --rotate a new token (older ones stop working); else the user's current one."""
    from sync.provisioning import SetupOptions, encode_settings, make_qr_png
    from sync.server.api.auth import hash_token, new_token

    user = store.user(args.name)
    if user is None:
        raise DomainError(f"no user {args.name!r}")
    if args.hub is not None and not args.hub.startswith(("http://", "https://")):
        raise DomainError(f"--hub {args.hub!r}: give the hub's http:// or https:// address")
    if args.rotate:
        token = new_token()
        store.set_token(args.name, hash_token(token))
        said = f"a new token for {args.name}; older ones stop working"
    else:
        token = args.token
        if store.user_by_token(hash_token(token)) != user:
            raise DomainError(
                f"that token is not {args.name}'s current one; give that, or --rotate for a new one"
            )
        said = f"{args.name}'s current token, unchanged"
    settings = DeviceSettings(server_url=args.url, token=token, project=PROJECT, username=args.name)
    code = encode_settings(settings, SetupOptions(hub_url=args.hub))
    args.output.write_bytes(make_qr_png(code))
    print(f"wrote {args.output} with {said}")
    print(f"app-user URL for ODK Collect: {app_user_url(args.url, token)}")
    return 0
