"""Weighted k-means under the earth mover's distance between histograms, and 1-D k-means (numba).

A hand's *equity distribution* is a histogram over ``D`` equal-width equity bins. Between two such
histograms on a line the earth mover's distance is the L1 distance between their cumulative
distributions (times the bin width), so points are stored as CDFs ``[n, D]`` and k-means assigns each
point to the centroid nearest in L1; a centroid is the weighted mean of its points' CDFs (itself a CDF).
This is the distribution-aware clustering of Johanson et al. 2013 ("Evaluating state-space abstractions
in extensive-form games"). Initial centroids come from k-means++ (D-weighted sampling); the random
numbers are drawn by the caller's seed, so a fit is reproducible.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from search.cfr.rng import stream, uniform


@njit(cache=True)
def emd(a: np.ndarray, b: np.ndarray, bound: float) -> float:
    """L1 distance between two CDFs ``[D]``; stops early (returning a value >= ``bound``) once past it."""
    total = 0.0
    for j in range(a.shape[0]):
        total += abs(a[j] - b[j])
        if total >= bound:
            return total
    return total


@njit(cache=True)
def nearest(point: np.ndarray, centroids: np.ndarray) -> int:
    """Index of the centroid ``[K, D]`` nearest to ``point`` ``[D]`` in L1 (first on ties)."""
    best = 0
    best_d = np.inf
    for c in range(centroids.shape[0]):
        d = emd(point, centroids[c], best_d)
        if d < best_d:
            best_d = d
            best = c
    return best


@njit(cache=True, parallel=True)
def assign(points: np.ndarray, centroids: np.ndarray, out: np.ndarray) -> None:
    """``out [n]``: nearest centroid of every point ``[n, D]`` (parallel over points)."""
    for i in prange(points.shape[0]):
        out[i] = nearest(points[i], centroids)


@njit(cache=True)
def _plus_plus(points: np.ndarray, weights: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k-means++ initial centroids ``[k, D]``: each next centroid drawn with probability proportional to
    weight times the distance to the nearest centroid chosen so far."""
    n, dims = points.shape
    state = stream(seed, 0)
    centroids = np.empty((k, dims), dtype=points.dtype)
    total = weights.sum()
    r = uniform(state) * total
    first = 0
    acc = 0.0
    for i in range(n):
        acc += weights[i]
        if acc > r:
            first = i
            break
    centroids[0] = points[first]
    dist = np.empty(n)
    for i in range(n):
        dist[i] = emd(points[i], centroids[0], np.inf)
    for c in range(1, k):
        total = 0.0
        for i in range(n):
            total += weights[i] * dist[i]
        pick = n - 1
        if total > 0.0:
            r = uniform(state) * total
            acc = 0.0
            for i in range(n):
                acc += weights[i] * dist[i]
                if acc > r:
                    pick = i
                    break
        centroids[c] = points[pick]
        for i in range(n):
            d = emd(points[i], centroids[c], dist[i])
            if d < dist[i]:
                dist[i] = d
    return centroids


@njit(cache=True, parallel=True)
def kmeans_emd(points: np.ndarray, weights: np.ndarray, k: int, iterations: int, seed: int) -> tuple[np.ndarray, float]:
    """Weighted k-means of CDFs ``points [n, D]`` (float32) with ``weights [n]``; returns (centroids
    ``[k, D]`` float32, weighted mean EMD of the points to their centroids). Lloyd iterations stop early
    when no assignment changes; an emptied cluster is re-seeded with the point farthest from its centroid."""
    n, dims = points.shape
    centroids = _plus_plus(points, weights, k, seed)
    labels = np.full(n, -1, dtype=np.int64)
    sums = np.zeros((k, dims))
    mass = np.zeros(k)
    for _ in range(iterations):
        changed = 0
        for i in prange(n):
            c = nearest(points[i], centroids)
            if c != labels[i]:
                changed += 1
                labels[i] = c
        sums[:] = 0.0
        mass[:] = 0.0
        for i in range(n):
            sums[labels[i]] += weights[i] * points[i]
            mass[labels[i]] += weights[i]
        for c in range(k):
            if mass[c] > 0.0:
                centroids[c] = sums[c] / mass[c]
            else:
                far, far_d = 0, -1.0
                for i in range(n):
                    d = emd(points[i], centroids[labels[i]], np.inf)
                    if d > far_d:
                        far, far_d = i, d
                centroids[c] = points[far]
        if changed == 0:
            break
    cost = 0.0
    for i in prange(n):
        cost += weights[i] * emd(points[i], centroids[nearest(points[i], centroids)], np.inf)
    return centroids, cost / max(weights.sum(), 1e-300)


@njit(cache=True)
def kmeans_1d(values: np.ndarray, weights: np.ndarray, k: int, iterations: int) -> np.ndarray:
    """Weighted 1-D k-means (Lloyd) of ``values [n]`` (sorted increasing, e.g. the levels of a histogram)
    with ``weights [n]``; returns the k centres, increasing, started at the weighted quantiles."""
    total = weights.sum()
    centres = np.empty(k)
    acc = 0.0
    c = 0
    for i in range(values.shape[0]):
        acc += weights[i]
        while c < k and acc >= (c + 0.5) * total / k:
            centres[c] = values[i]
            c += 1
    while c < k:
        centres[c] = values[-1]
        c += 1
    for _ in range(iterations):
        sums = np.zeros(k)
        mass = np.zeros(k)
        j = 0
        for i in range(values.shape[0]):
            while j + 1 < k and abs(values[i] - centres[j + 1]) < abs(values[i] - centres[j]):
                j += 1
            sums[j] += weights[i] * values[i]
            mass[j] += weights[i]
        moved = 0.0
        for j in range(k):
            if mass[j] > 0.0:
                new = sums[j] / mass[j]
                moved = max(moved, abs(new - centres[j]))
                centres[j] = new
        centres.sort()
        if moved < 1e-12:
            break
    return centres
