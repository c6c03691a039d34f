"""Contracts of the self-play layer: configuration dataclasses and the game record workers send.

A training run is described by one :class:`TrainConfig` (saved as ``config.json`` in the run folder);
workers send whole finished games as :class:`PlayedGame` objects, never single positions.
"""
from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from agents.nets.core import NetConfig
from games.core import InputError


class ConfigError(InputError):
    """A training configuration that is malformed (unknown field, wrong type, value out of range)."""


@dataclass(frozen=True, kw_only=True)
class SelfPlayConfig:
    """How workers play: batched MCTS settings, exploration, playout caps and resignation."""

    games_per_worker: int = 16
    """Games each worker advances at once (one batched search over all of them per move)."""
    simulations: int = 64
    """MCTS simulations of a full search."""
    leaves_per_eval: int = 2
    """Leaves each tree contributes to one evaluator call (virtual loss)."""
    gumbel: bool = False
    """Gumbel root search (sequential halving) instead of PUCT with Dirichlet noise."""
    policy_target: Literal["visits", "improved"] = "visits"
    """Policy target: normalised visit counts, or the search's improved policy (Gumbel)."""
    dirichlet_alpha: float = 0.3
    """Dirichlet concentration of the root noise."""
    dirichlet_fraction: float = 0.25
    """Weight of the root noise in full searches (0 = off)."""
    temperature_moves: int = 10
    """Plies played at ``temperature`` from the start of each game; later plies use ``final_temperature``."""
    temperature: float = 1.0
    """Move-choice temperature of the opening plies (1 = proportional to visits)."""
    final_temperature: float = 0.0
    """Move-choice temperature afterwards (0 = most visited)."""
    random_move_prob: float = 0.0
    """Probability that a move played is a uniformly random legal one instead of the search's choice (its
    position still trains the policy on the search). Shows the network positions after mistakes, which a
    raw policy must also answer (self-play opponents never make them); 0 = off."""
    fast_simulations: int = 0
    """Playout-cap randomization (KataGo): simulations of a fast search; 0 = off (every search is full)."""
    full_search_prob: float = 0.25
    """Probability that a move gets a full search when playout caps are on; only those train the policy."""
    resign_threshold: float = 0.0
    """Resign when the root value for the mover is below -threshold; 0 = never resign."""
    resign_target_false_positives: float = 0.0
    """Calibrate the threshold on check games (:mod:`selfplay.resign`): the learner moves it so that at most
    this share of would-be resignations are games the resigner did not lose (AlphaGo Zero: 0.05);
    ``resign_threshold`` is then only the starting value. 0 = keep ``resign_threshold`` fixed."""
    resign_check_fraction: float = 0.1
    """Fraction of games played to the end despite resignation and draw adjudication (check games), to
    measure how often each would have been wrong: a would-be resigner who did not lose, a would-be
    adjudicated draw that ended decisively (AlphaZero, KataGo)."""
    max_plies: int = 0
    """Stop a game after this many plies and score it a draw (0 = the game's own maximum)."""
    draw_adjudication_ply: int = 0
    """Draw adjudication (two-player games): from this ply on, a game whose root value (for the mover)
    stayed within ``draw_value_threshold`` of 0 for the last ``draw_adjudication_plies`` plies in a row
    (both sides' moves counted) ends as a draw; 0 = off. The game's own draw rules (chess: fifty moves,
    threefold repetition, insufficient material) and ``max_plies`` apply regardless."""
    draw_value_threshold: float = 0.05
    """Draw adjudication: largest |root value| that counts as drawn."""
    draw_adjudication_plies: int = 10
    """Draw adjudication: consecutive plies with |root value| <= ``draw_value_threshold`` needed."""

    def __post_init__(self) -> None:
        _check(self.games_per_worker >= 1, f"games_per_worker must be >= 1; got {self.games_per_worker}")
        _check(self.simulations >= 1, f"simulations must be >= 1; got {self.simulations}")
        _check(self.leaves_per_eval >= 1, f"leaves_per_eval must be >= 1; got {self.leaves_per_eval}")
        _check(self.policy_target in ("visits", "improved"), f"policy_target must be visits or improved; got {self.policy_target!r}")
        _check(0 <= self.dirichlet_fraction <= 1, f"dirichlet_fraction must be in [0, 1]; got {self.dirichlet_fraction}")
        _check(self.dirichlet_alpha > 0, f"dirichlet_alpha must be > 0; got {self.dirichlet_alpha}")
        _check(self.temperature >= 0 and self.final_temperature >= 0, "temperatures must be >= 0")
        _check(0 <= self.random_move_prob < 1, f"random_move_prob must be in [0, 1); got {self.random_move_prob}")
        _check(0 <= self.fast_simulations <= self.simulations, "fast_simulations must be in [0, simulations]")
        _check(0 < self.full_search_prob <= 1, f"full_search_prob must be in (0, 1]; got {self.full_search_prob}")
        _check(self.resign_threshold >= 0, f"resign_threshold must be >= 0; got {self.resign_threshold}")
        _check(0 <= self.resign_check_fraction <= 1, "resign_check_fraction must be in [0, 1]")
        _check(0 <= self.resign_target_false_positives < 1,
               f"resign_target_false_positives must be in [0, 1); got {self.resign_target_false_positives}")
        _check(self.resign_target_false_positives == 0 or (self.resign_threshold > 0 and self.resign_check_fraction > 0),
               "resign_target_false_positives needs resignation on (resign_threshold > 0) and check games "
               "(resign_check_fraction > 0) to calibrate from")
        _check(self.max_plies >= 0, f"max_plies must be >= 0; got {self.max_plies}")
        _check(self.draw_adjudication_ply >= 0, f"draw_adjudication_ply must be >= 0; got {self.draw_adjudication_ply}")
        _check(0 <= self.draw_value_threshold < 1, f"draw_value_threshold must be in [0, 1); got {self.draw_value_threshold}")
        _check(self.draw_adjudication_plies >= 1, f"draw_adjudication_plies must be >= 1; got {self.draw_adjudication_plies}")


