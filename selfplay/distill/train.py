"""``python -m selfplay.distill chess``: warm-start a chess network by distilling Stockfish.

Two phases in one run folder ``runs/NAME``:

1. **Labelling** (:mod:`selfplay.distill.data`): up to ``--positions`` de-duplicated positions from
   games of random openings and Stockfish-sampled moves, each labelled by Stockfish at ``--depth``
   (policy: softmax over ``--multipv`` moves' scores; value: ``tanh(cp / 400)`` or +-1 for mates),
   written to ``data/shard_*.npz`` as they fill (a crash keeps the finished shards).
2. **Training**: the residual network (``--net-blocks`` x ``--net-channels``) learns the labels with
   AdamW (policy cross-entropy + value MSE, cosine learning-rate decay) from the data, with a held-out
   slice for validation (loss and top-1 agreement with Stockfish's move).

Budget: ``--minutes M`` bounds the whole run: labelling stops at ``--positions`` or after
``--label-share`` of M; training uses the rest (or stops after ``--epochs``, whichever first). Without
``--minutes``, labelling runs to ``--positions`` and training for ``--epochs`` (default 1).

Checkpoints (``checkpoints/000123.pt`` by optimizer step, via :func:`agents.nets.checkpoint.save_checkpoint`)
are written at training progress 1/2^(K-1), ..., 1/4, 1/2, 1 (``--checkpoints K``): a geometric axis
of training compute for the scaling study. Each carries its compute estimate and a ``training`` text
("distilled from Stockfish depth D on N positions") in its metadata, repeated with the validation
figures in ``checkpoints/000123.json``. ``distill.json`` holds the run's settings and labelling costs,
``metrics.jsonl`` one line per log interval, ``optimizer.pt`` the AdamW state of the newest checkpoint
(kept out of the checkpoints so that they stay small). ``--resume`` continues: labelling tops the data up to
``--positions`` (never storing a position twice) and training goes on from the newest checkpoint.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, latest_checkpoint, load_checkpoint, save_checkpoint, write_atomically
from agents.nets.core import NetConfig, build_network, flops_per_evaluation
from games.cli import run_cli
from games.core import Game, InputError
from games.registry import make_game
from selfplay.distill.data import GenerationStats, LabelConfig, generate_positions
from selfplay.distill.store import Dataset, load_dataset, load_keys
from selfplay.learner import TRAINING_PASS_COST, policy_value_loss

DATA_DIR = "data"
"""Shard folder inside the run folder."""
SUMMARY = "distill.json"
"""Settings and labelling costs of the run."""
OPTIMIZER = "optimizer.pt"
"""AdamW state of the newest checkpoint (for ``--resume``; kept out of the checkpoints to keep them small)."""


class DistillError(InputError):
    """A distillation run that cannot start (bad arguments, run folder in the way, nothing to train on)."""


@dataclass(frozen=True, kw_only=True)
class TrainSettings:
    """Optimisation settings of the training phase."""

    batch_size: int = 256
    """Positions per AdamW step."""
    lr: float = 2e-3
    """Peak learning rate (cosine decay to 5% of it over the training budget)."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    value_weight: float = 1.0
    """Weight of the value MSE against the policy cross-entropy."""
    warmup_steps: int = 100
    """Linear learning-rate warm-up."""


