"""The ``flowcert`` command: list, check, report, diff, golden.

Exit status: 0 every claim checked passed, 1 some claim failed (or, for diff and golden, a
regression was found), 2 bad usage or input (one line on stderr, no traceback, checked
before any claim runs), 3 an internal error (one line; ``FLOWCERT_DEBUG=1`` shows the
traceback), 128 + n when stopped by signal n (SIGINT, SIGTERM: one line, every worker
process ended, nothing half-written).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_REPORT = Path("flowcert-report") / "flowcert-report.pdf"


class UsageError(Exception):
    """Bad command-line usage or input; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise UsageError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _version() -> str:
    from flowcert import __version__
    return f"flowcert {__version__}"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flowcert", description="Check closed-form claims about the "
                     "learning dynamics of neural networks against high-precision numerics.")
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    listing = commands.add_parser("list", help="one line per claim: id, class, provenance, "
                                  "title")
    _add_sources_option(listing)
    check = commands.add_parser("check", help="run claims and print a verdict table")
    check.add_argument("ids", nargs="*", metavar="ID", help="claim ids (default: all)")
    check.add_argument("--precision", nargs="+", type=int, metavar="BITS",
                       help="precision ladder in bits (default: 53 113 256)")
    check.add_argument("--json", action="store_true", help="print one JSON document")
    check.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    _add_executor_options(check)
    report = commands.add_parser("report", help="run claims, write the PDF and JSON")
    report.add_argument("ids", nargs="*", metavar="ID", help="claim ids (default: all)")
    report.add_argument("--out", type=Path, default=DEFAULT_REPORT, metavar="FILE.pdf",
                        help=f"PDF path (default: {DEFAULT_REPORT}); the JSON goes beside it")
    report.add_argument("--precision", nargs="+", type=int, metavar="BITS",
                        help="precision ladder in bits (default: 53 113 256)")
    report.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    _add_executor_options(report)
    diff = commands.add_parser("diff", help="regressions between two results files "
                               "(exit 1 if any)")
    diff.add_argument("old", type=Path, metavar="OLD.json")
    diff.add_argument("new", type=Path, metavar="NEW.json")
    diff.add_argument("--factor", type=float, default=10.0,
                      help="flag errors that grew by more than this factor (default 10)")
    golden = commands.add_parser("golden", help="compare derivations with their pinned "
                                 "golden values (exit 1 on a change)")
    golden.add_argument("--regenerate", action="store_true",
                        help="rewrite the golden file from the current derivations")
    golden.add_argument("--file", type=Path, default=None, metavar="JSON",
                        help="golden file (default: the golden.json shipped with "
                        "flowcert.theory; needed with --claims)")
    _add_sources_option(golden)
    return parser


def _add_sources_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--claims", action="append", default=[], metavar="FILE.py|MODULE",
                        help="also load the claims defined in this file or module "
                        "(repeatable)")


def _add_executor_options(parser: argparse.ArgumentParser) -> None:
    _add_sources_option(parser)
    parser.add_argument("--certify", action="store_true",
                        help="also certify the claims that can be (closed form against a "
                        "ball-arithmetic enclosure of the flow, at the highest precision)")
    parser.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                        help="local worker processes (default: one per core; 1 = in process)")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="run the claims on this Dask scheduler instead")


def _sources(args) -> tuple:
    """The ``--claims`` sources (files read now, so every worker gets the same text)."""
    from flowcert.claims.registry import Source
    return tuple(Source.parse(spec) for spec in args.claims)


def _run(args, claims):
    """Run ``claims`` as the options say; return the results document."""
    from flowcert.reports.results import results_document
    from flowcert.reports.runner import resolve_precisions, run_claims
    precisions = resolve_precisions(args.precision)
    execution = run_claims(claims, precisions, progress=None if args.quiet else sys.stderr,
                           workers=args.workers, scheduler=args.scheduler,
                           sources=_sources(args), certify=args.certify)
    return results_document(claims, execution.outcomes, precisions,
                            executor={"scheduler": execution.scheduler,
                                      "workers": execution.workers,
                                      "retried": execution.retried}), execution.outcomes


def _list(args) -> int:
    from flowcert.claims.registry import registry
    from flowcert.reports.markup import plain_text
    claims = registry(_sources(args))
    for claim_id in claims.ids():
        entry = claims.summary(claim_id)
        print(f"{entry['id']:<6}{entry['class']:<13}[{entry['provenance']}]  "
              f"{plain_text(entry['title'])}")
    return EXIT_PASS


def _verdict_table(document: dict) -> str:
    lines = [f"{'id':<6}{'class':<13}{'verdict':<9}{'bits':>6}{'rel. error':>12}"
             f"{'tolerance':>12}"]
    for entry in document["claims"]:
        runs = entry["runs"] or [None]
        for index, run in enumerate(runs):
            head = (f"{entry['id']:<6}{entry['class']:<13}{entry['verdict'].upper():<9}"
                    if index == 0 else " " * 28)
            if run is None:
                lines.append(head + f"{'-':>6}{'-':>12}{'-':>12}")
            else:
                lines.append(head + f"{run['precision_bits']:>6}{run['max_rel_error']:>12.3g}"
                             f"{run['tolerance']:>12.3g}")
        for line in entry["evidence"]:
            if entry["verdict"] == "fail" or "interval" in line or not entry["runs"]:
                lines.append(" " * 6 + line)
    summary = document["summary"]
    lines.append(f"{summary['passed']} passed, {summary['failed']} failed")
    return "\n".join(lines)


