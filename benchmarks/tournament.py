"""``python -m benchmarks.tournament GAME SPEC SPEC... --games-per-pair N --out DIR``: a resumable tournament.

The schedule is a round robin, or with ``--anchors A,B`` an anchored schedule (every spec plays every
anchor, the anchors play each other). Games are played in worker processes
(:mod:`benchmarks.game_runner`) and appended to ``DIR/games.jsonl`` as each finishes; a re-run plays only
the games the file does not hold yet. At the end the Elo ratings are fitted over the schedule's games
(:mod:`benchmarks.elo`: anchors ``--anchor SPEC=ELO``, default ``stockfish:elo=N`` at N, else ``random`` =
0, else the first anchor or spec = 0) and ``report.md``, ``report.html``, ``ratings.json``,
``ratings.png`` are written into DIR; the ratings are printed as a table, or with ``--json`` as one
object ``{"ratings": {SPEC: {"elo", "ci95", "games"}}, "games_played", "games_reused", ...}``.

Within a pairing ``(a, b)`` the seats alternate (``a`` is player 0 in even games). Games ``2k`` and
``2k + 1`` share one seed, derived from ``(seed, a, b, k)``: the same chance events and, with
``--opening-plies K`` (default :func:`~agents.arena.openings.default_opening_plies`, as ``agents.play``),
the same random opening, once from each seat.

Resuming: a record in ``games.jsonl`` counts towards a game of the schedule with the same specs in the
same seats — first the game with its seed, then any game still missing with those seats (so a re-run
with another ``--seed`` reuses everything). Each record counts once.

Exit status: 0; 2 for bad input (unknown game, bad spec — every spec is parsed and built once before a
game is played —, bad anchors); 1 when a game fails; 130 on Ctrl-C. Finished games stay in the file.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from agents.arena.openings import default_opening_plies
from agents.arena.records import GameRecord, RecordError, RecordWriter, read_records
from agents.flags import CliParser
from agents.provenance import RunInfo
from agents.registry import make_agent
from agents.arena.stats import score_of
from benchmarks.elo import EloFit, default_anchors, fit_elo, games_from_results, parse_anchor, \
    write_elo_report
from benchmarks.game_runner import GameFailedError, GameTask, add_backend_flags, run_games
from games.cli import run_cli
from games.core import InputError
from games.registry import make_game

RECORDS_FILE = "games.jsonl"
"""The tournament's game records inside its folder."""


class TournamentError(InputError):
    """A bad schedule, spec list or tournament folder."""


@dataclass(frozen=True)
class Pairing:
    """Games between two agents."""

    a: str
    """Agent spec; player 0 in the even games."""
    b: str
    """Agent spec; player 0 in the odd games."""
    games: int
    """Games between them (colours alternate: ``a`` is player 0 in even games)."""


@dataclass(frozen=True)
class ScheduleResult:
    """What :func:`run_schedule` did."""

    records: list[GameRecord]
    """Every record of the schedule, pairing by pairing, game by game (old and new)."""
    played: int
    """Games played now."""
    reused: int
    """Games found in the folder."""


def _unique(specs: Sequence[str]) -> list[str]:
    out = [s.strip() for s in specs]
    seen = [s for i, s in enumerate(out) if s in out[:i]]
    if seen:
        raise TournamentError(f"spec '{seen[0]}' given twice")
    if any(not s for s in out):
        raise TournamentError("empty agent spec")
    return out


def round_robin(specs: Sequence[str], games_per_pair: int) -> list[Pairing]:
    """Every spec against every other, ``games_per_pair`` games each."""
    names = _unique(specs)
    if len(names) < 2:
        raise TournamentError("a tournament needs at least two specs")
    return [Pairing(a, b, games_per_pair) for i, a in enumerate(names) for b in names[i + 1:]]


def anchored_schedule(specs: Sequence[str], anchors: Sequence[str], games_per_pair: int) -> list[Pairing]:
    """Every spec plays every anchor, anchors play each other (links everyone to the anchors)."""
    fixed = _unique(anchors)
    if not fixed:
        raise TournamentError("an anchored schedule needs at least one anchor")
    others = [s for s in _unique(specs) if s not in fixed]
    pairings = [Pairing(a, b, games_per_pair) for i, a in enumerate(fixed) for b in fixed[i + 1:]]
    return pairings + [Pairing(s, anchor, games_per_pair) for s in others for anchor in fixed]


def _spec_key(spec: str) -> int:
    return int.from_bytes(hashlib.sha256(spec.encode()).digest()[:8], "little")


def _derive(*entropy: int) -> int:
    return int(np.random.SeedSequence(list(entropy)).generate_state(1, dtype=np.uint64)[0] >> 1)


