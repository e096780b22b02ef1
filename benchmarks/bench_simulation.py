"""Benchmark: the cost of one step of `analysis.simulation.simulate`.

Run with ``.venv/bin/python benchmarks/bench_simulation.py``. It prints,
for a few batch shapes (runs x coordinates), the time per step and the
throughput in coordinate-steps per second, for AdaBelief on a stationary
Gaussian gradient stream inside a box (projection included). The numbers
depend on the machine; they are not asserted anywhere.
"""

from __future__ import annotations

import timeit

import numpy as np

from analysis.optimizers import AdaBelief
from analysis.problems import Normal, OnlineLinear
from analysis.projections import Box
from analysis.simulation import simulate

SHAPES = [(1, 1), (1, 100), (100, 1), (100, 100), (10_000, 1), (1_000, 100)]
STEPS = 2_000


def time_per_step(runs: int, dim: int) -> float:
    """Best-of-three seconds per step for ``runs`` x ``dim``."""
    problem = OnlineLinear(Normal(0.1, 1.0, dim=dim))
    box = Box(-1.0, 1.0, dim=dim)

    def run() -> None:
        simulate(AdaBelief(1e-2), problem, np.zeros(dim), STEPS, runs=runs, domain=box)

    return min(timeit.repeat(run, number=1, repeat=3)) / STEPS


def main() -> None:
    """Print the table."""
    print(f"{'runs':>7} {'d':>5} {'us/step':>9} {'Mcoord-steps/s':>15}")
    for runs, dim in SHAPES:
        seconds = time_per_step(runs, dim)
        rate = runs * dim / seconds / 1e6
        print(f"{runs:>7} {dim:>5} {seconds * 1e6:>9.1f} {rate:>15.2f}")


if __name__ == "__main__":
    main()
