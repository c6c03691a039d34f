"""The exact value of a no-limit river between two range agents, over every pair of hands.

A head-to-head match scores the hands that were dealt; most of its noise is card luck. On the river no card
is left to come, and both agents answer every hand at once (:meth:`HandPolicyAgent.hand_policy`), so from a
public river state and both players' ranges there the expected chips can be computed exactly: walk every
public betting line the agents' strategies give positive probability (each agent answering as in play,
re-solving included), carry each player's reach over the 1,326 combos, and score every terminal over all
pairs of hands that share no card (fold: the pot; showdown: the hand values on the board).

For a searcher that plays its blueprint before the river, the public river states of a match against the
blueprint come from the blueprint's self-play, and given such a state the hole cards are distributed as
the blueprint's ranges there. So the mean over sampled hands of (searcher's exact river value minus the
blueprint's in the same seat) is the expected result of the duplicate match, with the card luck of the
river removed: a conditional expectation (Rao-Blackwell) of the same quantity, not a different one.

:func:`river_best_response` is the other exact measure: the chips a player who knows an agent's strategy
wins from a river state by best-responding, hand by hand, with a fixed set of bet sizes (on and off the
blueprint's tree: the blueprint meets an off-tree size by translation, a searcher by re-solving). Against
the blueprint and against a searcher from the same states, it says whether search leaves less to exploit.

Lines whose pair mass is below ``min_share`` of the root's are not followed (their mass is reported; its
value can differ from the truth by at most that share times the stack).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from games.core import State
from search.cfr.abstraction import board_values
from search.cfr.nl_hands import HoldemHands


class RangeAgent(Protocol):
    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        """(actions [k], probabilities [1326, k])."""


@dataclass(frozen=True)
class RiverValue:
    """Player 0's exact expected chips from a river state, and how the walk went."""

    value: float
    """Expected chips of player 0 (the pot it wins or loses), over every pair of hands."""
    pruned: float
    """Share of the root's pair mass in lines not followed (``min_share``)."""
    decisions: int
    """Public decisions visited."""


class RiverBoard:
    """The pair tables of one complete board: which hands can face each other and who wins."""

    def __init__(self, board: Sequence[int]) -> None:
        if len(board) != 5:
            raise ValueError(f"the river needs a five-card board; got {len(board)} cards")
        hands = HoldemHands(tuple(int(c) for c in board))
        self.combos = hands.combos
        cards = hands.cards
        values = board_values(np.asarray(board, dtype=np.int64))[self.combos]
        share = np.zeros((cards.shape[0], cards.shape[0]), dtype=bool)
        for i in range(2):
            for j in range(2):
                share |= cards[:, i, None] == cards[None, :, j]
        disjoint = ~share
        self.disjoint = disjoint.astype(np.float64)
        self.win = ((values[:, None] > values[None, :]) & disjoint).astype(np.float64)
        """[H, H]: 1 where player 0's hand (row) beats player 1's (column)."""
        self.lose = ((values[:, None] < values[None, :]) & disjoint).astype(np.float64)

    def mass(self, reach: np.ndarray) -> float:
        """Sum over card-disjoint pairs of reach[0][h0] * reach[1][h1]."""
        return float(reach[0] @ self.disjoint @ reach[1])


def river_value(start: State, agents: Sequence[RangeAgent], ranges: np.ndarray, min_share: float = 1e-6,
                board: RiverBoard | None = None) -> RiverValue:
    """Player 0's exact expected chips from river decision ``start`` when player ``p`` plays ``agents[p]``
    and the hole cards are distributed as ``ranges [2, 1326]`` (any scale)."""
    table, reach, root = _root(start, ranges, board)
    walk = _Walk(agents, table, min_share * root)
    total = walk.value(start, reach)
    return RiverValue(total / root, walk.pruned / root, walk.decisions)


def _root(start: State, ranges: np.ndarray, board: RiverBoard | None) -> tuple[RiverBoard, np.ndarray, float]:
    """(the board's pair tables, both reaches over its hands, their pair mass) at river decision ``start``."""
    if int(start.round) != 3 or start.is_terminal():  # type: ignore[attr-defined]
        raise ValueError("the exact river walk starts at a decision on the river")
    table = board if board is not None else RiverBoard(start.board)  # type: ignore[attr-defined]
    reach = np.asarray(ranges, dtype=np.float64)[:, table.combos]
    root = table.mass(reach)
    if not root > 0.0:
        raise ValueError("the ranges leave no pair of hands")
    return table, reach, root


BR_FRACTIONS = (0.5, 0.75, 1.0, 2.0)
"""Pot fractions the best responder raises by (with fold, check or call, and all-in)."""


