"""Self-play worker (plain class): advances many games at once through one batched MCTS.

Every move of every game is searched together (one evaluator call per search step for all games).
Exploration: Dirichlet noise at full-search roots, a temperature schedule by ply, optional playout-cap
randomization (a fraction of moves gets a full search and becomes a policy target; the others a fast
search without noise), optional resignation and draw adjudication with a fraction of games played out
(check games) to measure how often each would have been wrong; optionally a small share of uniformly
random moves (``random_move_prob``), so that the network also meets positions after mistakes.

Draw adjudication (``SelfPlayConfig.draw_adjudication_ply`` > 0, two-player games): before the move of
ply ``n`` is played (``n`` counts the game's searched positions, the first being 1), the game ends as a
draw when ``n >= draw_adjudication_ply`` and the searches of the last ``draw_adjudication_plies``
positions (both sides) all found ``|root value| <= draw_value_threshold``. Every position of an
adjudicated game gets value target 0. Each finished game names its termination
(:attr:`selfplay.core.PlayedGame.termination`), so runs log how often each rule fires.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from games.core import Game, State
from search.core import Evaluator
from search.mcts import BatchedMCTS, MCTSConfig, SearchSummary, select_action, solver_target
from selfplay.core import PlayedGame, SelfPlayConfig


@dataclass
class _GameInProgress:
    state: State
    observations: list[np.ndarray] = field(default_factory=list)
    masks: list[np.ndarray] = field(default_factory=list)
    policies: list[np.ndarray] = field(default_factory=list)
    movers: list[int] = field(default_factory=list)
    full: list[bool] = field(default_factory=list)
    check: bool = False
    """Played to the end whatever resignation and draw adjudication say (their false-positive check)."""
    resign_check_player: int = -1
    draw_check_ply: int = -1
    root_values: list[float] = field(default_factory=list)
    """Check games: the root value of each move for its mover."""
    drawish_plies: int = 0
    """Consecutive positions, up to the last one, whose |root value| was within the draw threshold."""


def mcts_config(config: SelfPlayConfig, seed: int, fast: bool = False) -> MCTSConfig:
    """The search settings of a full (or fast: no noise, fewer simulations) self-play search."""
    return MCTSConfig(
        num_simulations=config.fast_simulations if fast else config.simulations,
        leaves_per_eval=config.leaves_per_eval,
        dirichlet_alpha=config.dirichlet_alpha,
        dirichlet_fraction=0.0 if (fast or config.gumbel) else config.dirichlet_fraction,
        gumbel=config.gumbel,
        temperature=0.0,
        seed=seed,
    )


class SelfPlayWorker:
    """Plays ``config.games_per_worker`` games at once; :meth:`play_step` moves each of them once.

    Args:
        game: a perfect-information game without chance nodes (what MCTS handles).
        config: self-play settings.
        evaluator: the network (or any :data:`search.core.Evaluator`).
        seed: seeds the searches, the move choices and the playout caps.
        worker_id: written into each :class:`PlayedGame`.
    """

    def __init__(self, game: Game, config: SelfPlayConfig, evaluator: Evaluator, *, seed: int = 0,
                 worker_id: int = 0) -> None:
        game.require(num_players=(1, 2), perfect_information=True, chance=False, what="self-play")
        self.game, self.config, self.evaluator = game, config, evaluator
        self.worker_id = worker_id
        self.model_version = 0
        self.rng = np.random.default_rng([seed, worker_id])
        self._full_config = mcts_config(config, seed)
        self._fast_config = mcts_config(config, seed, fast=True) if config.fast_simulations else None
        self.mcts = BatchedMCTS(game, self._full_config, evaluator, num_trees=config.games_per_worker)
        spec = game.spec
        self.value_scale = max(abs(spec.min_utility), abs(spec.max_utility), 1e-9)
        self.max_plies = config.max_plies or spec.max_game_length
        self.resign_threshold = config.resign_threshold
        """Resign below ``-resign_threshold`` (the learner may move it: :mod:`selfplay.resign`)."""
        self.games = [self._new_game() for _ in range(config.games_per_worker)]
        self.positions_played = 0
        """Moves searched so far (all games)."""
        self.games_finished = 0

    def _new_game(self) -> _GameInProgress:
        cfg = self.config
        adjudicates = cfg.resign_threshold > 0 or cfg.draw_adjudication_ply > 0
        check = adjudicates and self.rng.random() < cfg.resign_check_fraction
        return _GameInProgress(state=self.game.new_state(self.rng), check=check)

    def play_step(self) -> list[PlayedGame]:
        """Search every game's position once, play one move in each; returns the games that ended."""
        full = self._fast_config is None or self.rng.random() < self.config.full_search_prob
        self.mcts.config = self._full_config if full else self._fast_config  # type: ignore[assignment]
        summaries = self.mcts.search([g.state for g in self.games])
        finished = []
        for i, (g, summary) in enumerate(zip(self.games, summaries)):
            done = self._record_and_move(i, g, summary, full)
            if done is not None:
                finished.append(done)
                self.games[i] = self._new_game()
                self.mcts.reset(i)
        self.positions_played += len(self.games)
        self.games_finished += len(finished)
        return finished

    def play_games(self, min_games: int = 1, max_steps: int = 100_000) -> list[PlayedGame]:
        """Play steps until at least ``min_games`` games have ended (or ``max_steps`` steps)."""
        out: list[PlayedGame] = []
        for _ in range(max_steps):
            out.extend(self.play_step())
            if len(out) >= min_games:
                break
        return out

    def _record_and_move(self, i: int, g: _GameInProgress, summary: SearchSummary, full: bool) -> PlayedGame | None:
        state = g.state
        mover = state.current_player
        mask = state.legal_action_mask()
        if self.config.policy_target == "improved":
            target = np.asarray(summary.policy, np.float32)
        else:
            visits = np.asarray(summary.visit_counts, np.float32)
            target = solver_target(visits, summary) if visits.sum() > 0 else mask / mask.sum()
        g.observations.append(state.observation())
        g.masks.append(mask)
        g.policies.append(target.astype(np.float32))
        g.movers.append(mover)
        g.full.append(full)
        if g.check:
            g.root_values.append(float(summary.value))
        if self._resigns(g, summary, mover):
            return self._finish(g, resigned_player=mover)
        ply = len(g.movers)
        if self._adjudicates_draw(g, summary, ply):
            return self._finish(g, termination="adjudicated_draw")
        temperature = self.config.temperature if ply <= self.config.temperature_moves else self.config.final_temperature
        action = summary.action if self.config.gumbel and temperature == 0 else select_action(summary, temperature, self.rng)
        if self.config.random_move_prob > 0 and self.rng.random() < self.config.random_move_prob:
            action = int(self.rng.choice(np.flatnonzero(mask)))
        state.apply(action)
        if state.is_terminal():
            return self._finish(g, termination=_termination(state))
        if ply >= self.max_plies:
            return self._finish(g, termination="max_plies")
        self.mcts.advance(i, action)
        return None

    def _resigns(self, g: _GameInProgress, summary: SearchSummary, mover: int) -> bool:
        """Resign (or, in a check game, note the would-be resignation) when the value is hopeless."""
        cfg = self.config
        if cfg.resign_threshold <= 0 or self.game.spec.num_players != 2:
            return False
        if summary.value >= -self.resign_threshold:
            return False
        if g.check:
            if g.resign_check_player < 0:
                g.resign_check_player = mover
            return False
        return True

    def _adjudicates_draw(self, g: _GameInProgress, summary: SearchSummary, ply: int) -> bool:
        """Draw adjudication (module docstring): True when the game is to end as a draw here; in a check
        game the first such ply is noted instead."""
        cfg = self.config
        if cfg.draw_adjudication_ply <= 0 or self.game.spec.num_players != 2:
            return False
        g.drawish_plies = g.drawish_plies + 1 if abs(summary.value) <= cfg.draw_value_threshold else 0
        if ply < cfg.draw_adjudication_ply or g.drawish_plies < cfg.draw_adjudication_plies:
            return False
        if g.check:
            if g.draw_check_ply < 0:
                g.draw_check_ply = ply
            return False
        return True

    def _finish(self, g: _GameInProgress, resigned_player: int = -1, termination: str = "") -> PlayedGame:
        spec = self.game.spec
        if resigned_player >= 0:
            returns = np.full(spec.num_players, spec.max_utility, np.float64)
            returns[resigned_player] = spec.min_utility
            termination = "resigned"
        elif g.state.is_terminal():
            returns = np.asarray(g.state.returns(), np.float64)
        else:  # ply cap or adjudicated draw: scored a draw
            returns = np.zeros(spec.num_players, np.float64)
        values = np.array([returns[p] / self.value_scale for p in g.movers], np.float32)
        return PlayedGame(
            observations=np.stack(g.observations).astype(np.float32),
            legal_masks=np.stack(g.masks),
            policies=np.stack(g.policies),
            values=values,
            full_search=np.array(g.full, bool),
            returns=returns,
            model_version=self.model_version,
            plies=len(g.movers),
            resigned=resigned_player >= 0,
            resign_check_player=g.resign_check_player,
            draw_check_ply=g.draw_check_ply,
            check_root_values=np.asarray(g.root_values, np.float32) if g.check else None,
            termination=termination,
            worker_id=self.worker_id,
        )

    def set_model_version(self, version: int) -> None:
        """Tag the games played from now on with the learner step of the current weights; trees restart."""
        self.model_version = int(version)
        self.mcts.reset()


def _termination(state: State) -> str:
    """The name a finished game gives its ending (chess: ``checkmate``, ``fifty_moves``, ...), else
    ``terminal``."""
    name = getattr(state, "termination", None)
    value = name() if callable(name) else None
    return str(value) if value else "terminal"
