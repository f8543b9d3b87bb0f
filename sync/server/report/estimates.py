"""Weighted estimates and their 95 % confidence intervals by a seeded bootstrap.

Every estimate is weighted by the households' sample weights (1 each by default). The
intervals resample households with replacement (the household is the sampling unit),
keeping each drawn household's weight, REPLICATES times, and take the 2.5th and 97.5th
percentiles of the replicates' estimates. The generator is seeded from the report's seed
and the group's name, so a report is the same on every run and in any group order.

The resampling is vectorised: a block of replicates is a matrix of draw counts (replicate
× household), so a replicate's weighted mean is one matrix product and its weighted median
one cumulative sum over households sorted once. Blocks are bounded by CELLS so a group of
100,000 households costs a few MB, never the whole matrix at once.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

REPLICATES = 200
CELLS = 500_000
"""Replicate × household cells per block (2 MB of float32 per copy)."""
SEED = 16

Array = NDArray[np.float64]


class Estimate(BaseModel):
    """A weighted estimate with its bootstrap 95 % interval [low, high]."""

    model_config = ConfigDict(frozen=True)

    value: float
    ci95: tuple[float, float]


def weighted_median(values: Array, weights: Array) -> float:
    """The value where the cumulative weight (values in order) reaches half the total; when
    it reaches exactly half at a value, the mean of that value and the next (as the plain
    median of an even count)."""
    if weights.min() == weights.max():  # equal weights: the plain median, in linear time
        return float(np.median(values))
    order = np.argsort(values, kind="stable")
    ranked, cumulative = values[order], np.cumsum(weights[order])
    half = cumulative[-1] / 2
    i = int(np.searchsorted(cumulative, half - 1e-9 * cumulative[-1]))
    if abs(cumulative[i] - half) <= 1e-9 * cumulative[-1] and i + 1 < len(ranked):
        return float((ranked[i] + ranked[i + 1]) / 2)
    return float(ranked[i])


def dot(values: Array, weights: Array) -> float:
    """Σ values × weights without BLAS (whose threads fight the server's for a 1-D product)."""
    return float(np.einsum("i,i->", values, weights))


def weighted_mean(values: Array, weights: Array) -> float:
    return dot(values, weights) / float(weights.sum())


def _medians(cumulative: NDArray[np.float32], values: Array) -> Array:
    """Per replicate (a row of cumulative weights over `values` in order), the first value
    where the cumulative weight reaches half of the replicate's total."""
    index = [int(np.searchsorted(row, row[-1] / 2)) for row in cumulative]
    return np.asarray(values[np.minimum(index, len(values) - 1)], dtype=np.float64)


def rng_for(name: str, seed: int = SEED) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def bootstrap(
    weights: Array,
    means: dict[str, Array],
    medians: dict[str, Array],
    rng: np.random.Generator,
    replicates: int = REPLICATES,
) -> dict[str, tuple[float, float]]:
    """The 95 % interval of each weighted mean and weighted median, by name."""
    n = len(weights)
    lead = next(iter(medians))
    ranked = np.argsort(medians[lead], kind="stable")  # draws counted in its order: no gather
    equal = bool(weights.min() == weights.max())  # then the draw counts are the weights
    weights = weights[ranked].astype(np.float32)
    means = {name: v[ranked] for name, v in means.items()}
    medians = {name: v[ranked] for name, v in medians.items()}
    orders = {name: np.argsort(v, kind="stable") for name, v in medians.items()}
    found: dict[str, list[Array]] = {name: [] for name in [*means, *medians]}
    block = max(1, min(replicates, CELLS // max(n, 1)))
    for start in range(0, replicates, block):
        size = min(block, replicates - start)
        counts = np.empty((size, n), dtype=np.float32)
        for row in counts:
            row[:] = np.bincount(rng.integers(0, n, size=n), minlength=n)
        if not equal:
            counts *= weights
        total = counts.sum(axis=1, dtype=np.float64)
        for name, values in means.items():
            found[name].append(np.einsum("ij,j->i", counts, values) / total)
        for name, values in medians.items():
            order = orders[name]
            in_order = counts if name == lead else counts[:, order]
            found[name].append(_medians(np.cumsum(in_order, axis=1), values[order]))
    intervals = {}
    for name, parts in found.items():
        low, high = np.percentile(np.concatenate(parts), [2.5, 97.5])
        intervals[name] = (float(low), float(high))
    return intervals
