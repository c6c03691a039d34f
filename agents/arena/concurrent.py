"""Many games at once in one process, in lockstep, so that one network call serves the leaves of all
their trees.

A match's games are :class:`GameJob` s (seed, seating, start). :func:`play_concurrent` keeps up to
``slots`` of them in flight: every round, each participant (one agent spec) is asked once for the moves
of all the games where it is to move (:meth:`~agents.core.MultiGameAgent.act_many`: an MCTS agent
searches its trees together, one evaluator call per step for all of them); kinds that cannot share
work get one agent per slot. A finished game's slot takes the next job.

The records are those :func:`agents.arena.match.play_game` writes for the same jobs one by one (every
agent's randomness comes from the game's seed, :meth:`~agents.core.Agent.new_game`), apart from the
wall-clock ``seconds``; they are handed back in job order. With a time budget per move the games in
flight share the time of a search (a tree then gets fewer simulations than alone): use simulation
budgets where results must not depend on the concurrency.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

from agents.arena.clock import TimeForfeit
from agents.arena.match import GameInProgress
from agents.arena.records import GameRecord
from agents.core import Agent, MultiGameAgent
from games.core import CHANCE, Game, State


@dataclass(frozen=True)
class GameJob:
    """One game of a match."""

    index: int
    """Its number in the match (records come back in this order)."""
    seed: int
    """Seed of its chance events and of its agents' randomness."""
    seats: tuple[int, ...]
    """``seats[p]``: the participant playing player ``p``."""
    start: State | None = None
    """Start position (copied), or None for ``game.new_state``."""


class Participant:
    """One agent spec in a match, seen by slot: a :class:`MultiGameAgent` or one agent per slot."""

    def __init__(self, agents: MultiGameAgent | Sequence[Agent], spec: str) -> None:
        self.multi = agents if isinstance(agents, MultiGameAgent) else None
        self.single = [] if self.multi is not None else list(agents)  # type: ignore[arg-type]
        self.spec = spec

    @property
    def slots(self) -> int:
        return self.multi.slots if self.multi is not None else len(self.single)

    def new_game(self, slot: int, seed: int) -> None:
        if self.multi is not None:
            self.multi.new_game_slot(slot, seed)
        else:
            self.single[slot].new_game(seed)

    def act(self, slots: list[int], states: list[State]) -> list[int | None]:
        """The actions for ``states`` (None where the agent lost on time: :class:`TimeForfeit`)."""
        if self.multi is not None:
            return [int(a) for a in self.multi.act_many(states, slots)]
        out: list[int | None] = []
        for slot, state in zip(slots, states):
            try:
                out.append(int(self.single[slot].act(state)))
            except TimeForfeit:
                out.append(None)
        return out

    def observe(self, slot: int, state: State, action: int) -> None:
        if self.multi is not None:
            self.multi.observe_slot(slot, state, action)
        else:
            self.single[slot].observe(state, action)

    def close(self) -> None:
        for agent in ([self.multi] if self.multi is not None else self.single):
            agent.close()


class _SlotWatcher:
    """The participants as the :class:`~agents.arena.match.GameInProgress` of one slot tells them of its
    game (a :class:`~agents.arena.match.Watcher`)."""

    def __init__(self, participants: Sequence[Participant], slot: int) -> None:
        self.participants = participants
        self.slot = slot

    def new_game(self, seed: int) -> None:
        for p in self.participants:
            p.new_game(self.slot, seed)

    def observe(self, state: State, action: int) -> None:
        for p in self.participants:
            p.observe(self.slot, state, action)


def play_concurrent(game: Game, participants: Sequence[Participant], jobs: Iterable[GameJob], *,
                    max_plies: int | None = None,
                    should_stop: Callable[[], bool] | None = None) -> Iterator[GameRecord]:
    """Play ``jobs`` with up to ``slots`` games in flight (the participants' slot count); yields the
    records in job order as soon as they and every earlier one are done.

    Args:
        game: the game.
        participants: the agents by participant number (``GameJob.seats`` refers to them); all with the
            same number of slots.
        jobs: the games, in order (consumed lazily: a long match need not list them up front).
        max_plies: cut games off after this many player actions (termination ``max_plies``).
        should_stop: asked between rounds; True ends the match (no new game starts; games in flight are
            dropped, finished ones have been yielded).

    Raises:
        AgentError: an agent failed or chose an illegal action.
    """
    slots = min(p.slots for p in participants)
    specs = [p.spec for p in participants]
    distinct = list({id(p): p for p in participants}.values())  # one participant may fill both seats
    pending = iter(jobs)
    live: dict[int, tuple[GameJob, GameInProgress]] = {}
    finished: dict[int, GameRecord] = {}
    next_index: int | None = None
    exhausted = False
    while True:
        if should_stop is not None and should_stop():
            return
        for slot in range(slots):
            if slot not in live and not exhausted:
                job = next(pending, None)
                if job is None:
                    exhausted = True
                    break
                next_index = job.index if next_index is None else next_index
                labels = tuple(specs[s] for s in job.seats)
                live[slot] = job, GameInProgress(game, job.seed, labels, job.start, [_SlotWatcher(distinct, slot)])
        if not live:
            return
        requests: dict[int, tuple[list[int], list[State]]] = {}
        for slot, (job, g) in list(live.items()):
            while not g.over(max_plies) and g.state.current_player == CHANCE:
                g.apply(g.draw_chance())
            if g.over(max_plies):
                finished[job.index] = g.record()
                del live[slot]
                continue
            who = job.seats[g.state.current_player]
            requests.setdefault(who, ([], []))
            requests[who][0].append(slot)
            requests[who][1].append(g.state)
        for who, (slots_asked, states) in requests.items():
            actions = participants[who].act(slots_asked, states)
            for slot, action in zip(slots_asked, actions):
                g = live[slot][1]
                if action is None:
                    g.forfeit()
                else:
                    g.apply(action)
        while next_index is not None and next_index in finished:
            yield finished.pop(next_index)
            next_index += 1
