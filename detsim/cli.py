"""Command line: ``detsim check|replay|show``.

Exit codes: 0 every property held; 1 a violation was found or reproduced; 2 usage
or input error, a broken model or a bad trace (one line on stderr, ``detsim:
error: ...``; ``--debug`` shows the traceback); 130 interrupted.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import traceback

from .campaign import (DIGEST_PREFIX, Progress, audit, build_model, check, dask_connect, dask_close, digest,
                       replay, save_safely, story)
from .engine import defines
from .errors import DetsimError, NondeterminismError, UsageError
from .history import render_timeline
from .search import DFS, PCT, Exhaustive, Fifo, Random
from .trace import Trace
from .trace._validate import clip
from .view import deviation_steps, render_around, render_setup, render_steps, replay_command, write_html

EXIT_HELD, EXIT_VIOLATION, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parse_params(pairs) -> dict:
    params = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"-p expects key=value, got {clip(pair)}")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = None if raw in ("None", "none") else raw  # bare words are strings
        params[key] = value
    return params


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError
    return value


def _time(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError
    return int(value) if value.is_integer() else value


_positive.__name__ = "positive integer"
_non_negative.__name__ = "integer >= 0"
_time.__name__ = "finite time >= 0"


def _strategy(args):
    if args.strategy == "random":
        return Random(args.seed)
    if args.strategy == "pct":
        return PCT(args.depth, args.seed)
    if args.strategy == "dfs":
        return DFS(max_runs=args.runs, max_deviations=args.max_deviations, max_preemptions=args.max_preemptions)
    if args.strategy == "exhaustive":
        return Exhaustive(states=args.states)
    return Fifo()


def _save(trace, out=None) -> str:
    """Save a trace somewhere that works and say where (never loses it)."""
    saved = save_safely(trace, out)
    if saved.note:
        print(f"detsim: warning: {saved.note}", file=sys.stderr)
    if saved.path is None:
        print("detsim: warning: no place to save the trace; here it is as JSON:", file=sys.stderr)
        print(trace.to_json())
        return "(printed above)"
    return str(saved.path)


def _warn(lines) -> None:
    for line in lines:
        print(f"detsim: warning: {line}", file=sys.stderr)


def cmd_check(args) -> int:
    if args.runs is None:  # exhaustive runs until every behaviour is covered unless capped
        args.runs = None if args.strategy == "exhaustive" else 1000
    model = build_model(args.model, _parse_params(args.param))
    digests: list[str] = []

    def on_run(i, result):
        # a run made by a worker process arrives as a RunSummary carrying its trace's digest
        digests.append(getattr(result, "digest", None) or digest(result.trace))
        if args.emit_digests:
            print(f"{DIGEST_PREFIX}{i} {digests[-1]}", flush=True)

    progress = _progress(args)
    workers = dask_connect(args.dask) if args.dask else (args.workers or "auto")
    try:
        result = check(model, _strategy(args), runs=args.runs, shrink=not args.no_shrink,
                       horizon=args.horizon, max_steps=args.max_steps,
                       on_run=on_run if args.audit or args.emit_digests else None,
                       workers=workers, progress=progress)
    finally:
        if progress is not None:
            progress.close()
        if args.dask:
            dask_close(workers)
    _warn(result.warnings)
    verdict = result.verdict
    if result.trace is not None:
        result.path = _save(result.trace, args.out)
    if args.emit_digests:
        return EXIT_VIOLATION if verdict == "violated" else EXIT_HELD
    if verdict == "error":
        where = f"; the run's trace: {result.path}" if result.path else ""
        print(f"detsim: error: {result.summary()}{where}", file=sys.stderr)
        return EXIT_USAGE
    if verdict == "nothing explored":
        print(f"detsim: error: {args.model}: {result.summary()}", file=sys.stderr)
        return EXIT_USAGE
    if result.violation is not None:
        print(result.report())
        if args.html and result.trace is not None:
            _, told = story(result.trace, model)
            print(f"html: {write_html(told, args.html, replay_command(result.path) if result.path else '')}")
    else:
        print(f"{args.model}: {result}")
        if args.html:
            print("detsim: no counterexample, so no HTML page was written", file=sys.stderr)
    if any(key.startswith("fault") for key in result.counters):  # the model has a fault plan
        print(result.fault_table())
    if result.interrupted:
        found = "; the counterexample found so far is saved above" if result.violation is not None else ""
        print(f"detsim: interrupted after {result.runs} schedule(s){found}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.audit:
        print(audit(_audit_argv(args), digests))
    return EXIT_HELD if result.ok else EXIT_VIOLATION


PROGRESS_MIN_RUNS = 5000  # plain progress lines (no terminal) only for campaigns this long


def _progress(args):
    """A bar on a terminal; plain lines on stderr otherwise, for long campaigns only."""
    if args.no_progress or args.emit_digests:
        return None
    if sys.stderr.isatty():
        return Progress(args.runs, sys.stderr, mode="bar")
    long = args.runs is not None and args.runs >= PROGRESS_MIN_RUNS  # runs=None: an exhaustive search
    return Progress(args.runs, sys.stderr, mode="plain") if long else None


def _audit_argv(args) -> list[str]:
    argv = ["check", args.model, "--strategy", args.strategy] + \
        (["--runs", str(args.runs)] if args.runs is not None else []) + [
            "--seed", str(args.seed), "--depth", str(args.depth)] + (["--states"] if args.states else [])
    for pair in args.param or []:
        argv += ["-p", pair]
    for flag, value in (("--max-deviations", args.max_deviations), ("--max-preemptions", args.max_preemptions),
                        ("--horizon", args.horizon),
                        ("--max-steps", args.max_steps)):
        if value is not None:
            argv += [flag, str(value)]
    return argv


def _reproduced(trace, result) -> int:
    """Compare a re-execution's outcome with the one the trace recorded."""
    recorded, got = trace.violation, result.violation
    key = (lambda v: None if v is None else (v.property, v.step, v.process))
    if key(recorded) != key(got):
        def text(v):
            return "no violation" if v is None else f'"{v.property}" at step {v.step}, process {v.process}'
        raise NondeterminismError(f"replay of {clip(trace.model)} ended with {text(got)}, but the trace "
                                  f"recorded {text(recorded)}: the model changed since the trace was "
                                  "saved, or it is nondeterministic")
    return EXIT_HELD if got is None else EXIT_VIOLATION


