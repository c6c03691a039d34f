"""Bradley–Terry maximum-likelihood Elo over all games of a tournament at once.

Model: the first seat's expected score against the second is
``p = 1 / (1 + 10 ** (-(r_first - r_second + advantage) / 400))``; a game's score is 1, 0.5 or 0 (draws
count as half points, Ordo-style), and the log-likelihood ``s log p + (1 - s) log(1 - p)`` is maximised
over the free ratings and the first-move advantage by Newton's method with the exact Hessian.

* **Anchors** fix some ratings (``{"random": 0.0}``); with none, the first player is fixed at 0.
* **Intervals**: 95% = ±1.96 standard errors from the inverse observed information (Hessian), i.e.
  relative to the anchors.
* **Perfect scores**: a player who won every game has no finite MLE. ``virtual_draws`` adds that many
  drawn games (split over both seat orders) between every pair that met — BayesElo's prior, documented
  as such in reports — so every fit is finite; 0 gives the pure MLE.
* **Likelihood of superiority** ``LOS(i, j) = Φ((r_i − r_j) / sd(r_i − r_j))`` from the joint covariance.

The Elo scale, scores, normal intervals and the LOS are :mod:`agents.arena.stats`'s; this module adds only
the likelihood and its fit.

The fitter works on plain arrays (:class:`Games`); :func:`games_from_records` builds them from the
project's JSONL game records (``specs`` by seat and ``returns``).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from agents.arena.stats import ELO_K, Z95, likelihood_of_superiority, normal_interval, score_of
from agents.flags import CliParser
from agents.provenance import RunInfo
from games.core import InputError


class EloFitError(InputError):
    """The games cannot be fitted (no games, disconnected players, unknown anchor)."""


@dataclass(frozen=True)
class Games:
    """Games in array form."""

    players: tuple[str, ...]
    """Player names; indices below refer to this tuple."""
    first: np.ndarray
    """int [G]: index of the player in the first seat (moves first)."""
    second: np.ndarray
    """int [G]: index of the player in the second seat."""
    score: np.ndarray
    """float [G]: the first seat's score, 1 / 0.5 / 0."""
    weight: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """float [G]: weight of each game (1 for real games); empty means all ones."""

    def weights(self) -> np.ndarray:
        return self.weight if len(self.weight) else np.ones(len(self.score))


@dataclass(frozen=True)
class Rating:
    elo: float
    ci95: tuple[float, float]
    stderr: float
    games: int
    score: float
    """Mean score over this player's real games."""
    anchor: bool


@dataclass(frozen=True)
class EloFit:
    """Result of :func:`fit_elo`."""

    ratings: dict[str, Rating]
    advantage: float
    """First-move advantage in Elo points (0 if not fitted)."""
    advantage_stderr: float
    covariance: np.ndarray
    """[P, P] covariance of the ratings (zeros for anchors)."""
    players: tuple[str, ...]
    log_likelihood: float
    virtual_draws: float

    def los(self, a: str, b: str) -> float:
        """Likelihood of superiority: P(rating of a > rating of b)."""
        i, j = self.players.index(a), self.players.index(b)
        var = self.covariance[i, i] + self.covariance[j, j] - 2 * self.covariance[i, j]
        return likelihood_of_superiority(self.ratings[a].elo - self.ratings[b].elo, float(var))

    def to_json(self) -> dict:
        return {
            "ratings": {name: {"elo": r.elo, "ci95": list(r.ci95), "stderr": r.stderr, "games": r.games,
                               "score": r.score, "anchor": r.anchor} for name, r in self.ratings.items()},
            "first_move_advantage": self.advantage,
            "first_move_advantage_stderr": self.advantage_stderr,
            "virtual_draws": self.virtual_draws,
            "log_likelihood": self.log_likelihood,
        }


def _with_virtual_draws(games: Games, virtual_draws: float) -> Games:
    if virtual_draws <= 0:
        return games
    pairs = {tuple(sorted((int(a), int(b)))) for a, b in zip(games.first, games.second)}
    extra = [(a, b) for a, b in pairs] + [(b, a) for a, b in pairs]
    first = np.concatenate([games.first, [e[0] for e in extra]]).astype(np.int64)
    second = np.concatenate([games.second, [e[1] for e in extra]]).astype(np.int64)
    score = np.concatenate([games.score, np.full(len(extra), 0.5)])
    weight = np.concatenate([games.weights(), np.full(len(extra), virtual_draws / 2.0)])
    return Games(games.players, first, second, score, weight)


def _check_connected(games: Games, anchored: set[int]) -> None:
    n = len(games.players)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(games.first, games.second):
        parent[find(int(a))] = find(int(b))
    roots = {find(i) for i in range(n)}
    anchored_roots = {find(i) for i in anchored}
    loose = [games.players[i] for i in range(n) if find(i) not in anchored_roots]
    if loose or (len(roots) > 1 and len(anchored_roots) < len(roots)):
        raise EloFitError(f"players not linked to an anchor by games: {', '.join(loose)}")


