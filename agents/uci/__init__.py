"""UCI: the project's chess engine for GUIs, tournament managers and lichess-bot, and any UCI engine as an agent.

The engine, ``python -m agents.uci [--net PATH] [--OPTION VALUE ...]`` (:mod:`agents.uci.__main__`),
searches with the compiled MCTS (a network's leaves or material) on a thread beside the command loop:

* :mod:`agents.uci.engine`: the protocol state machine (``uci``, ``isready``, ``setoption``,
  ``ucinewgame``, ``position``, ``go``, ``stop``, ``ponderhit``, ``quit``);
* :mod:`agents.uci.options`: the option table (types, ranges, meanings; Hash -> tree nodes);
* :mod:`agents.uci.timeman`: the ``go`` limits and the time and node budget of a move;
* :mod:`agents.uci.worker`: the search thread (slices, stop, ponder, info streaming);
* :mod:`agents.uci.lines`, :mod:`agents.uci.report`: the tree read into ``info`` lines (depth, mate
  distances, principal variations; value -> centipawns and win/draw/loss).

The other direction, :mod:`agents.uci.agent`: the ``uci:cmd=...`` agent kind plays any UCI engine
(Stockfish, Ethereal, this engine) in matches, on a clock with ``tc=10+0.1``.
"""
