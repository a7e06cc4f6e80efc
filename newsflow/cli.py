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
import importlib
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def _print_summary(summary: dict[str, Any]) -> None:
    quarantined = summary["quarantined"]
    reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(quarantined.items())) or "none"
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(summary["duplicates_by_kind"].items())) or "none"
    lines = [
        "",
        f"newsflow run {summary['run_id']} finished in {summary['seconds']:.1f} s",
        f"  files seen            {summary['files_seen']:>8}",
        f"  unchanged (skipped)   {summary['files_unchanged']:>8}",
        f"  new                   {summary['files_new']:>8}",
        f"  curated               {summary['curated']:>8}",
        f"  duplicates            {summary['duplicates']:>8}   ({kinds})",
        f"  quarantined           {summary['quarantined_total']:>8}   ({reasons})",
        f"  repeated paragraphs   {summary['repeated_paragraphs_removed']:>8}   removed",
        f"  boilerplate           {summary['boilerplate_paragraphs']:>8}   paragraphs flagged",
        f"  stories               {summary['stories'] if summary['stories'] is not None else '-':>8}   in the tables",
        f"  validation            {summary['validation']:>8}",
        f"  tables                {summary['tables']}",
        f"  validation report     {summary['data_docs'] or '-'}",
        f"  run report            {summary['report'] or '-'}",
    ]
    print("\n".join(lines))


def _run(args: argparse.Namespace) -> int:
    source, output = Path(args.source), Path(args.output)
    if not source.is_dir():
        raise UsageError(f"source folder {str(source)!r} does not exist or is not a folder")
    if source.resolve().is_relative_to(output.resolve()):
        raise UsageError(f"source folder {str(source)!r} lies inside the output folder {str(output)!r}")
    _check_output(output)

    from newsflow.config import load_settings

    # Prefect's temporary SQLite server races its telemetry heartbeat against its own
    # start-up writes ("database is locked"); a local tool has no use for telemetry.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    settings = load_settings()  # fail fast on a bad configuration, before Prefect starts

    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.ingest import ingest
    from newsflow.lock import OutputBusyError
    from newsflow.quality import QualityGateError

    threads: Any = ThreadPoolTaskRunner(max_workers=settings.max_workers)
    runner = ingest.with_options(task_runner=threads)
    # Importing Great Expectations takes ~6 s of CPU. Started here, it runs while this
    # process waits for Prefect's temporary server (another process) to come up.
    threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()
    try:
        summary = runner(source=str(source), output=str(output))
    except QualityGateError as exc:
        print(f"\nquality gate failed, nothing published:\n{exc}", file=sys.stderr)
        report = sorted((output / "reports").glob("*.json"), key=os.path.getmtime)
        if report:
            print(f"run report: {report[-1]}", file=sys.stderr)
        return EXIT_QUALITY_GATE
    except OutputBusyError as exc:
        print(f"newsflow: {exc}", file=sys.stderr)
        return EXIT_BUSY
    _print_summary(summary)
    return EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from newsflow.schemas import data_dictionary

    text = data_dictionary()
    if args.write:
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text(text, encoding="utf-8")
    else:
        print(text)
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from newsflow import publish
    from newsflow.explain import NotFoundError, explain
    from newsflow.storage import Layout

    layout = Layout(Path(args.output))
    try:
        print(explain(lambda table: publish.scan(layout, table), args.key))
    except NotFoundError as exc:
        raise UsageError(str(exc)) from exc
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsflow",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="exit codes: 0 ok, 1 quality gate failed, 2 usage error, 3 run failed, 4 output busy",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="ingest new files from a landing folder (one Prefect flow run)")
    run.add_argument("--source", default="seeds", help="landing folder to read (default: seeds/)")
    run.add_argument("--output", default="data", help="output folder for curated tables (default: data/)")
    run.set_defaults(handler=_run)
    why = commands.add_parser("explain", help="why a file or article was curated, dropped or grouped")
    why.add_argument("key", help="a source path (relative to the source folder) or an article id")
    why.add_argument("--output", default="data", help="output folder of the tables (default: data/)")
    why.set_defaults(handler=_explain)
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
