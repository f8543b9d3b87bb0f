"""The 95 % intervals of several scenarios' share below and gap over one group, from one set
of bootstrap draws.

The report's intervals (`estimates.bootstrap`) resample a group's households in the order of
their report income, from a stream seeded by the group's name. Every scenario of a group is
resampled with those same draws, so a scenario without change has the report's intervals
exactly, and the draws, the costly part, are made once for all the scenarios of a run rather
than once per scenario. With equal weights (the usual case) a replicate's share below is its
count of drawn households below ÷ n and its median shortfall the first shortfall, in order,
whose cumulative count reaches half of n: the same integers and the same selections as the
report's matrices, so the same figures. Unequal weights go through `estimates.bootstrap`
once per scenario, from a fresh stream of the same seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sync.server.report.estimates import REPLICATES, SEED, Array, bootstrap, rng_for

Interval = tuple[float, float]


def _interval(values: Array) -> Interval:
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def intervals(
    weights: Array,
    income: Array,
    below: Sequence[Array],
    shortfall: Sequence[Array],
    name: str,
    seed: int = SEED,
    replicates: int = REPLICATES,
) -> list[tuple[Interval, Interval]]:
    """Per scenario (the k-th `below` and `shortfall`): the intervals of the share below (a
    fraction) and of the median shortfall; `income` is the group's report income."""
    if weights.min() != weights.max():
        found = []
        for b, s in zip(below, shortfall, strict=True):
            ci = bootstrap(weights, {"below": b}, {"median": income, "gap": s}, rng_for(name, seed))
            found.append((ci["below"], ci["gap"]))
        return found
    rng, n = rng_for(name, seed), len(weights)
    ranked = np.argsort(income, kind="stable")
    belows = [b[ranked].astype(np.float32) for b in below]
    shorts = [s[ranked] for s in shortfall]
    orders = [np.argsort(s, kind="stable") for s in shorts]
    ordered = [s[o] for s, o in zip(shorts, orders, strict=True)]
    shares = np.empty((len(belows), replicates))
    gaps = np.empty((len(belows), replicates))
    for r in range(replicates):
        counts = np.bincount(rng.integers(0, n, size=n), minlength=n).astype(np.float32)
        for k, order in enumerate(orders):
            shares[k, r] = float(np.dot(counts, belows[k])) / n
            cumulative = np.cumsum(counts[order])
            at = int(np.searchsorted(cumulative, cumulative[-1] / 2))
            gaps[k, r] = ordered[k][min(at, n - 1)]
    return [(_interval(shares[k]), _interval(gaps[k])) for k in range(len(belows))]
