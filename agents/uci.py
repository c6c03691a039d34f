"""``python -m agents.uci --spec SPEC`` (or ``--net PATH --sims N``): a chess agent as a UCI engine.

Speaks the subset of UCI hosts need: ``uci``, ``isready``, ``ucinewgame``, ``position startpos|fen
FEN [moves ...]``, ``go [movetime MS | nodes N | wtime/btime/winc/binc/movestogo | infinite]``,
``stop``, ``quit``. The move is computed in a background thread so ``isready``/``stop`` are answered
while it thinks. For an MCTS agent, ``go nodes`` sets the simulations and ``go movetime`` or the clock
sets a time budget for that move; other agents play with the budget of their spec. A bad command is
answered with ``info string error: ...`` and ignored; a bad spec ends the program (exit status 2).
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import threading
from typing import Callable, Sequence, TextIO

from agents.core import Agent
from agents.flags import CliParser
from agents.registry import make_agent
from games.cli import run_cli
from games.core import Game, InputError, State
from games.registry import make_game

ENGINE_NAME = "gamesearch"
MIN_MOVE_SECONDS = 0.02
"""Shortest time budget a clock-derived move gets."""


@dataclasses.dataclass
class GoLimits:
    """The limits of one ``go`` command (None = not given)."""

    movetime: float | None = None
    nodes: int | None = None
    wtime: float | None = None
    btime: float | None = None
    winc: float = 0.0
    binc: float = 0.0
    movestogo: int | None = None
    infinite: bool = False


def parse_go(tokens: list[str]) -> GoLimits:
    """``go`` arguments -> :class:`GoLimits` (times in seconds); unknown words are ignored, as UCI asks."""
    limits = GoLimits()
    i = 0
    while i < len(tokens):
        word = tokens[i]
        value = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "infinite":
            limits.infinite = True
        elif word in ("movetime", "wtime", "btime", "winc", "binc") and value is not None:
            setattr(limits, word, max(0.0, float(value)) / 1000.0)
            i += 1
        elif word in ("nodes", "movestogo") and value is not None:
            setattr(limits, word, max(1, int(value)))
            i += 1
        i += 1
    return limits


def move_seconds(limits: GoLimits, white_to_move: bool) -> float | None:
    """Seconds to spend on this move: ``movetime``, else a share of the clock, else None."""
    if limits.movetime is not None:
        return max(MIN_MOVE_SECONDS, limits.movetime * 0.95)
    clock = limits.wtime if white_to_move else limits.btime
    if clock is None:
        return None
    inc = limits.winc if white_to_move else limits.binc
    share = clock / (limits.movestogo or 30) + 0.8 * inc
    return max(MIN_MOVE_SECONDS, min(share, 0.5 * clock))


def value_to_centipawns(value: float) -> int:
    """Map a value in [-1, 1] to centipawns (the curve Leela Chess Zero uses)."""
    v = min(max(value, -0.999), 0.999)
    return int(round(290.680623072 * math.tan(1.548090806 * v)))


class UCIEngine:
    """The protocol state machine around one agent; :meth:`handle` takes one input line."""

    def __init__(self, game: Game, agent: Agent, spec_text: str, out: Callable[[str], None]) -> None:
        self.game, self.agent, self.spec_text, self.out = game, agent, spec_text, out
        self.state: State = game.new_state()
        self._fen: str | None = None
        self._moves: list[str] | None = []
        """Moves of the last position command (None after a failed one)."""
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        search = getattr(agent, "search", None)
        self._base_config = getattr(search, "config", None)

    # ----- commands ------------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Process one line; returns False on ``quit``."""
        tokens = line.split()
        if not tokens:
            return True
        cmd, args = tokens[0], tokens[1:]
        try:
            if cmd == "uci":
                self.out(f"id name {ENGINE_NAME} ({self.spec_text})")
                self.out(f"id author {ENGINE_NAME} developers")
                self.out("uciok")
            elif cmd == "isready":
                self.out("readyok")
            elif cmd == "ucinewgame":
                self._finish_search()
                self.agent.reset()
                self.state, self._fen, self._moves = self.game.new_state(), None, []
            elif cmd == "position":
                self._finish_search()
                self._position(args)
            elif cmd == "go":
                self._finish_search()
                self._go(parse_go(args))
            elif cmd == "stop":
                self._stop.set()
                self._finish_search()
            elif cmd == "quit":
                self._stop.set()
                self._finish_search()
                return False
            # other commands (debug, setoption, register, ponderhit) are ignored, as UCI allows
        except (InputError, ValueError) as err:
            self.out(f"info string error: {str(err).splitlines()[0]}")
        return True

    def _position(self, args: list[str]) -> None:
        if not args or args[0] not in ("startpos", "fen"):
            raise InputError("position needs 'startpos' or 'fen FEN'")
        rest = args[1:]
        moves_at = rest.index("moves") if "moves" in rest else len(rest)
        fen = " ".join(rest[:moves_at]) if args[0] == "fen" else None
        moves = rest[moves_at + 1:]
        if args[0] == "startpos" and moves_at != 0:
            raise InputError("position startpos takes only 'moves ...' after it")
        extends = self._moves is not None and fen == self._fen and moves[:len(self._moves)] == self._moves
        state = self.state.copy() if extends else (
            self.game.new_state() if fen is None else self.game.state_from_string(fen))
        if not extends:
            self.agent.reset()
        try:
            for text in moves[len(self._moves):] if extends else moves:  # type: ignore[arg-type]
                action = state.string_to_action(text)
                self.agent.observe(state, action)  # tree reuse across positions of one game
                state.apply(action)
        except InputError:
            self.agent.reset()
            self._moves = None  # the next position starts afresh
            raise
        self.state, self._fen, self._moves = state, fen, list(moves)

    def _go(self, limits: GoLimits) -> None:
        self._stop.clear()
        self._set_budget(limits)
        state = self.state.copy()
        self._thread = threading.Thread(target=self._think, args=(state, limits.infinite), daemon=True)
        self._thread.start()

    def _set_budget(self, limits: GoLimits) -> None:
        """An MCTS agent's budget for this move (nodes / movetime / clock); otherwise the spec's."""
        base = self._base_config
        if base is None:
            return
        seconds = move_seconds(limits, white_to_move=self.state.current_player == 0)
        if limits.nodes is not None:
            config = dataclasses.replace(base, num_simulations=limits.nodes, max_seconds=seconds or 0.0)
        elif seconds is not None:
            config = dataclasses.replace(base, num_simulations=0, max_seconds=seconds)
        else:
            config = base
        self.agent.search.config = config  # type: ignore[attr-defined]

    def _think(self, state: State, infinite: bool) -> None:
        if state.is_terminal():
            best = "0000"
        else:
            action = self.agent.act(state)
            best = state.action_to_move(action).uci()  # type: ignore[attr-defined]
            summary = getattr(self.agent, "last_summary", None)
            if summary is not None:
                self.out(f"info depth 1 nodes {int(summary.visit_counts.sum())} "
                         f"score cp {value_to_centipawns(float(summary.value))} pv {best}")
        if infinite:
            self._stop.wait()
        self.out(f"bestmove {best}")

    def _finish_search(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = CliParser(prog="python -m agents.uci", description="A chess agent as a UCI engine.")
    p.add_argument("--spec", help="agent spec, e.g. 'mcts:sims=400' or 'net:ckpt.pt'")
    p.add_argument("--net", help="checkpoint: play mcts:net=PATH,sims=N")
    p.add_argument("--sims", type=int, default=400, help="simulations per move with --net (default 400)")
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    args = parse_args(argv)
    if (args.spec is None) == (args.net is None):
        raise InputError("give exactly one of --spec SPEC or --net PATH")
    spec = args.spec if args.spec is not None else f"mcts:net={args.net},sims={args.sims}"
    game = make_game("chess")
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    lock = threading.Lock()

    def out(text: str) -> None:
        with lock:
            stdout.write(text + "\n")
            stdout.flush()

    with make_agent(spec, game, seed=args.seed) as agent:
        engine = UCIEngine(game, agent, spec, out)
        for line in stdin:
            if not engine.handle(line):
                break
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
