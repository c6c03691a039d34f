"""A misbehaving UCI engine for the ``uci`` agent's tests: ``python fake_engine.py MODE [SECONDS]``.

Modes: ``garbage`` (answers everything with noise, never ``uciok``), ``dies`` (exits at the first ``go``),
``illegal`` (``bestmove e2e5``), ``unreadable`` (``bestmove xyz``), ``slow`` (the first legal move after
sleeping SECONDS).
"""
from __future__ import annotations

import sys
import time

import chess


def main() -> None:
    mode = sys.argv[1]
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    board = chess.Board()
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if mode == "garbage":
            print("hello? I speak xboard, maybe", flush=True)
            continue
        if words[0] == "uci":
            print("id name fake\noption name Hash type spin default 1 min 1 max 8\nuciok", flush=True)
        elif words[0] == "isready":
            print("readyok", flush=True)
        elif words[0] == "position":
            board = chess.Board()
            if "moves" in words:
                for move in words[words.index("moves") + 1:]:
                    board.push_uci(move)
        elif words[0] == "go":
            if mode == "dies":
                sys.exit(3)
            time.sleep(delay)
            best = {"illegal": "e2e5", "unreadable": "xyz"}.get(mode) or next(iter(board.legal_moves)).uci()
            print(f"bestmove {best}", flush=True)
        elif words[0] == "quit":
            return


if __name__ == "__main__":
    main()
