"""``python -m agents.play GAME SPEC_A SPEC_B``: a match between two agents (or a person), games saved.

Seats alternate every game (A is player 0 in games 1, 3, 5, ...). Games are played in pairs that share
their start and their chance seed with the seats swapped: for chess each opening (``--openings K``
random plies from a seeded generator, after the ``--fen``/``--moves`` start if any) is played twice with
colours swapped, and in poker both players get each deal once from each seat.

Files (``--out DIR``; default a new folder ``runs/matches/<UTC timestamp>``; ``--out -`` writes no
files): ``games.jsonl`` (one :class:`~agents.arena.records.GameRecord` per finished game, flushed at once),
``games.pgn`` for chess, ``hands.txt`` hand histories for imperfect-information games, and
``summary.json`` at the end. The summary (wins/draws/losses from A's side, score, Elo difference with a
95% interval; chips and mbb per hand for poker — see :mod:`agents.arena.summary`) is printed as a table,
or as one JSON object with ``--json``.

SPRT (``--sprt elo0=0,elo1=10[,alpha=0.05,beta=0.05]``, :mod:`agents.arena.stats`): ``--games`` becomes the
most games; after each pair of games the log-likelihood ratio of A's wins/draws/losses is computed and
the match stops when it leaves its bounds: "H1 accepted" (A is at least elo1 stronger), "H0 accepted",
or "inconclusive" after ``--games``. The summary gains ``sprt``: ``{llr, lower, upper, decision, games}``.

Exit status: 0; 2 for bad input (unknown game or agent, malformed spec or FEN, a value out of range,
Stockfish missing); 1 when an agent fails mid-match (engine died) and 130 on Ctrl-C — both after printing
the summary of the finished games, which stay in the files. ``summary.json`` holds the run's
``provenance`` (:mod:`agents.provenance`: command, commit, versions, machine, date, wall time).

One-player games (sudoku) take one agent and ``--puzzles FILE`` or ``--generate N`` (``--games N``: the
first N puzzles) and run in puzzle mode (:mod:`agents.arena.puzzles`): every answer checked, solve rate.

Poker: mbb/hand with a 95% interval over the duplicate pairs; on Kuhn and Leduc between tabular agents
(``cfr``, ``subgame``) also the AIVAT-corrected estimate (:mod:`agents.arena.aivat`), whose interval is
about 3.5 times narrower.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, Sequence

import numpy as np
from tqdm import tqdm

from agents.arena.concurrent import GameJob, Participant, play_concurrent
from agents.arena.match import play_game
from agents.arena.openings import default_opening_plies, random_opening
from agents.arena.puzzles import add_puzzle_flags, load_puzzles, run_puzzles
from agents.arena.records import GameRecord, RecordWriter, hand_history, pgn_from_record
from agents.arena.stats import SprtConfig, llr, parse_sprt
from agents.arena.summary import BIG_BLINDS, MatchSummary, format_summary, summarize
from agents.core import Agent, AgentError
from agents.flags import CliParser
from agents.human import parse_move
from agents.provenance import RunInfo
from agents.registry import agent_names, make_agent, make_agents
from games.cli import run_cli
from games.core import Game, InputError, State, StateParseError
from games.interrupts import deferred_interrupt
from games.registry import game_names, make_game

TWO_PLAYER_OPTIONS = ("fen", "moves", "start", "openings", "max_plies", "sprt")
"""Options (``dest`` names) of matches between two agents, refused in puzzle mode."""


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m agents.play",
                       description=__doc__.split("\n\n")[0] + "\n\nOne-player games (sudoku): python -m agents.play "
                       "sudoku SPEC (--puzzles FILE | --generate N) [--games N]: every answer checked, solve rate.",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog=f"games: {', '.join(game_names())}, openspiel:<name>; agents: {', '.join(agent_names())}")
    parser.add_argument("game", help="game name, e.g. chess, connect_four, kuhn_poker, openspiel:hex")
    parser.add_argument("spec_a", help="agent A, e.g. random, stockfish:elo=1500, mcts:sims=200, human")
    parser.add_argument("spec_b", nargs="?", help="agent B (none for a one-player game such as sudoku)")
    parser.add_argument("--games", type=int, default=None,
                        help="number of games (default 2); sudoku: the first N puzzles (default all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of agents, openings and chance (default 0)")
    parser.add_argument("--out", default=None,
                        help="output folder (default runs/matches/<timestamp>; '-' for no files; sudoku: files "
                             "only with --out)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--fen", help="chess: start from this FEN")
    parser.add_argument("--moves", help='start after these moves, e.g. "e4 e5 Nf3" (UCI or SAN for chess)')
    parser.add_argument("--start", help="start from this state text (the game's state_from_string form)")
    parser.add_argument("--openings", type=int, default=None,
                        help="random plies played before each pair of games (default 4 for chess, 2 for other "
                             "games without chance, 0 with chance or with a given start)")
    parser.add_argument("--max-plies", type=int, default=None, help="cut games off after this many moves")
    parser.add_argument("--concurrent", type=int, default=1, metavar="N",
                        help="play N games at once in this process: one search (one network call per step) "
                             "serves every game an MCTS agent is to move in; the records are those of one-by-one "
                             "play (perfect-information games; with time budgets the games share the time)")
    parser.add_argument("--sprt", default=None, metavar="elo0=0,elo1=10[,alpha=0.05,beta=0.05]",
                        help="stop early by a sequential probability ratio test on A's Elo; --games is the most")
    add_puzzle_flags(parser.add_argument_group("one-player games (sudoku): puzzle mode, one agent"), required=False)
    return parser


def check_args(args: argparse.Namespace, game: Game) -> None:
    """Refuse values out of range and options that do not fit the game (InputError: one line, exit 2)."""
    if args.games is not None and args.games < 1:
        raise InputError(f"--games must be at least 1; got {args.games}")
    if args.seed < 0:
        raise InputError(f"--seed must be >= 0; got {args.seed}")
    if args.max_plies is not None and args.max_plies < 1:
        raise InputError(f"--max-plies must be at least 1; got {args.max_plies}")
    if args.openings is not None and args.openings < 0:
        raise InputError(f"--openings must be >= 0; got {args.openings}")
    if args.concurrent < 1:
        raise InputError(f"--concurrent must be at least 1; got {args.concurrent}")
    if args.concurrent > 1 and not game.spec.perfect_information:
        raise InputError(f"--concurrent is for perfect-information games; {game.spec.name} is not (its AIVAT "
                         "scoring follows one game at a time)")
    if args.concurrent > 1 and any(s and s.split(":")[0] == "human" for s in (args.spec_a, args.spec_b)):
        raise InputError("--concurrent does not go with a human player")
    if game.spec.num_players == 1:
        if args.spec_b is not None:
            raise InputError(f"{game.spec.name} is a one-player game: give one agent, not '{args.spec_b}' as well")
        given = [f"--{name.replace('_', '-')}" for name in TWO_PLAYER_OPTIONS if getattr(args, name) is not None]
        if given:
            raise InputError(f"{given[0]} is for two-player games, not {game.spec.name}")
        return
    if args.spec_b is None:
        raise InputError(f"{game.spec.name} needs two agents: python -m agents.play {args.game} SPEC_A SPEC_B")
    for flag in ("puzzles", "generate", "min_guesses"):
        if getattr(args, flag) is not None:
            raise InputError(f"--{flag.replace('_', '-')} is for one-player games (sudoku), not {game.spec.name}")


def start_state(game: Game, fen: str | None, moves: str | None, text: str | None) -> State | None:
    """The state given by ``--fen``/``--start`` and ``--moves`` (None for the usual start)."""
    if fen is not None and text is not None:
        raise InputError("give --fen or --start, not both")
    state: State | None = None
    if fen is not None:
        if game.spec.name != "chess":
            raise InputError(f"--fen is for chess; use --start for {game.spec.name}")
        state = game.state_from_string(fen)
    elif text is not None:
        state = game.state_from_string(text)
    if moves:
        if state is None:
            state = game.new_state(np.random.default_rng(0))
        nolimit = game.spec.name.startswith("holdem_nolimit")  # cards and raise sizes in the game's own words
        for i, move in enumerate(moves.split()):
            if state.is_terminal():
                raise InputError(f"--moves: the game is over before move {i + 1} '{move}'")
            if state.is_chance_node() and not nolimit:
                raise InputError("--moves cannot pass a chance node")
            try:
                state.apply(state.string_to_action(move) if nolimit else parse_move(state, move))
            except InputError as err:
                raise InputError(f"--moves: move {i + 1}: {err}") from None
    if state is not None and state.is_terminal():
        raise StateParseError("the start position is already over")
    return state


@dataclass
class _Outputs:
    """The match's files (none when ``--out -``)."""

    folder: Path | None
    records: RecordWriter | None = None
    extra: dict[str, IO[str]] = field(default_factory=dict)
    game: Game | None = None
    """The game, where a file needs it to replay the records (ACPC logs)."""

    @classmethod
    def open(cls, out: str | None, game: Game) -> "_Outputs":
        if out == "-":
            return cls(None)
        if out is None:
            base = Path("runs") / "matches" / time.strftime("%Y%m%d-%H%M%S", time.gmtime())
            folder, k = base, 1
            while folder.exists():
                folder, k = Path(f"{base}-{k}"), k + 1
        else:
            folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"cannot create output folder {folder}: {err.strerror}") from None
        outputs = cls(folder, RecordWriter(folder / "games.jsonl"))
        if game.spec.name == "chess":
            outputs.extra["pgn"] = (folder / "games.pgn").open("a", encoding="utf-8")
        if not game.spec.perfect_information:
            outputs.extra["hands"] = (folder / "hands.txt").open("a", encoding="utf-8")
        if game.spec.name.startswith("holdem_nolimit"):  # ACPC log lines (agents.arena.acpc_log)
            outputs.extra["acpc"] = (folder / "hands.log").open("a", encoding="utf-8")
            outputs.game = game
        return outputs

    def write(self, record: GameRecord, index: int, event: str) -> None:
        if self.records is not None:
            self.records.write(record)
        if "pgn" in self.extra:
            self.extra["pgn"].write(pgn_from_record(record, event=event, round_=index))
        if "hands" in self.extra:
            self.extra["hands"].write(hand_history(record, index))
        if "acpc" in self.extra and self.game is not None:
            from agents.arena.acpc_log import state_line

            self.extra["acpc"].write(state_line(self.game, record, index - 1) + "\n")
        for handle in self.extra.values():
            handle.flush()

    def close(self, summary: MatchSummary | None, meta: dict[str, object], provenance: RunInfo) -> None:
        if self.records is not None:
            self.records.close()
        for handle in self.extra.values():
            handle.close()
        if self.folder is not None and summary is not None:
            record = {**meta, **summary.to_json(), "provenance": provenance.to_json()}
            (self.folder / "summary.json").write_text(json.dumps(record, indent=2) + "\n")