def fit_elo(games: Games, anchors: Mapping[str, float] | None = None, *, fit_advantage: bool = True,
            virtual_draws: float = 1.0, max_iter: int = 100) -> EloFit:
    """Maximum-likelihood Bradley–Terry ratings with Hessian intervals (see module docstring)."""
    if len(games.score) == 0:
        raise EloFitError("no games to fit")
    anchors = dict(anchors or {games.players[0]: 0.0})
    unknown = [a for a in anchors if a not in games.players]
    if unknown:
        raise EloFitError(f"anchor(s) not among the players: {', '.join(unknown)}")
    n = len(games.players)
    anchored = {games.players.index(a) for a in anchors}
    _check_connected(games, anchored)
    data = _with_virtual_draws(games, virtual_draws)
    free = [i for i in range(n) if i not in anchored]
    col = {p: c for c, p in enumerate(free)}
    n_par = len(free) + (1 if fit_advantage else 0)
    ratings = np.zeros(n)
    for name, value in anchors.items():
        ratings[games.players.index(name)] = value
    adv = 0.0
    # design: x_g = K * (r_first - r_second + adv)
    design = np.zeros((len(data.score), n_par))
    for g, (a, b) in enumerate(zip(data.first, data.second)):
        if int(a) in col:
            design[g, col[int(a)]] += 1.0
        if int(b) in col:
            design[g, col[int(b)]] -= 1.0
    if fit_advantage:
        design[:, -1] = 1.0
    w = data.weights()
    offset = np.where([int(a) in anchored for a in data.first], ratings[data.first], 0.0) - \
        np.where([int(b) in anchored for b in data.second], ratings[data.second], 0.0)
    theta = np.zeros(n_par)
    hess = np.eye(n_par)
    for _ in range(max_iter):
        x = ELO_K * (design @ theta + offset)
        p = 1.0 / (1.0 + np.exp(-x))
        grad = ELO_K * design.T @ (w * (data.score - p))
        hess = (ELO_K * ELO_K) * (design.T * (w * p * (1 - p))) @ design
        step = np.linalg.solve(hess + 1e-12 * np.eye(n_par), grad)
        theta += np.clip(step, -400, 400)
        if np.max(np.abs(step)) < 1e-9:
            break
    x = ELO_K * (design @ theta + offset)
    p = np.clip(1.0 / (1.0 + np.exp(-x)), 1e-300, 1 - 1e-16)
    loglik = float(np.sum(w * (data.score * np.log(p) + (1 - data.score) * np.log1p(-p))))
    cov_par = np.linalg.inv(hess + 1e-12 * np.eye(n_par))
    for i in free:
        ratings[i] = theta[col[i]]
    cov = np.zeros((n, n))
    for i in free:
        for j in free:
            cov[i, j] = cov_par[col[i], col[j]]
    if fit_advantage:
        adv, adv_se = float(theta[-1]), float(math.sqrt(max(cov_par[-1, -1], 0.0)))
    else:
        adv_se = 0.0
    out: dict[str, Rating] = {}
    real_w = games.weights()
    for i, name in enumerate(games.players):
        as_first = games.first == i
        as_second = games.second == i
        n_games = float(real_w[as_first].sum() + real_w[as_second].sum())
        pts = float((real_w * games.score)[as_first].sum() + (real_w * (1 - games.score))[as_second].sum())
        se = float(math.sqrt(max(cov[i, i], 0.0)))
        out[name] = Rating(elo=float(ratings[i]), ci95=normal_interval(float(ratings[i]), se),
                           stderr=se, games=int(round(n_games)), score=pts / n_games if n_games else float("nan"),
                           anchor=i in anchored)
    return EloFit(ratings=out, advantage=adv, advantage_stderr=adv_se, covariance=cov, players=games.players,
                  log_likelihood=loglik, virtual_draws=virtual_draws)


def games_from_results(results: Iterable[tuple[str, str, float]]) -> Games:
    """Build :class:`Games` from ``(first_player, second_player, first_score)`` triples."""
    rows = list(results)
    players: list[str] = []
    index: dict[str, int] = {}
    for a, b, _ in rows:
        for name in (a, b):
            if name not in index:
                index[name] = len(players)
                players.append(name)
    first = np.array([index[a] for a, _, _ in rows], dtype=np.int64)
    second = np.array([index[b] for _, b, _ in rows], dtype=np.int64)
    score = np.array([s for _, _, s in rows], dtype=np.float64)
    return Games(tuple(players), first, second, score)


