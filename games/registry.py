"""Registry of games by name. Modules are imported lazily, so one game's import cost (or failure)
never touches another.

``make_game("chess")``; ``make_game("openspiel:hex")`` wraps any open_spiel game. A game whose factory has
a ``from_name`` class method takes parameters in its name: ``make_game("holdem_nolimit(stack=400,blinds=1/2)")``.
"""
from __future__ import annotations

import importlib

from games.core import Game, UnknownGameError

_GAMES: dict[str, str] = {
    # name -> "module:factory" (factory() -> Game)
    "chess": "games.chess:ChessGame",
    "connect_four": "games.connect_four:ConnectFourGame",
    "kuhn_poker": "games.poker.kuhn:KuhnPokerGame",
    "leduc_poker": "games.poker.leduc:LeducPokerGame",
    "holdem_limit": "games.poker.holdem:HoldemLimitGame",
    "holdem_nolimit": "games.poker.holdem_nolimit:HoldemNoLimitGame",
    "sudoku": "games.sudoku:SudokuGame",
}
OPENSPIEL_PREFIX = "openspiel:"
_cache: dict[str, Game] = {}


def game_names() -> list[str]:
    """Names of the registered native games (``openspiel:<name>`` works for any open_spiel game)."""
    return sorted(_GAMES)


def make_game(name: str) -> Game:
    """The game called ``name``; raises :class:`UnknownGameError` with the known names."""
    name = name.strip()
    if name in _cache:
        return _cache[name]
    if name.startswith(OPENSPIEL_PREFIX):
        from games.openspiel_adapter import OpenSpielGame

        game: Game = OpenSpielGame(name[len(OPENSPIEL_PREFIX):])
    elif name in _GAMES:
        module_name, attr = _GAMES[name].split(":")
        game = getattr(importlib.import_module(module_name), attr)()
    elif name.endswith(")") and name.split("(", 1)[0].strip() in _GAMES:  # parameters: holdem_nolimit(stack=400)
        module_name, attr = _GAMES[name.split("(", 1)[0].strip()].split(":")
        factory = getattr(importlib.import_module(module_name), attr)
        if not hasattr(factory, "from_name"):
            raise UnknownGameError(f"game '{name.split('(', 1)[0].strip()}' takes no parameters ('{name}')")
        game = factory.from_name(name)
    else:
        known = ", ".join(game_names())
        raise UnknownGameError(f"unknown game '{name}' (known: {known}, or openspiel:<name>)")
    _cache[name] = game
    return game