def one_inference_thread() -> None:
    """Match play evaluates tiny batches: torch's intra-op threads do not speed them up, and on a busy
    machine their spinning made a network game 25x slower (143 s against 5.6 s per game, measured). One
    thread unless the user chose with ``OMP_NUM_THREADS``."""
    if "OMP_NUM_THREADS" in os.environ:
        return
    os.environ["OMP_NUM_THREADS"] = "1"
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)  # before one_inference_thread: the user's environment
    one_inference_thread()
    game = make_game(args.game)
    check_args(args, game)
    if game.spec.num_players == 1:
        puzzles = load_puzzles(args.puzzles, args.generate, args.min_guesses, args.seed, args.games)
        return run_puzzles(game, args.spec_a, puzzles, seed=args.seed, out=args.out, as_json=args.json,
                           provenance=provenance)
    args.games = 2 if args.games is None else args.games
    args.sprt_config = parse_sprt(args.sprt) if args.sprt is not None else None
    args.provenance = provenance
    spec = game.spec
    base = start_state(game, args.fen, args.moves, args.start)
    plies = args.openings
    if plies is None:
        plies = default_opening_plies(game, start_given=base is not None)
    if plies and spec.has_chance:
        raise InputError(f"--openings needs a game without chance; {spec.name} has chance nodes")
    if args.concurrent > 1:
        return _run_concurrent(args, game, base, plies)
    agents: list[Agent] = []
    try:
        agents.append(make_agent(args.spec_a, game, seed=args.seed))
        agents.append(make_agent(args.spec_b, game, seed=args.seed + 1))
        outputs = _Outputs.open(args.out, game)
    except BaseException:
        for agent in agents:
            agent.close()
        raise

    def one_by_one() -> Iterator[tuple[int, GameRecord]]:
        for job in match_jobs(args, game, base, plies):
            by_seat = [agents[s] for s in job.seats]
            specs = [(args.spec_a, args.spec_b)[s] for s in job.seats]
            yield job.seats[0], play_game(game, by_seat, job.seed, start_state=job.start, max_plies=args.max_plies,
                                          specs=specs)

    return _run_match(args, game, agents, one_by_one(), outputs, close=agents)


