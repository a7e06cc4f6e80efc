"""The ``newsflow`` command.

Exit codes (stable, for scripts):

====  =====================================================================
0     success (including a run with nothing new)
1     the quality gate failed: nothing was published
2     usage error: bad arguments, missing source folder, unwritable output,
      invalid configuration
3     the run failed for another reason (see the log)
4     another run held the output folder for longer than
      ``lock_wait_seconds``: this run did nothing
====  =====================================================================
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import tomllib
from collections import Counter
from collections.abc import Sequence
from difflib import get_close_matches
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urlsplit

from newsflow.config import DEFAULT_INTERVAL_SECONDS, Settings
from newsflow.load.storage import DEFAULT_LANDING

EXIT_OK, EXIT_QUALITY_GATE, EXIT_USAGE, EXIT_FAILED, EXIT_BUSY = 0, 1, 2, 3, 4


class UsageError(Exception):
    """Bad input from the person running the command."""


def _check_output(output: Path) -> None:
    try:
        output.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise UsageError(f"output folder {str(output)!r} is not writable: {exc.strerror or exc}") from exc


def _print_summary(summary: dict[str, Any], *, glob: str) -> None:
    stories = "-" if summary["stories"] is None else f"{summary['stories']:,}"
    url = summary.get("data_docs_url") or ""
    docs = url if url.startswith("http") else summary["data_docs"]  # a path reads better than a file URI
    quarantined = summary["quarantined"]
    reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(quarantined.items())) or "none"
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(summary["duplicates_by_kind"].items())) or "none"
    lines = [
        "",
        f"newsflow run {summary['run_id']} finished in {summary['seconds']:.1f} s: {summary['headline']}",
        f"  files seen            {summary['files_seen']:>8,}",
        f"  unchanged (skipped)   {summary['files_unchanged']:>8,}",
        f"  new                   {summary['files_new']:>8,}",
        f"  curated               {summary['curated']:>8,}",
        f"  duplicates            {summary['duplicates']:>8,}   ({kinds})",
        f"  quarantined           {summary['quarantined_total']:>8,}   ({reasons})",
        f"  repeated paragraphs   {summary['repeated_paragraphs_removed']:>8,}   removed",
        f"  boilerplate           {summary['boilerplate_paragraphs']:>8,}   paragraphs flagged",
        f"  stories               {stories:>8}   in the tables",
        f"  validation            {summary['validation']:>8}",
        f"  tables                {summary['tables'] if Path(summary['tables']).exists() else 'none yet'}",
        f"  validation report     {docs or '-'}",
        f"  run report            {summary['report'] or '-'}",
    ]
    if summary["files_seen"] == 0:
        lines[2:2] = _nothing_found(Path(summary["source"]), glob)
    elif summary["outcome"] == "nothing_new":
        lines.insert(2, "  nothing new: every file is already ingested; nothing published")
    print("\n".join(lines))


def _nothing_found(source: Path, glob: str, *, look: int = 10_000) -> list[str]:
    """What to say when no file matches ``source_glob``: which other files are there (the first ``look``)."""
    suffixes: Counter[str] = Counter()
    for number, path in enumerate(source.rglob("*")):
        if number >= look:
            break
        if path.is_file() and not path.name.startswith("."):
            suffixes[path.suffix or "(no extension)"] += 1
    lines = [f"  nothing found: no file in {source} matches source_glob {glob!r}; nothing published"]
    if suffixes:
        kinds = ", ".join(f"{n} {suffix}" for suffix, n in sorted(suffixes.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
        lines.append(f"  other files there: {kinds}; set source_glob (newsflow.toml or --set) to ingest them")
    return lines


def _overrides(pairs: Sequence[str]) -> dict[str, Any]:
    """``--set KEY=VALUE`` options as settings overrides; VALUE is read as TOML (``0.8``, ``true``, ``"x"``),
    else taken as text."""
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set takes KEY=VALUE, got {pair!r}")
        try:
            overrides[key.strip()] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            overrides[key.strip()] = value
    return overrides


def _folders(args: argparse.Namespace, *, default_source: Path) -> tuple[Path, Path, dict[str, Any], Settings]:
    """The source and output folders (options, else the settings' ``source`` / ``output``, else the defaults)
    and the settings overrides; checks them all before anything starts."""
    from newsflow.config import load_settings

    overrides = _overrides(args.set or [])
    settings = load_settings(**overrides)  # fail fast on a bad configuration, before Prefect starts
    source = local_path(args.source or settings.source or str(default_source), what="--source")
    output = local_path(args.output or settings.output, what="--output")
    _check_folders(source, output)
    return source, output, overrides, settings


def _check_folders(source: Path, output: Path) -> None:
    """The source must exist and lie outside the folders newsflow writes; the output must be writable."""
    from newsflow.load.storage import Layout

    if not source.is_dir():
        raise UsageError(f"source folder {str(source)!r} does not exist or is not a folder")
    landing = source.resolve()
    inside = [own for own in Layout(output).own_folders() if landing.is_relative_to(own.resolve())]
    inside += [output] if landing == output.resolve() else []
    if inside:
        raise UsageError(f"source folder {str(source)!r} lies in {str(inside[0])!r}, which newsflow writes")
    _check_output(output)
    # Prefect's temporary SQLite server races its telemetry heartbeat against its own
    # start-up writes ("database is locked"); a local tool has no use for telemetry.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def local_path(location: str, *, what: str) -> Path:
    """A folder given on the command line: a path, or a ``file://`` URL; any other URL is refused (nothing
    is created for it: ``s3://bucket/x`` would otherwise become a local folder ``s3:/bucket/x``)."""
    if match := _URL.match(location):
        if match.group(1).lower() != "file":
            raise UsageError(
                f"{what} {location!r} is a {match.group(1)}:// URL; newsflow reads and writes local folders only "
                "(mount the storage and give its path)"
            )
        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost"):
            raise UsageError(f"{what} {location!r} names another host ({parts.netloc}); give a local path")
        return Path(unquote(parts.path))
    return Path(location)


def _run(args: argparse.Namespace) -> int:
    source, output, overrides, settings = _folders(args, default_source=Path("seeds"))

    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.ingest import ingest
    from newsflow.console import terminal
    from newsflow.load.lock import OutputBusyError
    from newsflow.quality.gate import QualityGateError

    try:
        with (
            temporary_settings(updates={PREFECT_API_URL: _api_url(preload=True)}),
            terminal(verbosity=args.verbose - args.quiet),
        ):
            summary = ingest(
                source=str(source),
                output=str(output),
                settings=overrides or None,
                dask_address=args.dask_address,
                dask_workers=args.dask_workers,
            )
    except QualityGateError as exc:
        print(f"\nquality gate failed, nothing published:\n{exc}", file=sys.stderr)
        report = sorted((output / "reports").glob("*.json"), key=os.path.getmtime)
        if report:
            print(f"run report: {report[-1]}", file=sys.stderr)
        return EXIT_QUALITY_GATE
    except OutputBusyError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_BUSY
    _print_summary(summary, glob=settings.source_glob)
    return EXIT_OK


def _api_url(*, preload: bool = False) -> str:
    """The Prefect API to use: ``PREFECT_API_URL`` (environment or Prefect profile), else newsflow's local
    server, started in the background when none answers (``newsflow.server.local``).

    ``preload``: start the quality gate's process (``quality.process``), which imports Great Expectations,
    meanwhile if the server has to be started; the import takes seconds of CPU (benchmarks/README.md,
    "Measured design") and the wait would otherwise be idle. With a running
    server there is no wait to fill, and a run may have nothing to validate.
    """
    from prefect.settings import PREFECT_API_URL

    from newsflow.quality import process
    from newsflow.server import local

    if url := PREFECT_API_URL.value():
        if not local.healthy(url, timeout=10):
            raise UsageError(
                f"no Prefect server answers at {url} (PREFECT_API_URL). Start it (`newsflow server` starts one "
                "here), or unset PREFECT_API_URL to let newsflow start its own local server."
            )
        return str(url)
    home = local.prefect_home()
    if (info := local.current(home)) is not None:
        return info.api_url
    if preload:
        process.preload()
    print(f"starting newsflow's local Prefect server (log: {local.log_file(home)}) ...", file=sys.stderr, flush=True)
    try:
        info, _ = local.ensure_running(home)
    except local.ServerError as exc:
        raise UsageError(str(exc)) from exc
    print(
        f"Prefect UI: {info.ui_url}  (it keeps running for later runs; stop it: newsflow server stop)",
        file=sys.stderr,
        flush=True,
    )
    return info.api_url


def _serve(args: argparse.Namespace) -> int:
    if not args.source and not any(pair.startswith("source=") for pair in args.set or []):
        DEFAULT_LANDING.mkdir(parents=True, exist_ok=True)  # the default landing folder is ours to create
    source, output, overrides, _ = _folders(args, default_source=DEFAULT_LANDING)
    if args.interval is not None and args.interval <= 0:
        raise UsageError(f"--interval must be a positive number of seconds, got {args.interval}")
    if args.cron is not None:
        from prefect.client.schemas.schedules import CronSchedule
        from pydantic import ValidationError

        try:
            CronSchedule(cron=args.cron)
        except ValidationError as exc:
            raise UsageError(f"invalid --cron expression {args.cron!r} ({exc.errors()[0]['msg']})") from exc
    api_url = _api_url()

    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.serve import serve_ingest

    every = f"cron {args.cron!r}" if args.cron else f"every {args.interval or DEFAULT_INTERVAL_SECONDS:g} s"
    print(f"serving deployment ingest/ingest {every}: {source} -> {output}; UI: {api_url.removesuffix('/api')}")
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        serve_ingest(source=source, output=output, settings=overrides, cron=args.cron, interval=args.interval)
    return EXIT_OK


def _server(args: argparse.Namespace) -> int:
    """``newsflow server [stop|status]``: run the local Prefect server and report server here, or manage it."""
    from newsflow.server import local

    home = local.prefect_home()
    if args.action == "stop":
        stopped = local.stop(home)
        print(f"stopped the local Prefect server at {stopped.ui_url}" if stopped else "no local Prefect server running")
        return EXIT_OK
    if args.action == "status":
        info = local.current(home)
        if info is None:
            print("no local Prefect server running (`newsflow run` starts one; `newsflow server` runs one here)")
            return EXIT_FAILED
        print(f"Prefect UI   {info.ui_url}\nAPI          {info.api_url}\nreports      {info.reports_url}")
        print(f"process      {info.pid}\nlog          {info.log}")
        return EXIT_OK
    if (running := local.current(home)) is not None:
        raise UsageError(f"a local Prefect server already runs at {running.ui_url}; stop it: newsflow server stop")
    from newsflow.server.process import serve

    return serve(host=args.host, port=args.port, reports_port=args.reports_port)


def _docs(args: argparse.Namespace) -> int:
    from newsflow.tables.dictionary import data_dictionary

    text = data_dictionary()
    if args.write:
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text(text, encoding="utf-8")
    else:
        print(text)
    return EXIT_OK


def _output_folder(args: argparse.Namespace) -> Path:
    """The output folder of a reading command: ``--output``, else the ``output`` setting (``newsflow.toml``)."""
    from newsflow.config import load_settings

    return local_path(args.output or load_settings().output, what="--output")


def _explain(args: argparse.Namespace) -> int:
    from newsflow.explain import NotFoundError, explain
    from newsflow.load import publish
    from newsflow.load.storage import Layout

    layout = Layout(_output_folder(args))
    try:
        print(explain(lambda table: publish.scan(layout, table), args.key))
    except NotFoundError as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from newsflow.load.storage import Layout
    from newsflow.report.build import build_report

    layout = Layout(_output_folder(args))
    if not layout.root.is_dir():
        raise UsageError(
            f"output folder {str(layout.root)!r} does not exist: run `newsflow run` first, or give --output"
        )
    written = build_report(layout, Path(args.write) if args.write else layout.overview)
    print(f"report: {written}")
    if not args.write:
        from prefect.settings import PREFECT_API_URL

        from newsflow.server import local

        if url := local.served_url(layout.root, written, api_url=PREFECT_API_URL.value()):
            print(f"        {url}")
    return EXIT_OK


def _snapshots(args: argparse.Namespace) -> int:
    import polars as pl

    from newsflow.load.snapshots import list_snapshots
    from newsflow.load.storage import Layout
    from newsflow.tables.registry import CURATED

    output = _output_folder(args)
    listed = list_snapshots(Layout(output))
    if listed.is_empty():
        print(f"no snapshots in {output}: nothing has been published there yet")
        return EXIT_OK
    shown = listed.select(
        pl.when("current").then(pl.lit("*")).otherwise(pl.lit("")).alias(""),
        "snapshot_id",
        pl.col("published_at").dt.strftime("%Y-%m-%d %H:%M:%S").alias("published (UTC)"),
        *CURATED,
    )
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        fmt_str_lengths=80,
        tbl_width_chars=250,
        tbl_formatting="ASCII_MARKDOWN",
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
        thousands_separator=",",
    ):
        print(shown)
    print(f"\n* current: read through {output}/curated; snapshot X lies in {output}/.snapshots/X")
    return EXIT_OK


