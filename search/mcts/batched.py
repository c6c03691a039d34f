"""The batched searcher: many trees (one per game) searched together, one evaluator call per step."""
from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from games.core import Game, InputError, State
from search.core import Evaluator
from search.evaluators import StateEvaluator
from games.compiled import new_stack, stack_rows
from search.mcts.adaptive import AdaptiveBudget, root_race
from search.mcts.compiled import (
    MODE_HEURISTIC,
    MODE_ROLLOUT,
    MODE_UNIFORM,
    finish_leaves,
    run_simulations,
    select_and_prepare,
)
from search.mcts.config import MCTSConfig, SearchSummary
from search.mcts.gumbel import halving_schedule
from search.mcts.policy import summarize
from search.mcts.reroot import reroot
from search.mcts.simulate import finish_batch, select_batch
from search.mcts.tree import NOT_EXPANDED, TreeArrays, allocate, clear_tree, grow, make_params

NATIVE_CHUNK = 1024
"""Simulations per compiled call in whole-simulation mode (the time budget is checked between calls)."""
EDGES_PER_COMPILED_NODE = 48
"""Edge slots allocated per node for games with compiled rules (more than chess's average branching;
the edge arrays grow when a tree needs more)."""
_COMPILED_MODES = {"uniform": MODE_UNIFORM, "rollout": MODE_ROLLOUT, "material": MODE_HEURISTIC}
"""StateEvaluator kinds that run inside compiled code, and their mode."""
GUMBEL_TIMED_SIMULATIONS = 4096
"""Simulations sequential halving plans for when the budget is in seconds only (PUCT at the root after)."""