def cmd_replay(args) -> int:
    trace = Trace.load(args.path)
    result = replay(trace, trust=args.trust or ())
    _warn(result.warnings)
    print(trace.describe(result.preemptions))
    code = _reproduced(trace, result)
    print("replay: every property held" if code == EXIT_HELD else f"replay reproduced: {result.violation}")
    return code


def cmd_show(args) -> int:
    trace = Trace.load(args.path)
    # the pictures below come from re-executing it, with every step recorded
    result, told = story(trace, trust=args.trust or (), state=bool(args.html))
    _warn(result.warnings)
    print(trace.describe(result.preemptions))
    setup = render_setup(told)
    if setup:
        print(setup)
    if args.steps:
        print("\nevery step:")
        print(render_steps(told))
    elif len(told["steps"]) > 1:
        which = "each deviation and the last step" if deviation_steps(told) else "the last step"
        print(f"\nthe steps around {which} (every step: detsim show PATH --steps):")
        print(render_around(told))
    for name, history in result.world.histories.items():
        print(f"\nhistory {name!r} ({len(history.operations())} operations), per client:")
        print(render_timeline(history))
    if defines(result.model, "show"):
        print(result.model.show(result))
    code = _reproduced(trace, result)
    if args.html:
        print(f"html: {write_html(told, args.html, replay_command(args.path))}")
    return code


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, like every other error."""

    def error(self, message):
        print(f"detsim: error: {clip(message, 300)} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="detsim", description=__doc__.split("\n")[0],
                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="run a campaign against a model")
    c.add_argument("model", metavar="MODULE:CLASS")
    c.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="model parameter (JSON value or bare string)")
    c.add_argument("--strategy", choices=["random", "pct", "dfs", "fifo", "exhaustive"], default="random",
                   help="exhaustive: every behaviour up to equivalence, a verified or bounded verdict")
    c.add_argument("--runs", type=_positive, default=None,
                   help="schedules to run (default 1000; exhaustive: until done)")
    c.add_argument("--states", action="store_true",
                   help="exhaustive: cache states (unreduced search, pruned at states seen before; "
                        "livelock judged on the complete state graph)")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--depth", type=_positive, default=3, help="PCT bug depth (>= 1)")
    c.add_argument("--max-deviations", type=_non_negative, default=None, help="DFS bound on non-default decisions")
    c.add_argument("--max-preemptions", type=_non_negative, default=None,
                   help="DFS bound on preemptions (default: deepen 0, 1, 2, ... until --runs is spent)")
    c.add_argument("--horizon", type=_time, default=None, help="virtual-time horizon")
    c.add_argument("--max-steps", type=_positive, default=None, help="step budget of each run")
    c.add_argument("--no-shrink", action="store_true")
    c.add_argument("--out", metavar="PATH", help="where to save a failing trace")
    c.add_argument("--html", metavar="OUT", help="also write the counterexample as a self-contained HTML page")
    c.add_argument("--audit", action="store_true",
                   help="re-run every schedule in a fresh process under another PYTHONHASHSEED and compare")
    where = c.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive, default=None, metavar="N",
                       help="worker processes (default: every core for campaigns of 1,000 runs or more); "
                            "the result is the same whatever N")
    where.add_argument("--dask", metavar="ADDRESS|local",
                       help="run on a Dask cluster (tcp://host:port), or on a new local one (needs detsim[dask])")
    c.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines on stderr")
    c.add_argument("--emit-digests", action="store_true", help=argparse.SUPPRESS)
    c.set_defaults(func=cmd_check)
    for name, func, text in (("replay", cmd_replay, "re-execute a saved trace exactly"),
                             ("show", cmd_show, "re-execute a saved trace and print it for people")):
        r = sub.add_parser(name, help=text)
        r.add_argument("path")
        r.add_argument("--trust", action="append", metavar="MODULE",
                       help="a model module outside the project's model packages that this trace may load")
        if name == "show":
            r.add_argument("--steps", action="store_true", help="print every step: who ran, to which line, what it did")
            r.add_argument("--html", metavar="OUT", help="also write a self-contained HTML page of the run")
        r.set_defaults(func=func)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_HELD
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("detsim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `detsim check ... | head`
        sys.stderr.close()
        return EXIT_HELD
    except Exception as e:  # bad input, a broken model, a divergent trace: one line, exit 2
        if args.debug:
            traceback.print_exc()
        trace = getattr(e, "trace", None)
        where = f" (trace of the run: {_save(trace)})" if trace is not None else ""
        kind = "" if isinstance(e, DetsimError) else f"internal error: {type(e).__name__}: "
        text = " ".join(str(e).split())
        print(f"detsim: error: {kind}{clip(text, 2000)}{where}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
