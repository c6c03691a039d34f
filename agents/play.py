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

Exit status: 0; 2 for bad input (unknown game or agent, malformed spec or FEN, Stockfish missing);
1 when an agent fails mid-match (engine died) and 130 on Ctrl-C — both after printing the summary of
the finished games, which stay in the files. One-player games (sudoku) are handed to
``agents.arena.puzzles`` with the same arguments.

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
from typing import IO, Sequence

import numpy as np
from tqdm import tqdm

from agents.arena.match import play_game
from agents.arena.openings import default_opening_plies, random_opening
from agents.arena.records import GameRecord, RecordWriter, hand_history, pgn_from_record
from agents.arena.stats import SprtConfig, llr, parse_sprt
from agents.arena.summary import BIG_BLINDS, MatchSummary, format_summary, summarize
from agents.core import Agent, AgentError
from agents.flags import CliParser
from agents.human import parse_move
from agents.registry import agent_names, make_agent
from games.cli import run_cli
from games.core import Game, InputError, State, StateParseError
from games.registry import game_names, make_game

_VALUE_OPTIONS = {"--games", "--seed", "--out", "--fen", "--moves", "--start", "--openings", "--max-plies", "--sprt"}


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m agents.play", description=__doc__.split("\n\n")[0],
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog=f"games: {', '.join(game_names())}, openspiel:<name>; agents: {', '.join(agent_names())}")
    parser.add_argument("game", help="game name, e.g. chess, connect_four, kuhn_poker, openspiel:hex")
    parser.add_argument("spec_a", help="agent A, e.g. random, stockfish:elo=1500, mcts:sims=200, human")
    parser.add_argument("spec_b", help="agent B")
    parser.add_argument("--games", type=int, default=2, help="number of games (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of agents, openings and chance (default 0)")
    parser.add_argument("--out", default=None,
                        help="output folder (default runs/matches/<timestamp>; '-' for no files)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--fen", help="chess: start from this FEN")
    parser.add_argument("--moves", help='start after these moves, e.g. "e4 e5 Nf3" (UCI or SAN for chess)')
    parser.add_argument("--start", help="start from this state text (the game's state_from_string form)")
    parser.add_argument("--openings", type=int, default=None,
                        help="random plies played before each pair of games (default 4 for chess, 2 for other "
                             "games without chance, 0 with chance or with a given start)")
    parser.add_argument("--max-plies", type=int, default=None, help="cut games off after this many moves")
    parser.add_argument("--sprt", default=None, metavar="elo0=0,elo1=10[,alpha=0.05,beta=0.05]",
                        help="stop early by a sequential probability ratio test on A's Elo; --games is the most")
    return parser


def _first_positional(argv: Sequence[str]) -> str | None:
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token.startswith("-"):
            skip = token in _VALUE_OPTIONS
        else:
            return token
    return None


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
        for i, move in enumerate(moves.split()):
            if state.is_terminal():
                raise InputError(f"--moves: the game is over before move {i + 1} '{move}'")
            if state.is_chance_node():
                raise InputError("--moves cannot pass a chance node")
            try:
                state.apply(parse_move(state, move))
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
        return outputs

    def write(self, record: GameRecord, index: int, event: str) -> None:
        if self.records is not None:
            self.records.write(record)
        if "pgn" in self.extra:
            self.extra["pgn"].write(pgn_from_record(record, event=event, round_=index))
        if "hands" in self.extra:
            self.extra["hands"].write(hand_history(record, index))
        for handle in self.extra.values():
            handle.flush()

    def close(self, summary: MatchSummary | None, meta: dict[str, object]) -> None:
        if self.records is not None:
            self.records.close()
        for handle in self.extra.values():
            handle.close()
        if self.folder is not None and summary is not None:
            (self.folder / "summary.json").write_text(json.dumps({**meta, **summary.to_json()}, indent=2) + "\n")


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
    one_inference_thread()
    name = _first_positional(argv)
    if name is not None and "-h" not in argv and "--help" not in argv:
        if make_game(name).spec.num_players == 1:
            from agents.arena.puzzles import main as puzzles_main

            return int(puzzles_main(argv))
    args = build_parser().parse_args(argv)
    if args.games < 1:
        raise InputError("--games must be at least 1")
    args.sprt_config = parse_sprt(args.sprt) if args.sprt is not None else None
    game = make_game(args.game)
    spec = game.spec
    base = start_state(game, args.fen, args.moves, args.start)
    plies = args.openings
    if plies is None:
        plies = default_opening_plies(game, start_given=base is not None)
    if plies < 0:
        raise InputError("--openings must be >= 0")
    if plies and spec.has_chance:
        raise InputError(f"--openings needs a game without chance; {spec.name} has chance nodes")
    agents: list[Agent] = []
    try:
        agents.append(make_agent(args.spec_a, game, seed=args.seed))
        agents.append(make_agent(args.spec_b, game, seed=args.seed + 1))
        outputs = _Outputs.open(args.out, game)
    except BaseException:
        for agent in agents:
            agent.close()
        raise
    return _run_match(args, game, agents, base, plies, outputs)


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


def _run_match(args: argparse.Namespace, game: Game, agents: list[Agent], base: State | None, plies: int,
               outputs: _Outputs) -> int:
    spec = game.spec
    poker = not spec.perfect_information
    aivat: list[float] | None = None
    scorers = None
    if poker:
        from agents.arena.aivat import aivat_applies, match_scorers

        if aivat_applies(spec.name, agents):
            scorers, aivat = match_scorers(spec.name, agents[0], agents[1]), []  # type: ignore[arg-type]
    returns: list[tuple[float, ...]] = []
    seats: list[int] = []
    status, code, message = "completed", 0, ""
    show_bar = not any(s.split(":")[0] == "human" for s in (args.spec_a, args.spec_b))
    bar = tqdm(total=args.games, file=sys.stderr, unit="game", disable=not show_bar, dynamic_ncols=True)
    opening: State | None = base
    sprt: SprtConfig | None = args.sprt_config
    try:
        for g in range(args.games):
            pair, a_seat = divmod(g, 2)
            pair_seed = int(np.random.SeedSequence([args.seed, pair]).generate_state(1)[0])
            if a_seat == 0:
                opening = random_opening(game, base, plies, np.random.default_rng(pair_seed))
            by_seat = [agents[0], agents[1]] if a_seat == 0 else [agents[1], agents[0]]
            specs = [args.spec_a, args.spec_b] if a_seat == 0 else [args.spec_b, args.spec_a]
            record = play_game(game, by_seat, pair_seed, start_state=opening, max_plies=args.max_plies,
                               specs=specs)
            outputs.write(record, g + 1, event=f"{args.spec_a} vs {args.spec_b}")
            if scorers is not None and aivat is not None:
                corrected0 = scorers[a_seat].score(list(record.actions), (by_seat[0], by_seat[1]), record.returns[0])
                aivat.append(corrected0 if a_seat == 0 else -corrected0)
            returns.append(record.returns)
            seats.append(a_seat)
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
        for agent in agents:
            agent.close()
        summary = summarize(returns, seats, poker=poker, big_blind=BIG_BLINDS.get(spec.name, 1.0), aivat_of_a=aivat)
        meta: dict[str, object] = {"game": spec.name, "spec_a": args.spec_a, "spec_b": args.spec_b,
                                   "seed": args.seed, "status": status}
        if sprt is not None:
            meta["sprt"] = sprt_result(summary, sprt, args.games)
        outputs.close(summary, meta)
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
