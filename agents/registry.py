"""One registry of agent kinds by spec name. Modules are imported lazily; each defines ``AGENT``
(an :class:`agents.core.AgentKind`).

``make_agent("stockfish:elo=1500", game, seed=0)``.
"""
from __future__ import annotations

import importlib

from agents.core import Agent, AgentKind, MultiGameAgent, AgentSpecError, parse_options, parse_spec
from games.core import Game

_KINDS: dict[str, str] = {
    # spec name -> module defining AGENT
    "random": "agents.random",
    "human": "agents.human",
    "stockfish": "agents.stockfish",
    "uci": "agents.uci.agent",
    "net": "agents.net",
    "mcts": "agents.mcts",
    "cfr": "agents.cfr",
    "subgame": "agents.subgame",
    "solver": "agents.solver",
    "guided": "agents.guided",
    "call": "agents.call",
    "fold": "agents.fold",
    "strength": "agents.strength",
}


def agent_names() -> list[str]:
    return sorted(_KINDS)


def agent_kind(name: str) -> AgentKind:
    if name not in _KINDS:
        raise AgentSpecError(f"unknown agent '{name}' (known: {', '.join(agent_names())})")
    kind: AgentKind = importlib.import_module(_KINDS[name]).AGENT
    return kind


def make_agents(spec_text: str, game: Game, seed: int, slots: int) -> MultiGameAgent | list[Agent]:
    """What a match playing ``slots`` games at once needs for one spec: ONE agent playing them all when the
    kind can share work across games (``AgentKind.multi``), else ``slots`` agents (one per game in flight,
    the same seed: a game's randomness comes from the game's seed, :meth:`Agent.new_game`)."""
    spec = parse_spec(spec_text)
    kind = agent_kind(spec.name)
    options = parse_options(spec, kind.options, kind.positional)
    if kind.multi is not None:
        return kind.multi(game, options, seed, slots)
    agents: list[Agent] = []
    try:
        for _ in range(slots):
            agents.append(kind.build(game, options, seed))
    except BaseException:
        for agent in agents:
            agent.close()
        raise
    return agents


def make_agent(spec_text: str, game: Game, seed: int = 0) -> Agent:
    """Build the agent a spec string describes, for ``game``; raises AgentSpecError / AgentError."""
    spec = parse_spec(spec_text)
    kind = agent_kind(spec.name)
    options = parse_options(spec, kind.options, kind.positional)
    return kind.build(game, options, seed)