def _run_concurrent(args: argparse.Namespace, game: Game, base: State | None, plies: int) -> int:
    """The match with ``args.concurrent`` games in flight (agents.arena.concurrent)."""
    participants: list[Participant] = []
    try:
        for i, spec in enumerate((args.spec_a, args.spec_b)):
            participants.append(Participant(make_agents(spec, game, seed=args.seed + i, slots=args.concurrent), spec))
        outputs = _Outputs.open(args.out, game)
    except BaseException:
        for p in participants:
            p.close()
        raise
    records = play_concurrent(game, participants, match_jobs(args, game, base, plies), max_plies=args.max_plies)
    in_order = ((i % 2, record) for i, record in enumerate(records))  # job i (in order): A sits in seat i % 2
    return _run_match(args, game, [], in_order, outputs, close=participants)


def match_jobs(args: argparse.Namespace, game: Game, base: State | None, plies: int) -> Iterator[GameJob]:
    """The match's games: pairs with one seed and one opening each, A first, then colours swapped."""
    opening: State | None = base
    for g in range(args.games):
        pair, a_seat = divmod(g, 2)
        pair_seed = int(np.random.SeedSequence([args.seed, pair]).generate_state(1)[0])
        if a_seat == 0:
            opening = random_opening(game, base, plies, np.random.default_rng(pair_seed))
        yield GameJob(index=g, seed=pair_seed, seats=(0, 1) if a_seat == 0 else (1, 0), start=opening)