def river_best_response(start: State, agent: RangeAgent, responder: int, ranges: np.ndarray,
                        fractions: Sequence[float] = BR_FRACTIONS, min_share: float = 1e-6,
                        board: RiverBoard | None = None) -> RiverValue:
    """``responder``'s exact expected chips from river decision ``start`` when it best-responds, hand by hand,
    to ``agent`` (playing the other seat), with fold, check/call, raises of ``fractions`` of the pot and
    all-in; hole cards distributed as ``ranges [2, 1326]``."""
    table, reach, root = _root(start, ranges, board)
    walk = _Response(agent, responder, tuple(fractions), table, min_share * float(reach[1 - responder].sum()))
    values = walk.values(start, reach[1 - responder])
    return RiverValue(float(reach[responder] @ values) / root, walk.pruned / float(reach[1 - responder].sum()),
                      walk.decisions)


class _Response:
    """Per hand of the responder: its best chips summed over the opponent's hands (weighted by their reach)."""

    def __init__(self, agent: RangeAgent, responder: int, fractions: tuple[float, ...], table: RiverBoard,
                 floor: float) -> None:
        self.agent, self.responder, self.fractions, self.table, self.floor = agent, responder, fractions, table, floor
        self.pruned = 0.0
        self.decisions = 0

    def values(self, state: State, other: np.ndarray) -> np.ndarray:
        t, me = self.table, self.responder
        spent = state.spent  # type: ignore[attr-defined]
        if state.is_terminal():
            folded = int(state.folded)  # type: ignore[attr-defined]
            if folded >= 0:
                chips = -spent[me] if folded == me else spent[1 - me]
                return chips * (t.disjoint @ other)
            if me == 0:
                return spent[1] * (t.win @ other) - spent[0] * (t.lose @ other)
            return spent[0] * (t.lose.T @ other) - spent[1] * (t.win.T @ other)
        self.decisions += 1
        if int(state.current_player) == me:
            best = None
            for action in self.actions(state):
                child = state.copy()
                child.apply(action)
                v = self.values(child, other)
                best = v if best is None else np.maximum(best, v)
            assert best is not None
            return best
        actions, probs = self.agent.hand_policy(state)
        probs = np.asarray(probs, dtype=np.float64)[t.combos]
        total = np.zeros(t.combos.shape[0])
        for a, action in enumerate(actions):
            reach = other * probs[:, a]
            mass = float(reach.sum())
            if mass == 0.0:
                continue
            if mass <= self.floor:
                self.pruned += mass
                continue
            child = state.copy()
            child.apply(int(action))
            total += self.values(child, reach)
        return total

    def actions(self, state: State) -> list[int]:
        legal = {int(a) for a in state.legal_actions()}
        out = sorted(a for a in legal if a <= 1)  # fold (when facing a bet) and check/call
        span = state.raise_range()  # type: ignore[attr-defined]
        if span is not None:
            m = int(state.max_spent)  # type: ignore[attr-defined]
            raises = {min(max(int(round(m + f * 2 * m)), span[0]), span[1]) for f in self.fractions} | {span[1]}
            out += sorted(raises)
        return out


class _Walk:
    def __init__(self, agents: Sequence[RangeAgent], table: RiverBoard, floor: float) -> None:
        self.agents, self.table, self.floor = agents, table, floor
        self.pruned = 0.0
        self.decisions = 0

    def value(self, state: State, reach: np.ndarray) -> float:
        """Player 0's chips summed over pairs, weighted by both reaches."""
        spent = state.spent  # type: ignore[attr-defined]
        if state.is_terminal():
            folded = int(state.folded)  # type: ignore[attr-defined]
            if folded >= 0:
                chips = -spent[0] if folded == 0 else spent[1]
                return chips * self.table.mass(reach)
            return spent[1] * float(reach[0] @ self.table.win @ reach[1]) - \
                spent[0] * float(reach[0] @ self.table.lose @ reach[1])
        self.decisions += 1
        p = int(state.current_player)
        actions, probs = self.agents[p].hand_policy(state)
        probs = np.asarray(probs, dtype=np.float64)[self.table.combos]
        total = 0.0
        for a, action in enumerate(actions):
            child_reach = reach.copy()
            child_reach[p] = reach[p] * probs[:, a]
            if not child_reach[p].any():
                continue
            mass = self.table.mass(child_reach)
            if mass <= self.floor:
                self.pruned += mass
                continue
            child = state.copy()
            child.apply(int(action))
            total += self.value(child, child_reach)
        return total
