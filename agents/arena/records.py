"""Game records: the :class:`GameRecord` value object, its JSONL files, PGN for chess, hand histories for poker.

One finished game is one JSON line (``GameRecord.to_json``); tournaments, Elo fits and the scaling study
read these lines and nothing else. :class:`RecordWriter` appends a line per game and flushes it at once,
so a match that crashes keeps every game it finished.
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, Any, Iterator

import chess
import chess.pgn

from games.core import InputError

RECORD_VERSION = 1
"""Format version written in every JSON line."""


class RecordError(InputError):
    """A file or line that is not a valid game record."""


@dataclass(frozen=True)
class GameRecord:
    """One finished (or cut-off) game."""

    game: str
    """Registry name of the game (``"chess"``, ``"openspiel:hex"``, ...)."""
    specs: tuple[str, ...]
    """Agent spec string of each seat: ``specs[p]`` played player ``p``."""
    seed: int
    """Seed of the game's chance events (and of nothing else)."""
    moves: tuple[str, ...]
    """Every action in the game's usual notation (SAN for chess), chance outcomes included."""
    actions: tuple[int, ...]
    """The same actions as integers."""
    players: tuple[int, ...]
    """Who took each action: the player index, or ``-1`` (games.core.CHANCE) for chance."""
    returns: tuple[float, ...]
    """Final return of each player (all zeros when the game was cut off)."""
    plies: int
    """Number of player (non-chance) actions."""
    seconds: float
    """Wall-clock duration of the game."""
    termination: str
    """How it ended: the game's own word (``"checkmate"``, ...), ``"terminal"``, ``"max_plies"``, or
    ``"time_forfeit"`` (a player's clock ran out: it lost, :mod:`agents.arena.clock`)."""
    start: str | None = None
    """Text of the start state (a FEN for chess, ``str(state)`` otherwise); None for the usual start."""
    info_states: tuple[str, ...] = ()
    """Imperfect-information games: each player's final information-state string (for hand histories)."""
    version: int = RECORD_VERSION
    """Record format version."""

    @property
    def finished(self) -> bool:
        """False when the game was cut off (``max_plies``) before its end."""
        return self.termination != "max_plies"

    def to_json(self) -> str:
        """One line of JSON (no newline)."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "GameRecord":
        """Parse a line written by :meth:`to_json`; raises :class:`RecordError`."""
        try:
            data: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError as err:
            raise RecordError(f"not JSON: {err.msg}") from None
        if not isinstance(data, dict):
            raise RecordError("a game record must be a JSON object")
        known = {f.name for f in fields(cls)}
        missing = {"game", "specs", "seed", "moves", "actions", "returns", "plies", "termination"} - set(data)
        if missing:
            raise RecordError(f"game record lacks {', '.join(sorted(missing))}")
        values = {k: v for k, v in data.items() if k in known}
        for key in ("specs", "moves", "actions", "players", "returns", "info_states"):
            if key in values:
                values[key] = tuple(values[key])
        values.setdefault("players", ())
        values.setdefault("seconds", 0.0)
        return cls(**values)


class RecordWriter:
    """Appends records to a JSONL file, one flushed line per game."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = self.path.open("a", encoding="utf-8")

    def write(self, record: GameRecord) -> None:
        if self._file is None:
            raise ValueError(f"{self.path} is closed")
        self._file.write(record.to_json() + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> "RecordWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_records(path: Path) -> Iterator[GameRecord]:
    """Yield the records of a JSONL file; raises :class:`RecordError` naming the bad line."""
    with Path(path).open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield GameRecord.from_json(line)
            except (RecordError, TypeError) as err:
                raise RecordError(f"{path}:{line_no}: {err}") from None


# ----- chess: PGN -------------------------------------------------------------------------------------
def chess_result(record: GameRecord) -> str:
    """PGN result from white's (player 0's) side: ``1-0``, ``0-1``, ``1/2-1/2``, or ``*`` if cut off."""
    if not record.finished:
        return "*"
    white, black = record.returns[0], record.returns[1]
    if white > black:
        return "1-0"
    if white < black:
        return "0-1"
    return "1/2-1/2"


def pgn_from_record(record: GameRecord, event: str = "agents.play match", round_: int | None = None,
                    date: str | None = None) -> str:
    """The game as PGN text; FEN and SetUp headers when it did not start from the initial position.

    ``date`` is the PGN Date header (``YYYY.MM.DD``; default today, UTC).
    """
    board = chess.Board(record.start) if record.start else chess.Board()
    game = chess.pgn.Game()
    if record.start and board.fen() != chess.STARTING_FEN:
        game.setup(board)
    game.headers["Event"] = event
    game.headers["Site"] = "local"
    game.headers["Date"] = date or time.strftime("%Y.%m.%d", time.gmtime())
    game.headers["Round"] = str(round_) if round_ is not None else "?"
    game.headers["White"] = record.specs[0]
    game.headers["Black"] = record.specs[1]
    game.headers["Result"] = chess_result(record)
    game.headers["Termination"] = record.termination
    game.headers["PlyCount"] = str(record.plies)
    node: chess.pgn.GameNode = game
    for san in record.moves:
        move = board.parse_san(san)
        node = node.add_variation(move)
        board.push(move)
    return str(game) + "\n\n"


# ----- poker: hand histories -----------------------------------------------------------------------------
def hand_history(record: GameRecord, index: int) -> str:
    """A readable hand history: seats, every action with its actor, final information states, returns."""
    lines = [f"Hand #{index}  {record.game}  seed {record.seed}"]
    for seat, spec in enumerate(record.specs):
        lines.append(f"  Seat {seat}: {spec}")
    players = record.players or (0,) * len(record.moves)
    for player, move in zip(players, record.moves):
        who = "chance" if player < 0 else f"P{player} ({record.specs[player]})"
        lines.append(f"  {who}: {move}")
    for seat, info in enumerate(record.info_states):
        lines.append(f"  P{seat} sees: {' | '.join(info.splitlines())}")
    shown = "  ".join(f"P{p} {r:+g}" for p, r in enumerate(record.returns))
    lines.append(f"  Result: {shown}  ({record.termination})")
    return "\n".join(lines) + "\n\n"
