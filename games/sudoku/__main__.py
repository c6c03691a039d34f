"""``python -m games.sudoku generate``: write generated 9x9 puzzles, one 81-character line each.

Example: ``python -m games.sudoku generate --count 200 --min-guesses 20 --seed 7 --out hard.txt``
(``--max-guesses G`` keeps puzzles needing at most G guesses: easy and medium sets).
``--exclude FILE`` skips puzzles equivalent (same canonical form) to any puzzle of FILE, to keep a
training set apart from a test set. ``--json`` prints one JSON object summarising the run.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np
from tqdm import tqdm

from games.cli import run_cli
from games.core import InputError
from games.sudoku.canonical import canonical_form
from games.sudoku.generator import generate_puzzles
from games.sudoku.grid import read_puzzle_lines


def _read_exclude(path: str) -> set[str]:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as err:
        raise InputError(f"cannot read --exclude file {path}: {err.strerror}") from None
    return {canonical_form(p) for p in read_puzzle_lines(lines)}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the ``generate`` command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m games.sudoku", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="generate puzzles with a unique solution",
                         description="Generate sudoku puzzles with a unique solution (repeatable with --seed), one "
                                     "per line.")
    gen.add_argument("--count", type=int, default=10, help="puzzles to write")
    gen.add_argument("--min-guesses", type=int, default=0, help="difficulty filter: solver guesses at level 1")
    gen.add_argument("--max-guesses", type=int, default=None, help="difficulty filter: at most this many solver "
                     "guesses at level 1 (default: no limit)")
    gen.add_argument("--seed", type=int, default=0, help="random seed (the output is repeatable)")
    gen.add_argument("--out", required=True, help="output file (one puzzle per line)")
    gen.add_argument("--exclude", help="file of puzzles whose equivalents must not be produced")
    gen.add_argument("--max-attempts", type=int, default=None, help="give up after this many candidates "
                     "(default 1000 per puzzle asked)")
    gen.add_argument("--json", action="store_true", help="print one JSON summary object")
    args = parser.parse_args(argv)
    if args.count < 1 or args.min_guesses < 0 or (args.max_guesses is not None and args.max_guesses < args.min_guesses):
        raise InputError("--count must be >= 1, --min-guesses >= 0 and --max-guesses >= --min-guesses")
    exclude = _read_exclude(args.exclude) if args.exclude else set()
    max_attempts = args.max_attempts if args.max_attempts is not None else 1000 * args.count
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    found = []
    stream = generate_puzzles(rng, args.min_guesses, exclude, max_attempts)
    for item in tqdm(stream, total=args.count, desc="puzzles", unit="puzzle", disable=None, file=sys.stderr):
        if args.max_guesses is not None and item.guesses > args.max_guesses:
            continue
        found.append(item)
        if len(found) == args.count:
            break
    seconds = time.perf_counter() - start
    if len(found) < args.count:
        raise InputError(f"found only {len(found)} puzzles with >= {args.min_guesses} guesses "
                         f"in {max_attempts} attempts")
    try:
        Path(args.out).write_text("".join(p.puzzle + "\n" for p in found))
    except OSError as err:
        raise InputError(f"cannot write {args.out}: {err.strerror}") from None
    summary = {
        "puzzles": len(found),
        "out": args.out,
        "seed": args.seed,
        "min_guesses": args.min_guesses,
        "mean_guesses": float(np.mean([p.guesses for p in found])),
        "mean_clues": float(np.mean([p.clues for p in found])),
        "seconds": seconds,
        "puzzles_per_s": len(found) / seconds if seconds > 0 else float("inf"),
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"wrote {len(found)} puzzles to {args.out} in {seconds:.2f} s "
              f"(mean {summary['mean_guesses']:.1f} guesses, {summary['mean_clues']:.1f} clues)")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
