"""The UCI protocol state machine: commands in, ``id``/``option``/``readyok``/``info``/``bestmove`` out.

:meth:`UCIEngine.handle` takes one input line on the command thread and never blocks on a search: ``go``
starts one on :class:`~agents.uci.worker.SearchWorker`'s thread; ``stop``, ``quit``, ``ucinewgame``,
``position`` and a new ``go`` end the running search first (its ``bestmove`` is written within
milliseconds); ``isready`` is answered at once, also during a search. The evaluator and the tree are
(re)built and warmed up (numba compilation, ONNX export, the first network call) at the first
``isready`` or ``go`` after an option that needs it changed, so a game's first move is on time.

A ``position`` with a malformed or illegal move, or a bad FEN, is answered with ``info string error ...``;
the engine then holds no position and answers the next ``go`` with ``bestmove 0000``. Tree reuse: when
a position extends the previous one by some moves, the tree follows them
(:meth:`search.mcts.BatchedMCTS.advance`).
"""
from __future__ import annotations

import dataclasses
import logging
import time
from typing import Callable

import chess

from agents.uci.lines import root_lines, tree_depth
from agents.uci.options import MATERIAL, OPTIONS, OptionError, Value, check_value, defaults, max_nodes, parse_setoption
from agents.uci.report import MATERIAL_CP_SCALE, NETWORK_CP_SCALE
from agents.uci.timeman import parse_go
from agents.uci.worker import SearchJob, SearchSettings, SearchWorker
from games.chess.game import ChessGame
from games.chess.state import ChessState
from games.core import InputError
from search.evaluators import MaterialEvaluator
from search.mcts import BatchedMCTS, MCTSConfig

ENGINE_NAME = "gamesearch"
ENGINE_AUTHOR = "gamesearch developers"
REBUILD = frozenset({"WeightsFile", "Backend", "Threads", "Hash"})
"""Options whose change rebuilds the evaluator and the tree (at the next ``isready`` or ``go``)."""
WARMUP_SIMULATIONS = 64
"""Simulations of the warm-up search (at least two network batches)."""
_log = logging.getLogger(__name__)


class PositionError(InputError):
    """A ``position`` command with a bad FEN or a malformed or illegal move."""


def parse_position(game: ChessGame, args: list[str]) -> tuple[ChessState, str | None, list[str]]:
    """``position startpos|fen FEN [moves M...]`` -> (state, FEN or None, moves); raises :class:`PositionError`."""
    if not args or args[0] not in ("startpos", "fen"):
        raise PositionError("position needs 'startpos' or 'fen FEN' [moves ...]")
    rest = args[1:]
    cut = rest.index("moves") if "moves" in rest else len(rest)
    if args[0] == "startpos" and cut != 0:
        raise PositionError("position startpos takes only 'moves ...' after it")
    fen = " ".join(rest[:cut]) if args[0] == "fen" else None
    try:
        state = game.new_state() if fen is None else game.state_from_string(fen)
    except InputError as err:
        raise PositionError(f"bad FEN '{fen}': {str(err).splitlines()[0]}") from None
    moves = rest[cut + 1:]
    for i, text in enumerate(moves, 1):
        try:
            move = chess.Move.from_uci(text)
        except ValueError:
            raise PositionError(f"malformed move '{text}' (move {i}); position not set") from None
        if not move or move not in state.board.legal_moves:
            raise PositionError(f"illegal move '{text}' (move {i}) in {state}; position not set")
        # python-chess's legality: play goes on past the draws the rules here apply at once (repetition,
        # fifty moves), which a GUI may leave unclaimed
        state.apply_unchecked(state.move_to_action(move))
    return state, fen, list(moves)