def games_from_records(paths: Iterable[Path]) -> Games:
    """Read JSONL game records (keys ``specs`` by seat and ``returns``) from files or folders."""
    rows: list[tuple[str, str, float]] = []
    for path in paths:
        files = sorted(Path(path).rglob("*.jsonl")) if Path(path).is_dir() else [Path(path)]
        for file in files:
            for line_no, line in enumerate(file.read_text().splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    specs, rets = rec["specs"], rec["returns"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise EloFitError(f"{file}:{line_no}: not a game record") from None
                if len(specs) != 2:
                    continue
                rows.append((specs[0], specs[1], score_of(rets)))
    if not rows:
        raise EloFitError("no two-player game records found")
    return games_from_results(rows)


def default_anchors(players: Sequence[str]) -> dict[str, float]:
    """Stockfish levels at their UCI_Elo (``stockfish:elo=1350`` -> 1350), else ``random`` = 0."""
    anchors: dict[str, float] = {}
    for name in players:
        if name.startswith("stockfish:elo="):
            value = name.split("=", 1)[1]
            if value.isdigit():
                anchors[name] = float(value)
    if not anchors and "random" in players:
        anchors["random"] = 0.0
    return anchors or {players[0]: 0.0}


def parse_anchor(text: str) -> tuple[str, float]:
    """``SPEC=ELO`` (the last '=' splits, since specs contain '=')."""
    spec, sep, value = text.rpartition("=")
    try:
        if not sep or not spec:
            raise ValueError
        return spec, float(value)
    except ValueError:
        raise EloFitError(f"malformed anchor '{text}' (expected SPEC=ELO, e.g. random=0)") from None


def write_elo_report(fit: EloFit, out_dir: Path, provenance: RunInfo, title: str = "Elo ratings") -> None:
    """``report.md``, ``report.html``, ``results.json``, ``ratings.json`` and ``ratings.png`` in ``out_dir``
    (``provenance``: the run that wrote them)."""
    import matplotlib.pyplot as plt

    from benchmarks.report import Report, atomic_write

    order = sorted(fit.players, key=lambda n: fit.ratings[n].elo)
    report = Report(title)
    report.text(f"Bradley–Terry maximum-likelihood fit over all games at once; draws count half; "
                f"first-move advantage {fit.advantage:+.1f} ± {Z95 * fit.advantage_stderr:.1f} Elo; "
                f"{fit.virtual_draws:g} virtual draw(s) per pair as a prior; 95% intervals from the Hessian, "
                f"relative to the anchors.")
    report.table(["player", "Elo", "95% interval", "games", "score", "anchor"],
                 [[n, round(fit.ratings[n].elo, 1), f"[{fit.ratings[n].ci95[0]:.0f}, {fit.ratings[n].ci95[1]:.0f}]",
                   fit.ratings[n].games, round(fit.ratings[n].score, 3), "yes" if fit.ratings[n].anchor else ""]
                  for n in reversed(order)])
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(order) + 1.5))
    elos = [fit.ratings[n].elo for n in order]
    errs = [Z95 * fit.ratings[n].stderr for n in order]
    ax.errorbar(elos, range(len(order)), xerr=errs, fmt="o", capsize=3)
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel("Elo (95% interval)")
    ax.grid(alpha=0.3)
    report.figure("ratings.png", fig)
    data = report.write(out_dir, fit.to_json(), provenance)
    atomic_write(out_dir / "ratings.json", json.dumps(data, indent=2).encode())


def main(argv: Sequence[str] | None = None) -> int:

    parser = CliParser(
        prog="python -m benchmarks.elo",
        description="Fit Elo ratings (Bradley–Terry maximum likelihood) to the game records (games.jsonl) "
                    "in the given folders or files, and write report.md, report.html, ratings.json, ratings.png.")
    parser.add_argument("paths", nargs="+", type=Path, help="folders (searched for *.jsonl) or JSONL files")
    parser.add_argument("--anchor", action="append", default=[], metavar="SPEC=ELO",
                        help="fix a player's rating (repeatable); default: stockfish:elo=N at N, else random=0")
    parser.add_argument("--virtual-draws", type=float, default=1.0, help="prior draws per pair (0: pure MLE)")
    parser.add_argument("--no-advantage", action="store_true", help="do not fit a first-move advantage")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default: the first path)")
    parser.add_argument("--json", action="store_true", help="print the ratings as one JSON object")
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)
    for path in args.paths:
        if not path.exists():
            raise EloFitError(f"no such file or folder: {path}")
    games = games_from_records(args.paths)
    anchors = dict(parse_anchor(a) for a in args.anchor) or default_anchors(games.players)
    fit = fit_elo(games, anchors, fit_advantage=not args.no_advantage, virtual_draws=args.virtual_draws)
    out = args.out or (args.paths[0] if args.paths[0].is_dir() else args.paths[0].parent)
    write_elo_report(fit, out, provenance)
    if args.json:
        print(json.dumps({"ratings": {n: {"elo": r.elo, "ci95": list(r.ci95), "games": r.games}
                                      for n, r in fit.ratings.items()},
                          "first_move_advantage": fit.advantage}))
    else:
        for name in sorted(fit.players, key=lambda n: -fit.ratings[n].elo):
            r = fit.ratings[name]
            print(f"{r.elo:8.1f}  [{r.ci95[0]:7.1f}, {r.ci95[1]:7.1f}]  {r.games:6d} games  {name}")
        print(f"report: {out / 'report.html'}")
    return 0


if __name__ == "__main__":
    from games.cli import run_cli

    raise SystemExit(run_cli(main))