def _splitmix32(x: int) -> int:
    """splitmix64's finaliser of ``x + golden gamma``, cut to 32 bits."""
    mask = (1 << 64) - 1
    z = (x + 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return (z ^ (z >> 31)) & 0xFFFFFFFF


class SearchError(InputError):
    """A search that cannot run (terminal root, too many states for the trees, ...)."""


class BatchedMCTS:
    """Searches ``num_trees`` trees together; tree ``i`` follows the game whose state is passed at index i.

    Args:
        game: the game (perfect information, no chance nodes, one or two players).
        config: search hyper-parameters.
        evaluator: a :data:`search.core.Evaluator` or a :class:`search.evaluators.StateEvaluator`.
        num_trees: trees held (= most states one :meth:`search` call takes).
    """

    def __init__(self, game: Game, config: MCTSConfig, evaluator: Evaluator | StateEvaluator,
                 num_trees: int = 1) -> None:
        game.require(num_players=(1, 2), perfect_information=True, chance=False, what="MCTS")
        if num_trees < 1:
            raise SearchError(f"num_trees must be >= 1; got {num_trees}")
        self.game, self.evaluator = game, evaluator
        self.config = config
        self.num_trees = num_trees
        self.num_actions = game.spec.num_actions
        self.compiled = game.spec.compiled if config.compiled else None
        """The game's compiled rules, when the search uses them (``games.compiled``)."""
        self._mode = self._whole_mode(evaluator)
        self.whole_simulations = self._mode is not None
        """Whole simulations in compiled code (uniform, rollout or heuristic evaluator)."""
        self.compiled_leaves = bool(self.compiled is not None and self._mode is None
                                    and not isinstance(evaluator, StateEvaluator))
        """Compiled leaf collection with a network: one Python evaluator call per step."""
        self._hparams = (evaluator.compiled_params() if isinstance(evaluator, StateEvaluator)
                         else np.zeros(0, np.float64))
        nodes = min(config.max_nodes, max(64, config.num_simulations * 2 + 2 * config.leaves_per_eval))
        self._edges_per_node = min(self.num_actions, 16 if self.compiled is None else max(16, min(
            self.compiled.max_actions, EDGES_PER_COMPILED_NODE)))
        self.tree: TreeArrays = allocate(num_trees, nodes, nodes * self._edges_per_node, self.num_actions)
        if self.compiled is not None:
            c = self.compiled
            self._stack = new_stack(c)
            self._root_rows = np.zeros((num_trees, c.history, c.state_size), np.int64)
            self._actions = np.zeros(c.max_actions, np.int32)
            self._path = np.zeros(max(c.max_actions, stack_rows(c)), np.int32)
            self._logits = np.zeros(c.max_actions, np.float64)
        self._buffers: dict[str, np.ndarray] = {}
        self._no_logits = np.zeros((1, self.num_actions), np.float32)
        self._no_values = np.zeros(1, np.float32)
        self.stop_flag = np.zeros(1, np.uint8)
        """Set ``stop_flag[0] = 1`` (from any thread) to end the running search early. It stays set until
        the caller clears it (``stop_flag[0] = 0``): a search started while it is set stops at once, so a
        stop requested just before a search starts is not lost. Compiled loops check it every simulation."""
        self._roots: list[State | None] = [None] * num_trees
        self._tree_keys = list(range(num_trees))
        """What tree b's randomness is keyed by, beside the config's seed (b itself unless reseeded)."""
        self._rngs = [np.random.default_rng([config.seed, i]) for i in range(num_trees)]
        self._noised = [False] * num_trees
        self._searches = [0] * num_trees
        self._seed_keys: list[tuple[int, int] | None] = [None] * num_trees
        self._seed_bases = [0] * num_trees
        self._scratch = np.empty(self.num_actions, np.float64)
        self.evaluator_calls = 0
        """Evaluator calls made so far by this searcher."""

    @property
    def config(self) -> MCTSConfig:
        """The search settings; may be replaced between searches (e.g. fast and full self-play searches)."""
        return self._config

    @config.setter
    def config(self, config: MCTSConfig) -> None:
        self._config = config
        self._params = make_params(config.c_puct, config.c_base, config.fpu, config.virtual_loss, config.gumbel,
                                   config.gumbel_c_visit, config.gumbel_c_scale)

    def _whole_mode(self, evaluator: object) -> int | None:
        """The compiled mode of a StateEvaluator the game's kernels can run, else None."""
        if self.compiled is None or not isinstance(evaluator, StateEvaluator):
            return None
        mode = _COMPILED_MODES.get(evaluator.kind)
        if mode == MODE_ROLLOUT and not self.compiled.has_rollout:
            return None
        if mode == MODE_HEURISTIC and not self.compiled.has_heuristic:
            return None
        return mode

    def request_stop(self) -> None:
        """End the running search as soon as possible (thread-safe: sets :attr:`stop_flag`, which stays set
        until the caller clears it)."""
        self.stop_flag[0] = 1

    def _set_root(self, b: int, state: State) -> None:
        self._roots[b] = state
        if self.compiled is not None:
            self._root_rows[b] = self.compiled.root(state)

    # ----- tree management ---------------------------------------------------------------------
    def reset(self, index: int | None = None) -> None:
        """Forget tree ``index`` (all trees if None); its next search starts from scratch."""
        for b in range(self.num_trees) if index is None else [index]:
            clear_tree(self.tree, b)
            self._roots[b] = None
            self._noised[b] = False

    def reseed(self, index: int, key: int) -> None:
        """Forget tree ``index`` and key its randomness by ``key`` instead of its index: noise, rollouts and
        temperature then come from ``(config.seed, key)`` and the searches since, so a game played in any
        tree with the same key searches alike (e.g. one game per tree, keyed by the game's seed)."""
        self.reset(index)
        self._tree_keys[index] = int(key)
        self._rngs[index] = np.random.default_rng([self.config.seed, int(key)])
        self._searches[index] = 0
        self._seed_keys[index] = None

    def advance(self, index: int, action: int, expected: State | None = None) -> None:
        """Tree reuse: ``action`` was played in tree ``index``'s root state; its child becomes the root
        (subtree copied to the front, statistics kept). Unknown action or child, or a root that is not
        ``expected`` (when given, compared by text): the tree is reset."""
        t, b = self.tree, index
        root = self._roots[b]
        if root is not None and expected is not None and str(root) != str(expected):
            root = None
        k, first = int(t.num_edges[b, 0]), int(t.first_edge[b, 0])
        child = -1
        if k > 0:
            hits = np.nonzero(t.edge_action[b, first:first + k] == action)[0]
            if len(hits):
                child = int(t.edge_child[b, first + hits[0]])
        if root is None or child < 0 or t.num_edges[b, child] == 0:
            self.reset(b)
            return
        next_root = root.copy()
        next_root.apply(int(action))
        reroot(t, b, child)
        self._set_root(b, next_root)
        self._noised[b] = False

    def root_visits(self, index: int) -> int:
        """Visits of tree ``index``'s root (0 after a reset)."""
        return int(self.tree.visits[index, 0])

    # ----- search --------------------------------------------------------------------------------
    def search(self, states: Sequence[State], indices: Sequence[int] | None = None) -> list[SearchSummary]:
        """Search ``states[i]`` in tree ``indices[i]`` (default ``i``); returns one summary per state.

        A tree whose stored root is not ``states[i]`` (compared by text) is reset first.
        """
        idx = list(range(len(states))) if indices is None else [int(i) for i in indices]
        if len(idx) != len(states) or len(set(idx)) != len(idx) or any(not 0 <= i < self.num_trees for i in idx):
            raise SearchError(f"need distinct tree indices in [0, {self.num_trees}) for {len(states)} states")
        for b, state in zip(idx, states):
            if state.is_terminal():
                raise SearchError(f"cannot search a terminal state: {state}")
            root = self._roots[b]
            if root is None or str(root) != str(state):
                self.reset(b)
                self._set_root(b, state.copy())
        start = time.perf_counter()
        calls0 = self.evaluator_calls
        self._expand_roots(idx)
        schedule = self._prepare_roots(idx)
        done = self._run(idx, schedule, start)
        seconds = time.perf_counter() - start
        out = []
        for b in idx:
            self._searches[b] += 1
            out.append(summarize(self.tree, b, self.num_actions, self._params, self.config.gumbel,
                                 self.config.temperature, self._rngs[b], int(done[b]), seconds,
                                 self.evaluator_calls - calls0))
        return out

    def _expand_roots(self, idx: list[int]) -> None:
        todo = [b for b in idx if self.tree.num_edges[b, 0] == NOT_EXPANDED]
        if not todo:
            return
        if self.whole_simulations:
            for b in todo:
                self._compiled_run(b, 1, np.full(1, -1, np.int32), 0)
        else:
            self._python_step(todo, [1] * len(todo), np.full((self.num_trees, 1), -1, np.int32),
                              np.zeros(self.num_trees, np.int32))

    def _prepare_roots(self, idx: list[int]) -> np.ndarray:
        """Dirichlet noise and Gumbel scores at the roots; returns the Gumbel visit schedules, int32
        [num_trees, S] (row b for tree b, -1 past its end; S = 0 without Gumbel)."""
        t, cfg = self.tree, self.config
        rows: dict[int, np.ndarray] = {}
        for b in idx:
            first, k = int(t.first_edge[b, 0]), int(t.num_edges[b, 0])
            priors = t.edge_prior[b, first:first + k]
            rng = self._rngs[b]
            if cfg.dirichlet_fraction > 0 and not self._noised[b] and k > 0:
                noise = rng.dirichlet(np.full(k, cfg.dirichlet_alpha))
                priors[:] = (1 - cfg.dirichlet_fraction) * priors + cfg.dirichlet_fraction * noise
                self._noised[b] = True
            t.root_gumbel[b, :] = -np.inf
            if cfg.gumbel and k > 0:
                m = min(cfg.gumbel_num_considered, k)
                if cfg.num_simulations:
                    m = min(m, cfg.num_simulations)
                scores = np.log(np.maximum(priors, 1e-30)) + cfg.gumbel_scale * rng.gumbel(size=k)
                top = np.argsort(-scores, kind="stable")[:m]
                t.root_gumbel[b, top] = scores[top]
                children = t.edge_child[b, first:first + k]
                t.root_base_visits[b, :k] = np.where(children >= 0, t.visits[b, np.maximum(children, 0)], 0)
                rows[b] = halving_schedule(m, cfg.num_simulations or GUMBEL_TIMED_SIMULATIONS)
        width = max((len(row) for row in rows.values()), default=0)
        schedules = np.full((self.num_trees, width), -1, np.int32)
        for b, row in rows.items():
            schedules[b, :len(row)] = row
        return schedules

    def _run(self, idx: list[int], schedule: np.ndarray, start: float) -> np.ndarray:
        cfg = self.config
        done = np.zeros(self.num_trees, np.int32)
        stopped = set()
        budgets = {b: AdaptiveBudget(cfg) for b in idx} if cfg.adaptive else {}
        check_at = np.zeros(self.num_trees, np.int64)  # adaptive: next look at the rule, in simulations done
        while not self.stop_flag[0]:
            if cfg.max_seconds and time.perf_counter() - start >= cfg.max_seconds:
                break
            allowed = {}
            for b in idx:
                if b in stopped or not np.isnan(self.tree.terminal_value[b, 0]):
                    continue
                if b in budgets:
                    if done[b] >= check_at[b]:
                        check_at[b] = done[b] + budgets[b].allowance(int(done[b]), root_race(self.tree, b))
                    left = int(check_at[b] - done[b])
                else:
                    left = cfg.num_simulations - int(done[b]) if cfg.num_simulations else NATIVE_CHUNK
                if left <= 0:
                    stopped.add(b)
                    continue
                allowed[b] = left
            if not allowed:
                break
            active = list(allowed)
            if self.whole_simulations:
                for b in active:
                    want = min(NATIVE_CHUNK, allowed[b])
                    ran = self._compiled_run(b, want, schedule[b], int(done[b]))
                    done[b] += ran
                    if ran < want and np.isnan(self.tree.terminal_value[b, 0]):
                        stopped.add(b)  # tree full or stopped
            else:
                counts = [min(cfg.leaves_per_eval, allowed[b]) for b in active]
                ran = self._python_step(active, counts, schedule, done)
                for b, r, c in zip(active, ran, counts):
                    done[b] += r
                    if r < c:
                        stopped.add(b)
        return done

    # ----- games with compiled rules --------------------------------------------------------------
    def _compiled_run(self, b: int, count: int, schedule: np.ndarray, sim_start: int) -> int:
        """Up to ``count`` whole simulations of tree ``b`` in compiled code (edge arrays grown as needed);
        returns how many ran (fewer: root proven, tree full or stop requested)."""
        c = self.compiled
        assert c is not None and self._mode is not None
        ran = 0
        while ran < count and not self.stop_flag[0]:
            self._ensure_nodes([b], count - ran)
            self._stack[:c.history] = self._root_rows[b]
            now = int(run_simulations(self.tree, b, c.rules, self._stack, c.history, count - ran, self._params,
                                      schedule, sim_start + ran, self._mode, self._hparams,
                                      self._chunk_seed(b, sim_start + ran), self.stop_flag, self._actions,
                                      self._logits, self._scratch))
            ran += now
            if ran >= count or not np.isnan(self.tree.terminal_value[b, 0]):
                break
            t = self.tree
            if t.edge_action.shape[1] - int(t.edge_count[b]) > c.max_actions:
                break  # the nodes are full (max_nodes) or a stop was requested
            self.tree = grow(t, t.parent.shape[1], 2 * t.edge_action.shape[1])
        return ran

    def _chunk_seed(self, b: int, sim_start: int) -> int:
        """Seed of the compiled chunk starting at simulation ``sim_start`` of tree ``b``'s current search:
        ``SeedSequence((seed, b, search number, 0))`` for the first, mixed with ``sim_start`` (splitmix64)
        for later ones (cheap: adaptive searches run many small chunks)."""
        key = (self._searches[b], self.config.seed)
        if self._seed_keys[b] != key:
            self._seed_keys[b] = key
            self._seed_bases[b] = int(np.random.SeedSequence([self.config.seed, self._tree_keys[b], key[0], 0])
                                      .generate_state(1)[0])
        return self._seed_bases[b] if sim_start == 0 else _splitmix32(self._seed_bases[b] ^ (sim_start << 32))

    # ----- Python-backed games -----------------------------------------------------------------
    def _leaf_buffers(self, capacity: int) -> dict[str, np.ndarray]:
        """Arrays of a network step for up to ``capacity`` leaves (kept between steps, grown as needed)."""
        buffers = self._buffers
        if buffers.get("capacity", np.zeros(1))[0] < capacity:
            c = self.compiled
            assert c is not None
            obs = np.empty((capacity, *self.game.spec.observation_shape), np.float32)
            buffers = self._buffers = {
                "capacity": np.array([capacity]), "leaf_tree": np.zeros(capacity, np.int32),
                "leaf_node": np.zeros(capacity, np.int32), "kind": np.zeros(capacity, np.int32),
                "value": np.zeros(capacity, np.float64), "player": np.zeros(capacity, np.int32),
                "row": np.zeros(capacity, np.int32), "offsets": np.zeros(capacity + 1, np.int64),
                "actions": np.zeros(capacity * c.max_actions, np.int32), "obs": obs,
                "obs_flat": obs.reshape(capacity, -1), "mask": np.zeros((capacity, self.num_actions), np.bool_),
            }
        return buffers

    def _compiled_step(self, trees: list[int], counts: list[int], schedule: np.ndarray,
                       done: np.ndarray) -> list[int]:
        """A network step on a game with compiled rules: ONE compiled call selects the leaves and writes
        their observations, masks and legal actions; ONE evaluator call; ONE compiled call expands and
        backs up. Returns the leaves each tree completed."""
        c = self.compiled
        assert c is not None
        total = sum(counts)
        self._ensure_nodes(trees, max(counts))
        t = self.tree
        need = int(t.edge_count[trees].max()) + total * c.max_actions
        if need > t.edge_action.shape[1]:
            self.tree = grow(t, t.parent.shape[1], max(need, 2 * t.edge_action.shape[1]))
        buf = self._leaf_buffers(total)
        tree_idx, count_arr = np.asarray(trees, np.int32), np.asarray(counts, np.int32)
        selected = np.empty((len(trees), max(counts)), np.int32)
        ran = np.zeros(len(trees), np.int32)
        m, rows = select_and_prepare(self.tree, c.rules, tree_idx, count_arr, self._params, schedule, done,
                                     self._scratch, selected, ran, self._root_rows, self._stack, self._path,
                                     buf["leaf_tree"], buf["leaf_node"], buf["kind"], buf["value"], buf["player"],
                                     buf["row"], buf["offsets"], buf["actions"], buf["obs_flat"], buf["mask"])
        if rows:
            self.evaluator_calls += 1
            logits, values = self.evaluator(buf["obs"][:rows], buf["mask"][:rows])  # type: ignore[call-arg]
            logits = np.ascontiguousarray(logits, np.float32).reshape(rows, self.num_actions)
            values = np.ascontiguousarray(values, np.float32).reshape(rows)
        else:
            logits, values = self._no_logits, self._no_values
        finish_leaves(self.tree, m, buf["leaf_tree"], buf["leaf_node"], self._params, buf["kind"], buf["value"],
                      buf["player"], buf["row"], buf["offsets"], buf["actions"], logits, values)
        return [int(x) for x in ran]

    def _python_step(self, trees: list[int], counts: list[int], schedule: np.ndarray,
                     done: np.ndarray) -> list[int]:
        """One step: select leaves in every tree, ONE evaluator call, expand and back up.
        Returns the number of leaves (simulations) each tree completed."""
        if self.compiled_leaves:
            return self._compiled_step(trees, counts, schedule, done)
        self._ensure_nodes(trees, max(counts))
        t = self.tree
        out = np.full((len(trees), max(counts)), -1, np.int32)
        select_batch(t, np.asarray(trees, np.int32), np.asarray(counts, np.int32), self._params, schedule,
                     done, self._scratch, out)
        leaf_tree, leaf_node, kind, leaf_value, leaf_player, eval_row = [], [], [], [], [], []
        offsets, legal_lists, to_eval = [0], [], []
        seen: dict[tuple[int, int], int] = {}
        ran = []
        for i, b in enumerate(trees):
            row = out[i, :counts[i]]
            ran.append(int((row >= 0).sum()))
            for node in row[row >= 0]:
                node = int(node)
                leaf_tree.append(b)
                leaf_node.append(node)
                legal = np.zeros(0, np.int32)
                if not np.isnan(t.terminal_value[b, node]):
                    entry = (0, 0.0, 0, -1)
                elif (b, node) in seen:
                    entry = (2, 0.0, 0, seen[(b, node)])
                else:
                    state = self._replay(b, node)
                    if state.is_terminal():
                        parent = int(t.parent[b, node])
                        mover = int(t.player[b, parent]) if parent >= 0 else 0
                        entry = (1, float(state.returns()[mover]), 0, -1)
                    else:
                        legal = state.legal_actions().astype(np.int32)
                        seen[(b, node)] = len(to_eval)
                        entry = (2, 0.0, int(state.current_player), len(to_eval))
                        to_eval.append(state)
                kind.append(entry[0])
                leaf_value.append(entry[1])
                leaf_player.append(entry[2])
                eval_row.append(entry[3])
                legal_lists.append(legal)
                offsets.append(offsets[-1] + len(legal))
        logits, values = self._evaluate(to_eval)
        for i, k in enumerate(kind):
            if k == 2:
                leaf_value[i] = float(values[eval_row[i]])
        self._ensure_edges(leaf_tree, legal_lists)
        finish_batch(self.tree, np.asarray(leaf_tree, np.int32), np.asarray(leaf_node, np.int32), self._params,
                     np.asarray(kind, np.int32), np.asarray(leaf_value, np.float64),
                     np.asarray(leaf_player, np.int32), np.asarray(eval_row, np.int32),
                     np.asarray(offsets, np.int64),
                     np.concatenate(legal_lists) if legal_lists else np.zeros(0, np.int32), logits)
        return ran

    def _replay(self, b: int, node: int) -> State:
        """The state at ``node``: the root state with the path's actions applied (legality known)."""
        parents, actions = self.tree.parent[b], self.tree.action[b]
        path = []
        while parents[node] >= 0:
            path.append(int(actions[node]))
            node = int(parents[node])
        state = self._roots[b].copy()  # type: ignore[union-attr]
        for action in reversed(path):
            state.apply_unchecked(action)
        return state

    def _evaluate(self, states: list[State]) -> tuple[np.ndarray, np.ndarray]:
        if not states:
            return np.zeros((1, self.num_actions), np.float32), np.zeros(0, np.float32)
        self.evaluator_calls += 1
        if isinstance(self.evaluator, StateEvaluator):
            logits, values = self.evaluator.evaluate_states(states)
        else:
            obs = np.stack([s.observation() for s in states]).astype(np.float32, copy=False)
            mask = np.stack([s.legal_action_mask() for s in states])
            logits, values = self.evaluator(obs, mask)
        logits = np.asarray(logits, np.float32).reshape(len(states), self.num_actions)
        values = np.asarray(values, np.float32).reshape(len(states))
        return logits, values

    # ----- capacity -------------------------------------------------------------------------------
    def _ensure_nodes(self, trees: list[int], extra: int) -> None:
        t = self.tree
        need = int(t.node_count[trees].max()) + extra
        cap = t.parent.shape[1]
        if need <= cap or cap >= self.config.max_nodes:
            return
        new_cap = min(self.config.max_nodes, max(need, 2 * cap))
        edges = max(t.edge_action.shape[1], new_cap * self._edges_per_node)
        self.tree = grow(t, new_cap, edges)

    def _ensure_edges(self, leaf_tree: list[int], legal_lists: list[np.ndarray]) -> None:
        t = self.tree
        need_by_tree: dict[int, int] = {}
        for b, legal in zip(leaf_tree, legal_lists):
            need_by_tree[b] = need_by_tree.get(b, 0) + len(legal)
        need = max((int(t.edge_count[b]) + n for b, n in need_by_tree.items()), default=0)
        cap = t.edge_action.shape[1]
        if need > cap:
            self.tree = grow(t, t.parent.shape[1], max(need, 2 * cap))