class UCIEngine:
    """One engine: option values, the evaluator and searcher they describe, the position, the search thread."""

    def __init__(self, out: Callable[[str], None], values: dict[str, Value] | None = None, seed: int = 0) -> None:
        self.out = out
        self.game = ChessGame()
        self.values: dict[str, Value] = defaults() | dict(values or {})
        self.seed = seed
        self.state: ChessState | None = self.game.new_state()
        """Position of the last ``position`` command; None after a failed one."""
        self._key: tuple[str | None, list[str]] | None = (None, [])
        self.mcts: BatchedMCTS | None = None
        self.worker: SearchWorker | None = None
        self.cp_scale = MATERIAL_CP_SCALE
        self._built: dict[str, Value] | None = None
        """Values of :data:`REBUILD` options the searcher was built with (None: not built)."""

    # ----- command dispatch ------------------------------------------------------------------------
    def handle(self, line: str) -> bool:
        """Process one input line; returns False on ``quit``."""
        received = time.perf_counter()
        tokens = line.split()
        if not tokens:
            return True
        command, args = tokens[0], tokens[1:]
        try:
            if command == "quit":
                self._stop_search()
                return False
            handler = self._handlers().get(command)
            if handler is None:
                if command not in ("debug", "register"):
                    self.out(f"info string error: unknown command '{command}'")
                return True
            handler(args, received)
        except InputError as err:
            self.out(f"info string error: {str(err).splitlines()[0]}")
        except Exception as err:  # noqa: BLE001 - a GUI keeps its engine: report (traceback on stderr), go on
            _log.exception("command '%s' failed", line.strip())
            self.out(f"info string error: '{command}' failed: {err or type(err).__name__}")
        return True

    def _handlers(self) -> dict[str, Callable[[list[str], float], None]]:
        return {"uci": self._uci, "isready": self._isready, "setoption": self._setoption,
                "ucinewgame": self._ucinewgame, "position": self._position, "go": self._go,
                "stop": lambda args, t: self._stop_search(), "ponderhit": self._ponderhit}

    @property
    def searching(self) -> bool:
        return self.worker is not None and self.worker.busy

    def _stop_search(self) -> None:
        if self.worker is not None:
            self.worker.stop()

    def _uci(self, args: list[str], received: float) -> None:
        self.out(f"id name {ENGINE_NAME}")
        self.out(f"id author {ENGINE_AUTHOR}")
        for option in OPTIONS:  # defaults shown: the values now (command-line flags and setoption included)
            self.out(option.declaration(self.values.get(option.name)))
        self.out("uciok")

    def _isready(self, args: list[str], received: float) -> None:
        if not self.searching:
            self.prepare()
        self.out("readyok")

    def _ponderhit(self, args: list[str], received: float) -> None:
        if self.worker is not None:
            self.worker.ponderhit()

    def _ucinewgame(self, args: list[str], received: float) -> None:
        self._stop_search()
        if self.mcts is not None:
            self.mcts.reset()
        self._key = None

    # ----- options -----------------------------------------------------------------------------------
    def _setoption(self, args: list[str], received: float) -> None:
        if self.searching:
            raise OptionError("setoption during a search is ignored; send stop first")
        option, value = parse_setoption(args)
        if option.name == "Clear Hash":
            if self.mcts is not None:
                self.mcts.reset()
            return
        try:
            check_value(option, value)
        except OptionError as err:
            raise OptionError(f"{option.name}: {err} (value unchanged)") from None
        self.values[option.name] = value

    def settings(self) -> SearchSettings:
        """The options as the next search takes them."""
        v = self.values
        config = MCTSConfig(num_simulations=1, c_puct=float(v["CPuct"]), c_base=float(v["CPuctBase"]),
                            fpu=float(v["FpuValue"]), temperature=float(v["Temperature"]),
                            leaves_per_eval=int(v["MinibatchSize"]), max_nodes=max_nodes(int(v["Hash"])),
                            seed=self.seed)
        return SearchSettings(config=config, multipv=int(v["MultiPV"]), show_wdl=bool(v["UCI_ShowWDL"]),
                              verbose=bool(v["VerboseMoveStats"]), overhead=int(v["Move Overhead"]) / 1000.0,
                              slowmover=float(v["Slowmover"]), nodes_per_move=int(v["NodesPerMove"]),
                              cp_scale=self.cp_scale)

    # ----- building and warm-up -------------------------------------------------------------------------
    def prepare(self) -> None:
        """Build (if options changed) and warm up the evaluator and the searcher. A build that fails is
        reported and the options that caused it go back to the values of the last good build."""
        wanted = {name: self.values[name] for name in REBUILD}
        if wanted == self._built:
            return
        try:
            self._build()
        except Exception as err:  # noqa: BLE001 - a bad checkpoint, backend or torch failure: report, go back
            self.out(f"info string error: cannot use {wanted['WeightsFile']} with backend {wanted['Backend']}: "
                     f"{str(err).splitlines()[0] if str(err) else type(err).__name__}")
            fallback = self._built or {name: defaults()[name] for name in REBUILD}
            self.values.update(fallback)
            self._build()
        self._built = {name: self.values[name] for name in REBUILD}

    def _build(self) -> None:
        weights, threads = str(self.values["WeightsFile"]), int(self.values["Threads"])
        if weights == MATERIAL:
            evaluator, self.cp_scale = MaterialEvaluator(), MATERIAL_CP_SCALE
        else:
            import torch

            from agents.nets.backends import agent_evaluator

            torch.set_num_threads(threads)
            evaluator = agent_evaluator(weights, self.game, backend=str(self.values["Backend"]), threads=threads)
            self.cp_scale = NETWORK_CP_SCALE
        config = self.settings().config
        # A budget of max_nodes / 2 simulations makes the searcher allocate the whole tree now (Hash).
        mcts = BatchedMCTS(self.game, dataclasses.replace(config, num_simulations=config.max_nodes // 2),
                           evaluator, num_trees=1)
        mcts.config = dataclasses.replace(config, num_simulations=max(WARMUP_SIMULATIONS, 2 * config.leaves_per_eval))
        mcts.search([self.game.new_state()])
        root_lines(mcts.tree, 2)
        tree_depth(mcts.tree)
        mcts.reset()
        self.mcts, self.worker = mcts, SearchWorker(mcts, self.out)
        self._key = None

    # ----- position and go ---------------------------------------------------------------------------------
    def _position(self, args: list[str], received: float) -> None:
        self._stop_search()
        previous, key = self.state, self._key
        self.state, self._key = None, None  # until the new position is complete
        state, fen, moves = parse_position(self.game, args)
        self.state, self._key = state, (fen, moves)
        if self.mcts is None or self.worker is None:
            return
        if previous is not None and key is not None and key[0] == fen and moves[:len(key[1])] == key[1]:
            walk = previous.copy()
            for text in moves[len(key[1]):]:
                action = walk.move_to_action(chess.Move.from_uci(text))
                self.mcts.advance(0, action, expected=walk)
                walk.apply_unchecked(action)

    def _go(self, args: list[str], received: float) -> None:
        self._stop_search()
        limits, problems = parse_go(args)
        for problem in problems:
            self.out(f"info string error: {problem}")
        if self.state is None:
            self.out("info string error: no position to search (the last 'position' command failed)")
            self.out("bestmove 0000")
            return
        self.prepare()
        assert self.mcts is not None and self.worker is not None
        state = self._playable(self.state)
        allowed = self._searchmoves(state, limits.searchmoves)
        self.worker.start(SearchJob(state, limits, self.settings(), received, allowed))

    def _playable(self, state: ChessState) -> ChessState:
        """The position to search: ``state``, or when the game's rules ended it by repetition, the fifty-move
        rule or its length although moves are legal (a GUI need not claim those draws), the same position
        without its history and counters."""
        board = state.board
        if not state.is_terminal() or board.is_checkmate() or board.is_stalemate():
            return state.copy()
        fresh = board.copy(stack=False)
        fresh.halfmove_clock, fresh.fullmove_number = 0, 1
        self.out(f"info string the game is over by rule ({state.termination()}); searching the position anew")
        return self.game.state_from_string(fresh.fen())

    def _searchmoves(self, state: ChessState, moves: tuple[str, ...]) -> tuple[int, ...]:
        """``searchmoves`` as actions; a move that is not legal here is reported and left out."""
        allowed = []
        for text in moves:
            try:
                move = chess.Move.from_uci(text)
            except ValueError:
                move = chess.Move.null()
            if move and not state.is_terminal() and move in state.board.legal_moves:
                allowed.append(state.move_to_action(move))
            else:
                self.out(f"info string error: searchmoves: '{text}' is not a legal move here; ignored")
        return tuple(allowed)
