"""Command line: ``detsim check|replay|show``. Exit 0 = held, 1 = violation, 2 = usage or input error."""
from __future__ import annotations

import argparse
import json
import os
import sys

from .campaign import build_model, check, load_class, replay, save_failure
from .engine import defines
from .errors import DetsimError, ModelError
from .history import render_timeline
from .search import DFS, PCT, Fifo, Random
from .trace import Trace

EXIT_HELD, EXIT_VIOLATION, EXIT_USAGE = 0, 1, 2


def _parse_params(pairs) -> dict:
    params = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ModelError(f"-p expects key=value, got {pair!r}")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = None if raw in ("None", "none") else raw  # bare words are strings
        params[key] = value
    return params


def _strategy(args):
    if args.strategy == "random":
        return Random(args.seed)
    if args.strategy == "pct":
        return PCT(args.depth, args.seed)
    if args.strategy == "dfs":
        return DFS(max_runs=args.runs, max_deviations=args.max_deviations)
    return Fifo()


def cmd_check(args) -> int:
    model = build_model(args.model, _parse_params(args.param))
    result = check(model, _strategy(args), runs=args.runs, shrink=not args.no_shrink,
                          horizon=args.horizon, max_steps=args.max_steps)
    if result.ok:
        print(f"{args.model}: {result}")
    else:
        if result.trace is not None:
            result.path = str(result.trace.save(args.out) if args.out else save_failure(result.trace))
        print(result.report())
    if any(key.startswith("fault") for key in result.counters):  # the model has a fault plan
        print(result.fault_table())
    return EXIT_HELD if result.ok else EXIT_VIOLATION


def cmd_replay(args) -> int:
    result = replay(args.path)
    print(result.trace.describe())
    if result.violation is None:
        print("replay: every property held")
        return EXIT_HELD
    print(f"replay reproduced: {result.violation}")
    return EXIT_VIOLATION


def cmd_show(args) -> int:
    trace = Trace.load(args.path)
    print(trace.describe())
    load_class(trace.model)
    result = replay(trace)  # the pictures below come from re-executing the trace
    for name, history in result.world.histories.items():
        print(f"\nhistory {name!r} ({len(history.operations())} operations), per client:")
        print(render_timeline(history))
    if defines(result.model, "show"):
        print(result.model.show(result))
    return EXIT_HELD if trace.violation is None else EXIT_VIOLATION


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="detsim", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="run a campaign against a model")
    c.add_argument("model", metavar="MODULE:CLASS")
    c.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="model parameter (JSON value or bare string)")
    c.add_argument("--strategy", choices=["random", "pct", "dfs", "fifo"], default="random")
    c.add_argument("--runs", type=int, default=1000)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--depth", type=int, default=3, help="PCT bug depth")
    c.add_argument("--max-deviations", type=int, default=None, help="DFS bound on non-default decisions")
    c.add_argument("--horizon", type=float, default=None, help="virtual-time horizon")
    c.add_argument("--max-steps", type=int, default=None)
    c.add_argument("--no-shrink", action="store_true")
    c.add_argument("--out", metavar="PATH", help="where to save a failing trace")
    c.set_defaults(func=cmd_check)
    r = sub.add_parser("replay", help="re-execute a saved trace exactly")
    r.add_argument("path")
    r.set_defaults(func=cmd_replay)
    s = sub.add_parser("show", help="print a saved trace for people")
    s.add_argument("path")
    s.set_defaults(func=cmd_show)
    return p


def main(argv=None) -> int:
    if os.getcwd() not in sys.path:  # models/ and properties/ live beside the caller
        sys.path.insert(0, os.getcwd())
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_HELD
    try:
        return args.func(args)
    except DetsimError as e:  # bad input, a divergent trace or a runaway model: one line, exit 2
        print(f"detsim: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `detsim check ... | head`
        sys.stderr.close()
        return EXIT_HELD

if __name__ == "__main__":
    sys.exit(main())