def _summary_screen(document: dict) -> str:
    """One screen: verdicts per family, then each failing claim with the line saying why."""
    from flowcert.claims.base import failing_line
    families: dict[str, list[dict]] = {}
    for entry in document["claims"]:
        families.setdefault(entry["family"], []).append(entry)
    lines = [f"{'family':<8}{'claims':>7}{'pass':>6}{'fail':>6}"]
    for family, entries in families.items():
        failed = sum(entry["verdict"] == "fail" for entry in entries)
        lines.append(f"{family:<8}{len(entries):>7}{len(entries) - failed:>6}{failed:>6}")
    for entry in document["claims"]:
        if entry["verdict"] == "fail":
            lines.append(f"FAIL {entry['id']}: {failing_line(entry['evidence'])}")
    summary = document["summary"]
    retried = document["executor"].get("retried") or []
    lines.append(f"{summary['passed']} passed, {summary['failed']} failed"
                 + (f"; re-run after a lost worker: {', '.join(retried)}" if retried else ""))
    return "\n".join(lines)


def _check(args) -> int:
    from flowcert.reports.runner import resolve_claims
    document, _ = _run(args, resolve_claims(args.ids, _sources(args)))
    print(json.dumps(document, indent=2) if args.json else _verdict_table(document))
    return EXIT_PASS if document["summary"]["failed"] == 0 else EXIT_FAIL


def _report(args) -> int:
    if args.out.suffix.lower() != ".pdf":
        raise UsageError(f"--out must name a .pdf file, got {args.out}")
    json_path = args.out.with_suffix(".json")
    for path in (args.out, json_path):  # before anything heavy is imported or run
        _check_writable(path)
    from flowcert.reports.runner import resolve_claims, resolve_precisions
    resolve_precisions(args.precision)
    claims = resolve_claims(args.ids, _sources(args))
    from flowcert.reports.executors import resolve_workers
    from flowcert.reports.interrupts import replace_together
    from flowcert.reports.pdf import render_report
    document, outcomes = _run(args, claims)
    pdf = render_report(claims, outcomes, document, workers=resolve_workers(args.workers),
                        progress=None if args.quiet else sys.stderr)
    # Both files at once: never a new results file beside an older report.
    replace_together({json_path: (json.dumps(document, indent=2) + "\n").encode(),
                      args.out: pdf})
    print(_summary_screen(document))
    print(f"wrote {args.out} and {json_path}")
    return EXIT_PASS if document["summary"]["failed"] == 0 else EXIT_FAIL


def _check_writable(path: Path) -> None:
    """UsageError unless ``path`` can be created or replaced: probed, before any claim runs,
    by creating (and removing) a temporary file, and any missing folders, where it goes."""
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory")
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        for folder in missing:  # innermost first; the report creates them again
            with contextlib.suppress(OSError):
                folder.rmdir()


def _diff(args) -> int:
    from flowcert.reports.diff import diff_results, load_results
    lines = diff_results(load_results(args.old), load_results(args.new), args.factor)
    for line in lines:
        print(line)
    print(f"{len(lines)} regression(s) from {args.old} to {args.new}")
    return EXIT_FAIL if lines else EXIT_PASS


def _golden(args) -> int:
    from flowcert.reports.golden import (
        GOLDEN_PATH,
        claim_derivations,
        compare_golden,
        regenerate_golden,
    )
    derivations = None
    if args.claims:
        if args.file is None:
            raise UsageError("golden --claims needs --file: a user's golden values live in "
                             "the user's repository")
        from flowcert.claims.registry import load_source, registry
        sources = _sources(args)
        registry(sources)  # loads and validates every source (duplicate ids, …)
        derivations = claim_derivations([c for source in sources for c in load_source(source)])
        if not derivations:
            raise UsageError("the claims in --claims pin no derivation")
    path = args.file or GOLDEN_PATH
    if args.regenerate:
        print(f"pinned {regenerate_golden(path, derivations)} derivations in {path}")
        return EXIT_PASS
    problems = compare_golden(path, derivations)
    for problem in problems:
        print(problem)
    print(f"golden values: {len(problems)} difference(s) against {path}")
    return EXIT_FAIL if problems else EXIT_PASS


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``flowcert`` console script."""
    from flowcert.reports.interrupts import Interrupted, signals_raise
    try:
        with signals_raise():
            args = _parser().parse_args(argv)
            command = {"list": _list, "check": _check, "report": _report,
                       "golden": _golden, "diff": _diff}[args.command]
            return command(args)
    except SystemExit as exit_request:   # --help and --version
        return int(exit_request.code or 0)
    except (UsageError, ValueError) as error:
        print(f"flowcert: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (KeyboardInterrupt, Interrupted) as stop:
        signum = getattr(stop, "signum", 2)
        print(f"flowcert: stopped by {'SIGTERM' if signum == 15 else 'SIGINT'}; every "
              "worker process ended", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:
        # The reader went away (`flowcert list | head`): say nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PASS
    except Exception as error:  # noqa: BLE001 - a bug: one line unless debugging
        if os.environ.get("FLOWCERT_DEBUG"):
            raise
        print(f"flowcert: internal error: {type(error).__name__}: {error} (set "
              "FLOWCERT_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