def _reprocess(args: argparse.Namespace) -> int:
    """``reprocess``, ``retract`` and ``restore``: one ``reprocess`` flow run, publishing a rebuild."""
    output = _output_folder(args)
    if not (output / "curated").exists():
        raise UsageError(f"nothing published in {str(output)!r} yet: run `newsflow run` first, or give --output")
    overrides = _overrides(getattr(args, "set", None) or [])
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.reprocess import reprocess
    from newsflow.load.lock import OutputBusyError
    from newsflow.quality.gate import QualityGateError
    from newsflow.versions.retractions import TargetError

    targets = {args.command: [args.target]} if args.command in ("retract", "restore") else {}
    try:
        with temporary_settings(updates={PREFECT_API_URL: _api_url(preload=True)}):
            changed = reprocess(
                output=str(output), settings=overrides or None, reason=getattr(args, "reason", "") or "", **targets
            )
    except TargetError as exc:
        raise UsageError(str(exc)) from exc
    except QualityGateError as exc:
        print(f"\nquality gate failed, nothing published:\n{exc}", file=sys.stderr)
        return EXIT_QUALITY_GATE
    except OutputBusyError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_BUSY
    rows = [
        ("retracted", changed["retracted"]),
        ("restored", changed["restored"]),
        ("curated articles", f"{changed['curated_before']:,} -> {changed['curated_after']:,}"),
        ("became duplicates", changed["became_duplicates"]),
        ("stopped being duplicates", changed["stopped_being_duplicates"]),
        ("stories", f"{changed['stories_before']:,} -> {changed['stories_after']:,}"),
        ("stories split", changed["stories_split"]),
        ("stories merged", changed["stories_merged"]),
    ]
    verdict = "published" if changed["changed"] else "published (nothing changed)"
    print(f"\nnewsflow {args.command} {changed['run_id']}: snapshot {changed['snapshot']} {verdict}")
    for name, value in rows:
        print(f"  {name:<26}{value:>12}")
    return EXIT_OK


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, with a suggestion for a mistyped command or option."""

    def error(self, message: str) -> NoReturn:
        words = re.findall(r"(?:invalid choice: |unrecognized arguments: )'?([^' ]+)", message)
        known = _known_words(self)
        hints = [f"did you mean {close[0]}?" for word in words if (close := get_close_matches(word, known, n=1))]
        super().error("; ".join([message, *hints]))


def _known_words(parser: argparse.ArgumentParser) -> list[str]:
    """Every command and option name of ``parser`` and its subcommands."""
    words: list[str] = []
    for action in parser._actions:
        words += action.option_strings
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                words += [name, *_known_words(sub)]
    return words


class _VersionAction(argparse.Action):
    """Like argparse's, without re-wrapping the line; the versions are looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        print(_version())
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def of(package: str) -> str:
        try:
            return version(package)
        except PackageNotFoundError:
            return "not installed"

    parts = ", ".join(f"{name} {of(name)}" for name in ("prefect", "polars", "pyarrow", "great-expectations"))
    return f"newsflow {of('newsflow')} ({parts}; Python {sys.version.split()[0]})"