def game_seed(seed: int, a: str, b: str, index: int) -> int:
    """Seed of game ``index`` of pairing ``(a, b)``; games ``2k`` and ``2k + 1`` share it."""
    return _derive(seed, _spec_key(a), _spec_key(b), index // 2)


def pairing_tasks(game: str, pairing: Pairing, seed: int, opening_plies: int) -> list[GameTask]:
    """The games of one pairing, in order."""
    a, b = pairing.a, pairing.b
    key_a, key_b = _spec_key(a), _spec_key(b)
    agent_seeds = (_derive(seed, key_a, key_b, 1 << 40), _derive(seed, key_a, key_b, 1 << 41))
    return [GameTask(game=game, pairing=(a, b), agent_seeds=agent_seeds, index=i,
                     seats=(a, b) if i % 2 == 0 else (b, a), seed=game_seed(seed, a, b, i),
                     opening_plies=opening_plies) for i in range(pairing.games)]


def _old_records(path: Path, game: str) -> list[GameRecord]:
    if not path.exists():
        return []
    records = list(read_records(path))
    other = [r.game for r in records if r.game != game]
    if other:
        raise TournamentError(f"{path} holds games of '{other[0]}', not '{game}'; use another folder")
    return records


def match_records(tasks: Sequence[GameTask], records: Sequence[GameRecord]) -> dict[int, GameRecord]:
    """Which tasks (by position) the records already played: same seats and seed first, then same seats."""
    by_exact: dict[tuple[tuple[str, ...], int], list[GameRecord]] = defaultdict(list)
    for record in records:
        by_exact[(record.specs, record.seed)].append(record)
    found: dict[int, GameRecord] = {}
    for i, task in enumerate(tasks):
        bucket = by_exact.get((task.seats, task.seed))
        if bucket:
            found[i] = bucket.pop(0)
    by_seats: dict[tuple[str, ...], list[GameRecord]] = defaultdict(list)
    for (seats, _), bucket in by_exact.items():
        by_seats[seats].extend(bucket)
    for i, task in enumerate(tasks):
        bucket = by_seats.get(task.seats)
        if i not in found and bucket:
            found[i] = bucket.pop(0)
    return found


def check_specs(game_name: str, specs: Sequence[str]) -> None:
    """Parse and build every spec once (then close it); raises the agent layer's InputError."""
    game = make_game(game_name)
    for spec in dict.fromkeys(specs):
        make_agent(spec, game, seed=0).close()


def run_schedule(game_name: str, pairings: Sequence[Pairing], out_dir: str | Path, *, workers: int = 2,
                 seed: int = 0, opening_plies: int = 0, progress: bool = True, backend: str | None = None,
                 slots: int = 16) -> ScheduleResult:
    """:func:`play_schedule` with the counts of games played and reused."""
    game = make_game(game_name)
    if game.spec.num_players != 2:
        raise TournamentError(f"tournaments need a two-player game; {game.spec.name} has {game.spec.num_players}")
    if opening_plies < 0:
        raise TournamentError("opening plies must be >= 0")
    if opening_plies and game.spec.has_chance:
        raise TournamentError(f"random openings need a game without chance; {game.spec.name} has chance nodes")
    if any(p.games < 0 for p in pairings):
        raise TournamentError("games per pairing must be >= 0")
    if workers < 1:
        raise TournamentError("workers must be >= 1")
    folder = Path(out_dir)
    tasks = [t for p in pairings for t in pairing_tasks(game_name, p, seed, opening_plies)]
    try:
        found = match_records(tasks, _old_records(folder / RECORDS_FILE, game.spec.name))
    except RecordError as err:
        raise TournamentError(f"cannot resume: {err}") from None
    todo = [i for i in range(len(tasks)) if i not in found]
    check_specs(game_name, [s for i in todo for s in tasks[i].pairing])
    new: dict[int, GameRecord] = {}
    position = {id(tasks[i]): i for i in todo}
    if todo:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise TournamentError(f"cannot create output folder {folder}: {err.strerror}") from None
        with RecordWriter(folder / RECORDS_FILE) as writer:
            def keep(task: GameTask, record: GameRecord) -> None:
                writer.write(record)
                new[position[id(task)]] = record

            run_games([tasks[i] for i in todo], keep, workers=workers, progress=progress,
                      description=f"{game.spec.name} games ({len(found)} reused)", backend=backend, slots=slots)
    records = [found[i] if i in found else new[i] for i in range(len(tasks))]
    return ScheduleResult(records=records, played=len(new), reused=len(found))


def play_schedule(game_name: str, pairings: Sequence[Pairing], out_dir: str | Path, *, workers: int = 2,
                  seed: int = 0, opening_plies: int = 0, progress: bool = True, backend: str | None = None,
                  slots: int = 16) -> list[GameRecord]:
    """Play every game of the schedule not already recorded in ``out_dir/games.jsonl`` (resumable: a record
    counts towards the pairing with the same two specs in the same seats; re-running plays nothing new),
    append each finished game to ``out_dir/games.jsonl`` at once (a crash loses no finished game), with a
    tqdm progress bar; games run on ``workers`` Ray actors playing ``slots`` games each at once, or in
    ``workers`` processes (``backend``, :func:`benchmarks.game_runner.run_games`; agents are built once per
    pairing and told of each new game); game i of a pairing uses a seed derived from
    (seed, a, b, i) deterministically and, when opening_plies > 0, a random opening of that many plies
    drawn from that seed (the same opening for the colour-swapped game, so pairs of games are fair).
    Returns every record of the schedule (old and new).

    Raises:
        InputError: a bad game, spec, option or folder (before any game is played).
        GameFailedError: a game failed (the games finished before stay in the file).
    """
    return run_schedule(game_name, pairings, out_dir, workers=workers, seed=seed, opening_plies=opening_plies,
                        progress=progress, backend=backend, slots=slots).records


def fit_records(records: Sequence[GameRecord], anchors: dict[str, float] | None = None,
                preferred: Sequence[str] = ()) -> EloFit:
    """Elo fit over the records; default anchors as :func:`benchmarks.elo.default_anchors` on the players
    with ``preferred`` first (so the first schedule anchor gets 0 when there is no Stockfish level or random)."""
    games = games_from_results((r.specs[0], r.specs[1], score_of(r.returns)) for r in records)
    if anchors is None:
        order = [p for p in preferred if p in games.players] + [p for p in games.players if p not in preferred]
        anchors = default_anchors(order)
    return fit_elo(games, anchors)


# ----- command line ------------------------------------------------------------------------------------------
def split_specs(text: str) -> list[str]:
    """Split a comma-separated spec list whose specs may hold commas themselves (``mcts:sims=8,eval=uniform``):
    a part starts a new spec unless it is a ``key=value`` option (an '=' before any ':')."""
    specs: list[str] = []
    for part in text.split(","):
        eq, colon = part.find("="), part.find(":")
        option = eq >= 0 and (colon < 0 or eq < colon)
        if option and specs:
            specs[-1] += "," + part
        else:
            specs.append(part)
    return [s.strip() for s in specs if s.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m benchmarks.tournament", description=__doc__.split("\n\n")[0],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("game", help="game name, e.g. connect_four, chess, openspiel:hex")
    parser.add_argument("specs", nargs="+", metavar="SPEC", help="agent specs, e.g. random mcts:sims=64")
    parser.add_argument("--games-per-pair", type=int, required=True, help="games between each two agents")
    parser.add_argument("--out", type=Path, required=True, help="tournament folder (resumed if it holds games)")
    parser.add_argument("--anchors", action="append", default=[], metavar="SPEC,...",
                        help="anchored schedule: every spec plays these, and they play each other")
    parser.add_argument("--anchor", action="append", default=[], metavar="SPEC=ELO",
                        help="fix a rating (repeatable); default stockfish:elo=N at N, else random=0")
    parser.add_argument("--workers", type=int, default=2, help="game workers (default 2; 1 = in this process)")
    add_backend_flags(parser)
    parser.add_argument("--opening-plies", type=int, default=None,
                        help="random plies before each pair of games (default as agents.play: 4 for chess, 2 for "
                             "other games without chance, 0 with chance); without them deterministic agents "
                             "replay the same two games")
    parser.add_argument("--seed", type=int, default=0, help="seed of games, openings and agents (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)
    if args.games_per_pair < 1:
        raise TournamentError("--games-per-pair must be at least 1")
    anchors = [s for text in args.anchors for s in split_specs(text)]
    pairings = anchored_schedule(args.specs, anchors, args.games_per_pair) if anchors else \
        round_robin(args.specs, args.games_per_pair)
    players = {s for p in pairings for s in (p.a, p.b)}
    fixed = dict(parse_anchor(a) for a in args.anchor) or None
    missing = [name for name in (fixed or {}) if name not in players]
    if missing:
        raise TournamentError(f"--anchor '{missing[0]}' is not a player of the tournament")
    plies = args.opening_plies if args.opening_plies is not None else default_opening_plies(make_game(args.game))
    try:
        result = run_schedule(args.game, pairings, args.out, workers=args.workers, seed=args.seed,
                              backend=args.backend, slots=args.slots,
                              opening_plies=plies, progress=not args.json)
    except GameFailedError as err:
        sys.stderr.write(f"error: {err}\n  finished games are in {args.out / RECORDS_FILE}; re-run to resume\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"interrupted: finished games are in {args.out / RECORDS_FILE}; re-run to resume\n")
        return 130
    fit = fit_records(result.records, fixed, preferred=anchors or args.specs)
    write_elo_report(fit, args.out, provenance, title=f"{make_game(args.game).spec.name} tournament")
    if args.json:
        print(json.dumps({"ratings": {n: {"elo": r.elo, "ci95": list(r.ci95), "games": r.games}
                                      for n, r in fit.ratings.items()},
                          "first_move_advantage": fit.advantage, "games_played": result.played,
                          "games_reused": result.reused, "out": str(args.out)}))
    else:
        print(f"{result.played} games played, {result.reused} reused")
        for name in sorted(fit.players, key=lambda n: -fit.ratings[n].elo):
            r = fit.ratings[name]
            mark = "  (anchor)" if r.anchor else ""
            print(f"{r.elo:8.1f}  [{r.ci95[0]:7.1f}, {r.ci95[1]:7.1f}]  {r.games:6d} games  {name}{mark}")
        print(f"report: {args.out / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
