"""Registry of games by name. Modules are imported lazily, so one game's import cost (or failure)
never touches another.

``make_game("chess")``; ``make_game("openspiel:hex")`` wraps any open_spiel game.
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
    else:
        known = ", ".join(game_names())
        raise UnknownGameError(f"unknown game '{name}' (known: {known}, or openspiel:<name>)")
    _cache[name] = game
    return game