def _parser() -> argparse.ArgumentParser:
    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            raise DistillError(message)

    p = Parser(prog="python -m selfplay.distill", description=__doc__.split("\n\n")[0])
    p.add_argument("game", help="chess")
    p.add_argument("--positions", type=int, required=True, help="labelled positions to collect")
    p.add_argument("--depth", type=int, required=True, help="Stockfish depth per position")
    p.add_argument("--multipv", type=int, default=4, help="moves scored per position (policy softmax; default 4)")
    p.add_argument("--policy-temperature", type=float, default=100.0, help="centipawns per logit (default 100)")
    p.add_argument("--random-move-prob", type=float, default=0.1, help="random moves in generated games")
    p.add_argument("--minutes", type=float, default=None, help="wall-clock budget of the whole run")
    p.add_argument("--label-share", type=float, default=0.5, help="largest share of --minutes for labelling")
    p.add_argument("--epochs", type=float, default=None, help="most passes over the data (default 1 w/o --minutes)")
    p.add_argument("--workers", type=int, default=2, help="labelling threads, one Stockfish each (default 2)")
    p.add_argument("--net-blocks", type=int, default=6, help="residual blocks (default 6)")
    p.add_argument("--net-channels", type=int, default=64, help="channels (default 64)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--checkpoints", type=int, default=5, help="checkpoints along training (default 5)")
    p.add_argument("--threads", type=int, default=2, help="torch threads for training (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="run folder, e.g. runs/chess-distill")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    return p


def _check_args(args: argparse.Namespace) -> None:
    if args.game != "chess":
        raise DistillError(f"distillation from Stockfish needs chess; got '{args.game}'")
    positive = {"--positions": args.positions, "--depth": args.depth, "--multipv": args.multipv,
                "--workers": args.workers, "--net-blocks": args.net_blocks, "--net-channels": args.net_channels,
                "--batch-size": args.batch_size, "--checkpoints": args.checkpoints, "--threads": args.threads}
    for name, value in positive.items():
        if value < 1:
            raise DistillError(f"{name} must be >= 1; got {value}")
    for name, value in {"--minutes": args.minutes, "--epochs": args.epochs, "--lr": args.lr,
                        "--policy-temperature": args.policy_temperature}.items():
        if value is not None and not value > 0:
            raise DistillError(f"{name} must be > 0; got {value}")
    if not 0 < args.label_share <= 1:
        raise DistillError(f"--label-share must be in (0, 1]; got {args.label_share}")
    out = Path(args.out)
    if args.resume and not (out / SUMMARY).is_file():
        raise DistillError(f"nothing to resume in '{out}' (no {SUMMARY})")
    if not args.resume and out.exists() and any(out.iterdir()):
        raise DistillError(f"run folder '{out}' is not empty; use --resume or another --out")


def _split(dataset: Dataset, seed: int, first_new: int = 0) -> tuple[Dataset, Dataset]:
    """(train, validation): about 2% (at most 2000, none for tiny sets) held out, chosen by seed among
    the positions from index ``first_new`` on. A resumed run passes the number of positions it had before
    this invocation (shards load in order, so those come first): a network restored from a checkpoint
    trained on the old positions, so only the new ones can validate it. ``first_new`` is ignored when
    nothing new was added."""
    n = len(dataset)
    start = first_new if 0 < first_new < n else 0
    held = min(2000, (n - start) // 50)
    order = start + np.random.default_rng(seed).permutation(n - start)
    val = np.sort(order[:held])
    train = np.setdiff1d(np.arange(n), val, assume_unique=True)
    return dataset.subset(train), dataset.subset(val)


def evaluate(model: torch.nn.Module, data: Dataset, game: Game, settings: TrainSettings) -> dict[str, float]:
    """Validation policy cross-entropy, value MSE and top-1 agreement with Stockfish's best move."""
    if len(data) == 0:
        return {}
    model.eval()
    totals = {"val_policy_loss": 0.0, "val_value_loss": 0.0, "val_top1": 0.0}
    with torch.inference_mode():
        for start in range(0, len(data), 512):
            index = np.arange(start, min(len(data), start + 512))
            b = {k: torch.from_numpy(v) for k, v in data.batch(index, game.spec.observation_shape,
                                                             game.spec.num_actions).items()}
            logits, values = model(b["observations"])
            _, pol, val = policy_value_loss(logits, values, b, settings.value_weight)
            best = logits.masked_fill(~b["legal_masks"], -1e9).argmax(dim=1).numpy()
            totals["val_policy_loss"] += pol.item() * len(index)
            totals["val_value_loss"] += val.item() * len(index)
            totals["val_top1"] += float((best == data.actions[index, 0]).sum())
    return {k: v / len(data) for k, v in totals.items()}


class Trainer:
    """The training phase: AdamW on the labelled data under a time and/or epoch budget."""

    def __init__(self, game: Game, net: NetConfig, settings: TrainSettings, seed: int) -> None:
        torch.manual_seed(seed)
        self.game, self.settings = game, settings
        self.model = build_network(net, game.spec)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=settings.lr,
                                           weight_decay=settings.weight_decay)
        self.flops = flops_per_evaluation(self.model)
        self.step = 0
        self.seconds_before = 0.0
        self.rng = np.random.default_rng(seed)

    def restore(self, path: Path, optimizer_path: Path) -> None:
        """Weights and counters from checkpoint ``path``; AdamW state from ``optimizer_path`` if it has
        the same step (else the optimizer starts afresh)."""
        ckpt = load_checkpoint(path)
        self.model.load_state_dict(ckpt.weights)
        self.step = ckpt.metadata.learner_steps
        self.seconds_before = ckpt.metadata.wall_seconds
        if optimizer_path.is_file():
            saved = torch.load(optimizer_path, map_location="cpu", weights_only=True)
            if isinstance(saved, dict) and saved.get("step") == self.step:
                self.optimizer.load_state_dict(saved["optimizer"])

    def save_optimizer(self, path: Path) -> None:
        """Write the AdamW state (tagged with the step) atomically to ``path``."""
        write_atomically(path, {"step": self.step, "optimizer": self.optimizer.state_dict()})

    def _lr(self, progress: float, local_step: int) -> float:
        s = self.settings
        warm = min(1.0, (local_step + 1) / max(1, s.warmup_steps))
        return s.lr * warm * (0.05 + 0.95 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress))))

    def train_step(self, batch: dict[str, np.ndarray], lr: float) -> dict[str, float]:
        self.model.train()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        b = {k: torch.from_numpy(v) for k, v in batch.items()}
        logits, values = self.model(b["observations"])
        loss, pol, val = policy_value_loss(logits, values, b, self.settings.value_weight)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.step += 1
        return {"loss": loss.item(), "policy_loss": pol.item(), "value_loss": val.item()}

    def run(self, train: Dataset, seconds: float | None, epochs: float | None, on_progress: Any) -> None:
        """Train until ``seconds`` pass or ``epochs`` passes are done; ``on_progress(fraction, losses)``
        is called after every step (fraction of the budget used, in [0, 1])."""
        n = len(train)
        bs = min(self.settings.batch_size, n)
        total_steps = None if epochs is None else max(1, int(epochs * n / bs))
        started = time.monotonic()
        order, cursor, local = self.rng.permutation(n), 0, 0

        def progress() -> float:
            fractions = [0.0]
            if total_steps is not None:
                fractions.append(local / total_steps)
            if seconds is not None:
                fractions.append((time.monotonic() - started) / max(seconds, 1e-9))
            return min(1.0, max(fractions))

        while (done := progress()) < 1.0:
            if cursor + bs > n:
                order, cursor = self.rng.permutation(n), 0
            index = np.sort(order[cursor:cursor + bs])
            cursor += bs
            batch = train.batch(index, self.game.spec.observation_shape, self.game.spec.num_actions)
            losses = self.train_step(batch, self._lr(done, local))
            local += 1
            on_progress(progress(), losses)