def _add_folders(command: argparse.ArgumentParser, *, source_default: str) -> None:
    command.add_argument(
        "--source", help=f"landing folder to read (default: the `source` setting, else {source_default})"
    )
    command.add_argument("--output", help="output folder for curated tables (default: the `output` setting, data/)")
    _add_settings(command)


def _add_settings(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a setting for this command (repeatable), e.g. --set near_duplicate_threshold=0.8",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newsflow",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="exit codes: 0 ok, 1 quality gate failed, 2 usage error, 3 run failed, 4 output busy",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the versions of newsflow and its parts, then exit"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="ingest new files from a landing folder (one Prefect flow run)")
    _add_folders(run, source_default="seeds/")
    on = run.add_mutually_exclusive_group()
    on.add_argument(
        "--dask-address",
        metavar="ADDRESS",
        help="run shard tasks and global-step pieces on a Dask cluster (tcp://host:8786)",
    )
    on.add_argument(
        "--dask-workers", type=_positive_int, metavar="N", help="the same on a local Dask cluster of N processes"
    )
    loud = run.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="count", default=0, help="no progress, only warnings and the summary")
    loud.add_argument("-v", "--verbose", action="count", default=0, help="every Prefect log line, task by task")
    run.set_defaults(handler=_run)
    serve = commands.add_parser(
        "serve", help="serve the ingest deployment on a schedule (needs a Prefect server: see `newsflow server`)"
    )
    _add_folders(serve, source_default=f"{DEFAULT_LANDING}/")
    when = serve.add_mutually_exclusive_group()
    when.add_argument("--cron", metavar="EXPR", help='cron schedule, e.g. "*/15 * * * *"')
    when.add_argument(
        "--interval",
        type=float,
        metavar="SECONDS",
        help=f"run every SECONDS seconds (default: {DEFAULT_INTERVAL_SECONDS}, i.e. every 15 minutes)",
    )
    serve.set_defaults(handler=_serve)
    server = commands.add_parser(
        "server", help="run the local Prefect server, UI and reports here; or stop or show the running one"
    )
    server.add_argument(
        "action", nargs="?", choices=("stop", "status"), help="stop: stop the local server; status: show it"
    )
    server.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    server.add_argument("--port", type=int, default=4200, help="port of the API and UI (default: 4200)")
    server.add_argument("--reports-port", type=int, help="port of the reports (default: a free one)")
    server.set_defaults(handler=_server)
    why = commands.add_parser("explain", help="why a file or article was curated, dropped or grouped")
    why.add_argument("key", help="a source path (relative to the source folder) or an article id")
    why.add_argument("--output", help="output folder of the tables (default: the `output` setting, data/)")
    why.set_defaults(handler=_explain)
    report = commands.add_parser("report", help="write one HTML page: runs over time, largest stories, quarantine")
    report.add_argument("--output", help="output folder of the tables (default: the `output` setting, data/)")
    report.add_argument("--write", metavar="FILE", help="write the page to FILE (default: OUTPUT/reports/index.html)")
    report.set_defaults(handler=_report)
    snapshots = commands.add_parser("snapshots", help="list the published snapshots: time, run, rows per table")
    snapshots.add_argument("--output", help="output folder of the tables (default: the `output` setting, data/)")
    snapshots.set_defaults(handler=_snapshots)
    again = commands.add_parser(
        "reprocess", help="rebuild duplicates and stories of every current article with the current settings"
    )
    again.add_argument("--output", help="output folder of the tables (default: the `output` setting, data/)")
    _add_settings(again)
    again.set_defaults(handler=_reprocess)
    for name, what in (("retract", "withdraw an article from the current tables"), ("restore", "undo a retraction")):
        command = commands.add_parser(name, help=f"{what} (one atomic publish, recorded in `retractions`)")
        command.add_argument("target", help="an article_id, or a source path (relative to the source folder)")
        command.add_argument("--reason", required=True, help="why: stored in the `retractions` table")
        command.add_argument("--output", help="output folder of the tables (default: the `output` setting, data/)")
        command.set_defaults(handler=_reprocess)
    docs = commands.add_parser("docs", help="print the data dictionary generated from the table schemas")
    docs.add_argument("--write", metavar="FILE", help="write it to FILE instead of printing")
    docs.set_defaults(handler=_docs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from newsflow.config import ConfigError

    try:
        code: int = args.handler(args)
    except (UsageError, ConfigError) as exc:
        print(f"newsflow: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        print(f"newsflow: run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