def sprt_result(summary: MatchSummary, cfg: SprtConfig, max_games: int) -> dict[str, object]:
    """The ``sprt`` object of the summary: LLR, bounds, decision ("H1", "H0", "inconclusive"), games."""
    value = llr(summary.wins, summary.draws, summary.losses, cfg)
    decision = "H1" if value >= cfg.upper else ("H0" if value <= cfg.lower else "inconclusive")
    return {"llr": value, "lower": cfg.lower, "upper": cfg.upper, "decision": decision, "games": summary.games,
            "elo0": cfg.elo0, "elo1": cfg.elo1, "alpha": cfg.alpha, "beta": cfg.beta, "max_games": max_games}


def format_sprt(result: dict[str, object]) -> str:
    """Two lines: the decision in words, the LLR with its bounds."""
    words = {"H1": f"H1 accepted: first agent is stronger by >= elo1 ({result['elo1']:+g})",
             "H0": f"H0 accepted: first agent is not stronger by elo1 (elo0 {result['elo0']:+g} holds)",
             "inconclusive": f"inconclusive after {result['games']} games"}[str(result["decision"])]
    return (f"  SPRT {words}\n  LLR {result['llr']:+.3f}  bounds [{result['lower']:+.3f}, {result['upper']:+.3f}]"
            f"  after {result['games']} games")