@dataclass(frozen=True, kw_only=True)
class ReplayConfig:
    """The replay buffer: a bounded window of positions."""

    capacity: int = 100_000
    """Most positions kept (oldest dropped first)."""
    sampling: Literal["uniform", "recency"] = "uniform"
    """Uniform over the window, or weighted by recency (weight halves every ``recency_half_life``)."""
    recency_half_life: int = 20_000
    """Age in positions at which a position's sampling weight has halved (``recency`` only)."""
    min_positions: int = 512
    """Positions needed before the learner starts."""

    def __post_init__(self) -> None:
        _check(self.capacity >= 1, f"capacity must be >= 1; got {self.capacity}")
        _check(self.sampling in ("uniform", "recency"), f"sampling must be uniform or recency; got {self.sampling!r}")
        _check(self.recency_half_life >= 1, "recency_half_life must be >= 1")
        _check(1 <= self.min_positions <= self.capacity, "min_positions must be in [1, capacity]")


@dataclass(frozen=True, kw_only=True)
class LearnerConfig:
    """The learner: loss, optimizer and publishing schedule."""

    batch_size: int = 256
    """Positions per optimizer step."""
    lr: float = 1e-3
    """AdamW learning rate (the peak one under a schedule)."""
    lr_schedule: Literal["constant", "cosine"] = "constant"
    """``cosine``: the rate falls from ``lr`` to ``lr_final x lr`` along a half cosine over the run's budget
    (``--steps``: learner step / steps; ``--minutes``: training wall seconds / (seconds at the start of this
    invocation + its minutes), so a resumed run continues the curve where it stopped)."""
    lr_final: float = 0.1
    """Cosine schedule: the rate at the end of the budget, as a fraction of ``lr``."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    value_weight: float = 1.0
    """Weight of the value loss (mean squared error) against the policy cross-entropy."""
    progressive_alpha: float = 0.5
    """Recurrent networks: weight of the progressive loss (Bansal et al. 2022); 0 = plain loss."""
    publish_every: int = 10
    """Steps between weight publications to the workers (one ``ray.put``)."""
    checkpoint_every: int = 100
    """Steps between checkpoints (a final one is always written)."""
    log_every: int = 10
    """Steps between log lines and ``metrics.jsonl`` records."""
    mirror: bool = True
    """Mirror half of each batch by the game's left-right symmetry, when it has one (connect four)."""
    warmup_steps: int = 0
    """Linear learning-rate warm-up over the run's first steps (fine-tuning from ``--init`` starts a fresh
    AdamW whose first steps are otherwise full-size); 0 = none."""
    max_replay_ratio: float = 8.0
    """Most training samples drawn per position received (the learner waits for self-play); 0 = no limit."""
    device: str = "cpu"
    """Torch device of the learner."""

    def __post_init__(self) -> None:
        _check(self.batch_size >= 1, f"batch_size must be >= 1; got {self.batch_size}")
        _check(self.lr > 0 and self.weight_decay >= 0, "need lr > 0 and weight_decay >= 0")
        _check(self.lr_schedule in ("constant", "cosine"), f"lr_schedule must be constant or cosine; got {self.lr_schedule!r}")
        _check(0 <= self.lr_final <= 1, f"lr_final must be in [0, 1]; got {self.lr_final}")
        _check(self.value_weight >= 0 and 0 <= self.progressive_alpha <= 1, "need value_weight >= 0, progressive_alpha in [0, 1]")
        for name in ("publish_every", "checkpoint_every", "log_every"):
            _check(getattr(self, name) >= 1, f"{name} must be >= 1; got {getattr(self, name)}")
        _check(self.max_replay_ratio >= 0, "max_replay_ratio must be >= 0")
        _check(self.warmup_steps >= 0, f"warmup_steps must be >= 0; got {self.warmup_steps}")