def _summary_dict(args: argparse.Namespace, label: LabelConfig, net: NetConfig, settings: TrainSettings,
                  gen: dict[str, Any]) -> dict[str, Any]:
    return {"game": args.game, "kind": "distillation", "label": dataclasses.asdict(label),
            "network": net.to_dict(), "train": dataclasses.asdict(settings),
            "args": {k: v for k, v in vars(args).items() if k not in ("json", "quiet")}, "generation": gen}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _check_args(args)
    started = time.monotonic()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    game = make_game("chess")
    try:
        label = LabelConfig(depth=args.depth, multipv=args.multipv, policy_temperature=args.policy_temperature,
                            random_move_prob=args.random_move_prob)
        net = NetConfig(kind="resnet", blocks=args.net_blocks, channels=args.net_channels)
    except ValueError as err:
        raise DistillError(str(err)) from None
    settings = TrainSettings(batch_size=args.batch_size, lr=args.lr)
    budget = None if args.minutes is None else args.minutes * 60.0
    gen_total: dict[str, Any] = {"positions": 0, "games": 0, "duplicates": 0, "engine_nodes": 0, "seconds": 0.0}
    if args.resume:
        gen_total.update(json.loads((out / SUMMARY).read_text()).get("generation", {}))
    data_dir = out / DATA_DIR
    known = load_keys(data_dir) if args.resume else set()
    missing = args.positions - len(known)
    if missing > 0:
        stats = generate_positions(game, data_dir, missing, label, workers=args.workers,
                                   seconds=None if budget is None else budget * args.label_share,
                                   seed=args.seed + len(known), known_keys=known, progress=not args.quiet)
    else:
        stats = GenerationStats()
    for key, value in dataclasses.asdict(stats).items():
        gen_total[key] = gen_total.get(key, 0) + value
    (out / SUMMARY).write_text(json.dumps(_summary_dict(args, label, net, settings, gen_total), indent=2) + "\n")

    dataset = load_dataset(data_dir)
    train, val = _split(dataset, args.seed, first_new=len(known) if stats.positions > 0 else 0)
    torch.set_num_threads(args.threads)
    trainer = Trainer(game, net, settings, args.seed)
    newest = latest_checkpoint(out) if args.resume else None
    if newest is not None:
        trainer.restore(newest, out / OPTIMIZER)
    left = None if budget is None else max(0.0, budget - (time.monotonic() - started))
    epochs = args.epochs if (args.epochs is not None or budget is not None) else 1.0
    train_started = time.monotonic()
    thresholds = [2.0 ** -(args.checkpoints - 1 - i) for i in range(args.checkpoints)]
    text = (f"distilled from Stockfish depth {args.depth} (MultiPV {args.multipv}) on {len(dataset)} positions"
            f" ({int(gen_total['games'])} generated games)")
    written: list[dict[str, Any]] = []
    recent: list[dict[str, float]] = []

    def save() -> None:
        steps_done = trainer.step
        meta = TrainingMetadata(
            learner_steps=steps_done, selfplay_games=int(gen_total["games"]), samples=len(dataset),
            wall_seconds=trainer.seconds_before + (gen_total["seconds"] if newest is None else stats.seconds)
            + time.monotonic() - train_started,
            network_evaluations=steps_done * settings.batch_size * TRAINING_PASS_COST,
            flops_per_evaluation=trainer.flops, training=text)
        path = save_checkpoint(checkpoint_path(out, steps_done), trainer.model, "chess", meta)
        trainer.save_optimizer(out / OPTIMIZER)
        figures = {"checkpoint": str(path), "training": text, "metadata": meta.to_dict(),
                   "stockfish_nodes": int(gen_total["engine_nodes"]), **evaluate(trainer.model, val, game, settings)}
        path.with_suffix(".json").write_text(json.dumps(figures, indent=2) + "\n")
        written.append(figures)
        with open(out / "metrics.jsonl", "a") as fh:
            fh.write(json.dumps({"step": steps_done, "seconds": time.monotonic() - started, **{
                k: v for k, v in figures.items() if k.startswith("val_")}}) + "\n")

    def on_progress(progress: float, losses: dict[str, float]) -> None:
        recent.append(losses)
        if trainer.step % 50 == 0:
            mean = {k: float(np.mean([r[k] for r in recent])) for k in losses}
            recent.clear()
            with open(out / "metrics.jsonl", "a") as fh:
                fh.write(json.dumps({"step": trainer.step, "seconds": time.monotonic() - started, **mean}) + "\n")
            if not args.quiet:
                print(f"step {trainer.step} progress {progress:.2f} " +
                      " ".join(f"{k} {v:.4f}" for k, v in mean.items()), flush=True)
        if thresholds and progress >= thresholds[0]:
            while thresholds and progress >= thresholds[0]:
                thresholds.pop(0)
            save()

    trainer.run(train, left, epochs, on_progress)
    if not written or written[-1]["metadata"]["learner_steps"] != trainer.step:
        save()
    result = {"run": str(out), "positions": len(dataset), "generation": gen_total, "steps": trainer.step,
              "checkpoints": [w["checkpoint"] for w in written], "final": written[-1],
              "seconds": time.monotonic() - started}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{text}; {trainer.step} steps; checkpoints: {', '.join(result['checkpoints'])}")
    return 0

