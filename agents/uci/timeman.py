"""The ``go`` command: its limits, and how much time and how many simulations a search gets.

Time per move on a clock (own clock ``T``, increment ``I``, ``movestogo`` or a horizon of
:data:`MOVES_HORIZON` moves ``m``, Move Overhead ``O``; all in seconds), as Stockfish plans it::

    left   = T + I * (m - 1) - O * (m + 2)          # time for the next m moves, overheads paid
    search = Slowmover * max(left, 0) / m, at most MAX_SHARE * (T - O), at least MIN_SECONDS

Every move is planned to leave the Move Overhead on the clock, and the increment is spent only as it
comes in, so with a small increment the clock settles at a few overheads instead of running out.
``movetime M`` searches ``M - O``. With a single legal move the engine answers at once.

``depth D`` has no meaning for a best-first search; it is mapped to a node budget of ``4 ** D``
simulations (:func:`depth_nodes`: depth 5 = 1,024, depth 10 = 1,048,576). Measured from the start
position, the reported mean depth is then D - 1 with the shipped network (depth 3, 4, 5 -> 2, 3, 4) and
about D / 2 with the material evaluator, whose uniform-like priors grow a wider tree.
"""
from __future__ import annotations

from dataclasses import dataclass

MOVES_HORIZON = 30
"""Moves the remaining time is spread over when ``movestogo`` is not given (and its cap when it is)."""
MAX_SHARE = 0.5
"""Largest share of the clock (less the overhead) one move may use."""
MIN_SECONDS = 0.005
"""Shortest search: the root is expanded and the move comes back at once."""
DEPTH_BASE = 4
"""``go depth D`` searches ``DEPTH_BASE ** D`` simulations."""
MAX_NODES = 2**31 - 1
"""Largest node budget (the tree's counters are 32-bit)."""
_NUMBERS = ("wtime", "btime", "winc", "binc", "movestogo", "movetime", "nodes", "depth", "mate")
_FLAGS = ("infinite", "ponder")


@dataclass(frozen=True)
class GoLimits:
    """The limits of one ``go`` command (times in seconds; None = not given)."""

    wtime: float | None = None
    btime: float | None = None
    winc: float = 0.0
    binc: float = 0.0
    movestogo: int | None = None
    movetime: float | None = None
    nodes: int | None = None
    depth: int | None = None
    mate: int | None = None
    infinite: bool = False
    ponder: bool = False
    searchmoves: tuple[str, ...] = ()
    """Root moves to consider, in UCI notation (empty = all)."""

    def clock(self, white: bool) -> tuple[float | None, float]:
        """(own remaining time, own increment) of the side to move."""
        return (self.wtime, self.winc) if white else (self.btime, self.binc)

    @property
    def unbounded(self) -> bool:
        """No limit at all (a bare ``go``): search until ``stop`` unless NodesPerMove is set."""
        return (self.wtime is None and self.btime is None and self.movetime is None and self.nodes is None
                and self.depth is None and self.mate is None)


def parse_go(tokens: list[str]) -> tuple[GoLimits, list[str]]:
    """``go`` arguments -> (:class:`GoLimits`, problems). A malformed number is reported and skipped; unknown
    words are ignored, as UCI asks."""
    values: dict[str, object] = {}
    problems: list[str] = []
    moves: list[str] = []
    i = 0
    while i < len(tokens):
        word = tokens[i]
        if word in _FLAGS:
            values[word] = True
        elif word == "searchmoves":
            while i + 1 < len(tokens) and tokens[i + 1] not in _NUMBERS + _FLAGS:
                moves.append(tokens[i + 1])
                i += 1
        elif word in _NUMBERS:
            text = tokens[i + 1] if i + 1 < len(tokens) else ""
            i += 1
            try:
                number = int(text)
            except ValueError:
                problems.append(f"go {word} needs an integer; got '{text}'")
            else:
                timed = word in ("wtime", "btime", "winc", "binc", "movetime")
                values[word] = max(0, number) / 1000.0 if timed else max(1, number)
        i += 1
    return GoLimits(searchmoves=tuple(moves), **values), problems  # type: ignore[arg-type]


def move_seconds(limits: GoLimits, white: bool, overhead: float, slowmover: float = 1.0) -> float | None:
    """Seconds to search this move (module docstring); None when neither a clock nor movetime is given."""
    if limits.movetime is not None:
        return max(MIN_SECONDS, limits.movetime - overhead)
    own, inc = limits.clock(white)
    if own is None:
        return None
    horizon = min(limits.movestogo, MOVES_HORIZON) if limits.movestogo else MOVES_HORIZON
    left = own + inc * (horizon - 1) - overhead * (horizon + 2)
    target = slowmover * max(left, 0.0) / horizon
    return max(MIN_SECONDS, min(target, MAX_SHARE * (own - overhead)))


def depth_nodes(depth: int) -> int:
    """The simulation budget of ``go depth D``: ``4 ** D`` (at most :data:`MAX_NODES`)."""
    return min(MAX_NODES, DEPTH_BASE ** min(max(depth, 1), 16))


def node_budget(limits: GoLimits, nodes_per_move: int) -> int | None:
    """Simulations this search may run: the least of ``nodes``, ``depth`` mapped, and NodesPerMove (0 = none)."""
    caps = [n for n in (limits.nodes, depth_nodes(limits.depth) if limits.depth else None,
                        nodes_per_move or None) if n]
    return min(caps) if caps else None