@dataclass(frozen=True, kw_only=True)
class InferenceConfig:
    """Where the workers' network runs: in each worker, or in one inference actor all workers share."""

    mode: Literal["local", "shared"] = "local"
    """``local``: each worker evaluates its leaf batches with its own torch network (one thread);
    ``shared``: workers send their leaf batches to one inference actor, which merges the requests that
    arrive together into one forward pass (:mod:`selfplay.inference`; for a GPU, or many workers)."""
    backend: Literal["auto", "torch", "onnx"] = "auto"
    """Network runtime of the workers (local) or of the inference actor (shared): ``onnx`` = ONNX Runtime
    on the CPU, re-exported at every weight update (:mod:`selfplay.backend`: 1.15-1.2x torch on chess
    batches); ``auto`` = ``onnx`` on the CPU when onnxruntime is installed, else torch."""
    device: str = "cpu"
    """Torch device of the shared inference actor: ``cpu`` or ``cuda``."""
    precision: Literal["fp32", "fp16", "bf16"] = "fp32"
    """Float format of the shared actor's forward pass (``fp16``/``bf16`` through ``torch.autocast``)."""
    threads: int = 1
    """Intra-op threads (torch or ONNX Runtime) of the shared inference actor; workers use one each."""
    cpus: float = 0.0
    """CPUs Ray reserves for the shared inference actor (0: none; its workers mostly wait on it)."""
    gpus: float = 0.0
    """GPUs Ray reserves for the shared inference actor (give 1 with ``device`` cuda on a cluster)."""
    max_wait_ms: float = 50.0
    """Shared actor: longest wait, after a request arrives, for the other workers' requests to join its
    forward pass (it runs at once when every worker has one waiting). Measured with 2 chess workers on 2
    busy cores: 5 ms merged 1.01 requests per pass (shared 0.70x local), 60 ms 1.98 (0.84x)."""

    def __post_init__(self) -> None:
        _check(self.mode in ("local", "shared"), f"mode must be local or shared; got {self.mode!r}")
        _check(self.device.split(":")[0] in ("cpu", "cuda"), f"device must be cpu or cuda; got {self.device!r}")
        _check(self.precision in ("fp32", "fp16", "bf16"), f"precision must be fp32, fp16 or bf16; got {self.precision!r}")
        _check(self.backend in ("auto", "torch", "onnx"), f"backend must be auto, torch or onnx; got {self.backend!r}")
        _check(self.backend != "onnx" or (self.device == "cpu" and self.precision == "fp32"),
               "backend onnx runs on the CPU in fp32 (device cpu, precision fp32)")
        _check(self.threads >= 1, f"threads must be >= 1; got {self.threads}")
        _check(self.cpus >= 0 and self.gpus >= 0, "cpus and gpus must be >= 0")
        _check(self.max_wait_ms >= 0, f"max_wait_ms must be >= 0; got {self.max_wait_ms}")


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """A whole training run (saved as ``config.json``)."""

    game: str
    """Registered game name."""
    network: NetConfig = field(default_factory=NetConfig)
    """Network architecture."""
    selfplay: SelfPlayConfig = field(default_factory=SelfPlayConfig)
    """Self-play settings."""
    replay: ReplayConfig = field(default_factory=ReplayConfig)
    """Replay buffer settings."""
    learner: LearnerConfig = field(default_factory=LearnerConfig)
    """Learner settings."""
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    """Where the workers' network runs (each worker's own, or one shared inference actor)."""
    init: str = ""
    """Checkpoint whose weights start a new run (its network config replaces ``network``; the learner
    still starts at step 0 with a fresh optimizer, and checkpoints name it as their parent); empty =
    random weights. A resumed run continues from its own newest checkpoint instead."""
    workers: int = 2
    """Self-play worker actors."""
    worker_cpus: float = 1.0
    """CPUs Ray reserves for each worker actor."""
    seed: int = 0
    """Seed of the run (worker i uses seed + 1000 * (i + 1))."""

    def __post_init__(self) -> None:
        _check(self.workers >= 1, f"workers must be >= 1; got {self.workers}")
        _check(self.worker_cpus >= 0, f"worker_cpus must be >= 0; got {self.worker_cpus}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        return _from_dict(cls, data, "config")

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> "TrainConfig":
        try:
            data = json.loads(Path(path).read_text())
        except OSError as err:
            raise ConfigError(f"cannot read config '{path}': {err.strerror}") from None
        except json.JSONDecodeError as err:
            raise ConfigError(f"config '{path}' is not JSON ({err.msg}, line {err.lineno})") from None
        return cls.from_dict(data)


def with_init_network(config: TrainConfig) -> TrainConfig:
    """``config`` with the network of its ``init`` checkpoint (unchanged without one). Raises
    :class:`~agents.nets.checkpoint.CheckpointError` for a missing or unusable checkpoint or one of
    another game."""
    if not config.init:
        return config
    from agents.nets.checkpoint import CheckpointError, load_checkpoint

    ckpt = load_checkpoint(config.init)
    if ckpt.game != config.game:
        raise CheckpointError(f"--init checkpoint '{config.init}' is a {ckpt.game} network, not {config.game}")
    return dataclasses.replace(config, network=ckpt.network)


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ConfigError(message)


def _from_dict(cls: type, data: Any, where: str) -> Any:
    """Build dataclass ``cls`` from nested dicts, rejecting unknown fields and wrong types."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a JSON object; got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - fields)
    if unknown:
        raise ConfigError(f"unknown field(s) {', '.join(unknown)} in {where} (known: {', '.join(sorted(fields))})")
    values = {}
    for key, value in data.items():
        kind = hints[key]
        if dataclasses.is_dataclass(kind):
            values[key] = _from_dict(kind, value, f"{where}.{key}")
            continue
        base = kind if typing.get_origin(kind) is not Literal else str
        if base is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if base in (int, float, str, bool) and (type(value) is not base):
            raise ConfigError(f"{where}.{key} must be {base.__name__}; got {value!r}")
        values[key] = value
    try:
        return cls(**values)
    except TypeError as err:
        raise ConfigError(f"{where}: {err}") from None


@dataclass
class PlayedGame:
    """One finished self-play game, sent whole to the replay buffer. T = positions recorded."""

    observations: np.ndarray
    """float32 [T, *observation_shape]: each position from the mover's view."""
    legal_masks: np.ndarray
    """bool [T, A]: legal actions of each position."""
    policies: np.ndarray
    """float32 [T, A]: search policy target (sums to 1 over legal actions)."""
    values: np.ndarray
    """float32 [T]: final return of the position's mover, scaled to [-1, 1]."""
    full_search: np.ndarray
    """bool [T]: the move got a full search (its policy is a training target)."""
    returns: np.ndarray
    """float64 [num_players]: final returns (after resignation, if any)."""
    model_version: int
    """Learner step of the weights that played the game."""
    plies: int
    """Moves played."""
    resigned: bool = False
    """The game ended by resignation."""
    resign_check_player: int = -1
    """In a check game, the first player who would have resigned (-1 = none)."""
    draw_check_ply: int = -1
    """In a check game, the ply at which draw adjudication would first have ended it (-1 = never)."""
    check_root_values: np.ndarray | None = None
    """float32 [T]: in a check game, the root value of every move for its mover (resignation calibration);
    None in other games."""
    termination: str = ""
    """How the game ended: ``resigned``, ``adjudicated_draw``, ``max_plies`` (the self-play ply cap), or
    the game's own ending (chess: ``checkmate``, ``stalemate``, ``fifty_moves``,
    ``threefold_repetition``, ``insufficient_material``, ``max_length``; games without names:
    ``terminal``)."""
    worker_id: int = 0
    """Worker that played the game."""

    @property
    def num_positions(self) -> int:
        return int(self.values.shape[0])

    @property
    def resign_false_positive(self) -> bool | None:
        """In a resignation-check game where someone would have resigned: they did not lose. Else None."""
        if self.resign_check_player < 0:
            return None
        return bool(self.returns[self.resign_check_player] >= 0.0)

    @property
    def draw_false_positive(self) -> bool | None:
        """In a check game where draw adjudication would have fired: the game ended decisively. Else None."""
        if self.draw_check_ply < 0:
            return None
        return bool(np.any(self.returns != 0.0))