def _run_match(args: argparse.Namespace, game: Game, agents: list[Agent], records: Iterator[tuple[int, GameRecord]],
               outputs: _Outputs, close: Sequence[Agent | Participant]) -> int:
    """Write, score and summarise the games ``records`` yields (A's seat, record), in order."""
    spec = game.spec
    poker = not spec.perfect_information
    aivat: list[float] | None = None
    scorers = None
    if poker and agents:
        from agents.arena.aivat import aivat_applies, match_scorers

        if aivat_applies(spec.name, agents):
            scorers, aivat = match_scorers(spec.name, agents[0], agents[1]), []  # type: ignore[arg-type]
    returns: list[tuple[float, ...]] = []
    seats: list[int] = []
    status, code, message = "completed", 0, ""
    show_bar = not any(s.split(":")[0] == "human" for s in (args.spec_a, args.spec_b))
    bar = tqdm(total=args.games, file=sys.stderr, unit="game", disable=not show_bar, dynamic_ncols=True)
    sprt: SprtConfig | None = args.sprt_config
    try:
        for g, (a_seat, record) in enumerate(records):
            corrected: float | None = None  # the A side's AIVAT-corrected return, in poker
            if scorers is not None:
                by_seat = (agents[0], agents[1]) if a_seat == 0 else (agents[1], agents[0])
                corrected0 = scorers[a_seat].score(list(record.actions), by_seat, record.returns[0])
                corrected = corrected0 if a_seat == 0 else -corrected0
            with deferred_interrupt() as interrupted:  # the files and the summary count the same games
                outputs.write(record, g + 1, event=f"{args.spec_a} vs {args.spec_b}")
                if aivat is not None and corrected is not None:
                    aivat.append(corrected)
                returns.append(record.returns)
                seats.append(a_seat)
            if interrupted():
                raise KeyboardInterrupt
            bar.update(1)
            done = summarize(returns, seats)
            bar.set_postfix(score=f"{done.score:.3f}", refresh=False)
            if sprt is not None and a_seat == 1:  # after each pair, for colour fairness
                if sprt_result(done, sprt, args.games)["decision"] != "inconclusive":
                    break
    except KeyboardInterrupt:
        status, code, message = "interrupted", 130, f"interrupted after {len(returns)} finished games"
    except AgentError as err:
        status, code, message = "error", 1, f"error: {err} (after {len(returns)} finished games)"
    finally:
        bar.close()
        for thing in close:
            thing.close()
        rules = getattr(game, "rules", None)  # no-limit hold'em names its blinds in its rules
        big_blind = getattr(rules, "big_blind", BIG_BLINDS.get(spec.name, 1.0))
        summary = summarize(returns, seats, poker=poker, big_blind=float(big_blind), aivat_of_a=aivat)
        meta: dict[str, object] = {"game": spec.name, "spec_a": args.spec_a, "spec_b": args.spec_b,
                                   "seed": args.seed, "status": status}
        if sprt is not None:
            meta["sprt"] = sprt_result(summary, sprt, args.games)
        outputs.close(summary, meta, args.provenance)
    if message:
        sys.stderr.write(message + "\n")
    folder = str(outputs.folder) if outputs.folder is not None else None
    if args.json:
        print(json.dumps({**meta, **summary.to_json(), "out": folder}))
    else:
        print(format_summary(summary, f"A={args.spec_a}", f"B={args.spec_b}"))
        if "sprt" in meta:
            print(format_sprt(meta["sprt"]))  # type: ignore[arg-type]
        if folder is not None:
            print(f"  games written to {folder}")
    return code


if __name__ == "__main__":
    sys.exit(run_cli(main))
