"""A pyabc sampler whose accepted particles depend only on the root seed, wherever it runs.

pyabc's own parallel samplers (multicore, mapping, Dask) reseed every worker from the operating
system and keep particles in the order they finish, so two runs never accept the same sets. This
sampler splits each generation into ``n`` tasks, one per particle to accept; task ``i`` of
generation ``t`` seeds numpy's and Python's global generators from ``(root_seed, t, i)`` and
samples until it accepts one particle. Results come back in task order, so the population is the
same in one process, in a local process pool, or on a Dask cluster.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from multiprocessing import get_context
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler

Mapper = Callable[[Callable[[int], Any], Iterable[int]], Iterable[Any]]
"""Something that works like the built-in ``map`` (results in the order of the inputs)."""
MAIN_STREAM = 0
"""Seed stream of the calibrating process itself (pyabc's draws outside the tasks, if any)."""
CHECK_STREAM = 1
"""Seed stream of the runs that check the posterior."""
GENERATION_OFFSET = 10
"""Generation ``t`` (pyabc numbers its calibration sample -1) draws from stream ``t + 10``."""


class TooManyRejections(RuntimeError):
    """A task tried its whole budget of simulations without accepting a particle."""


def stream_seed(root_seed: int, stream: int, index: int) -> int:
    """The 32-bit seed number ``index`` of a stream, drawn from ``(root_seed, stream, index)``."""
    sequence = np.random.SeedSequence([root_seed, stream, index])
    return int(sequence.generate_state(1)[0])


def accept_one(payload: bytes, root_seed: int, generation: int, max_tries: int, task: int) -> tuple[Any, int]:
    """Run one task: seed the global generators, then simulate until one particle is accepted.

    Args:
        payload: ``cloudpickle`` of ``(simulate_one, sample_factory)`` from pyabc.
        root_seed: The calibration's root seed.
        generation: pyabc's generation index ``t``.
        max_tries: Simulations allowed before giving up.
        task: The task's index within the generation.

    Returns:
        The task's sample (its accepted particle, plus rejected ones if pyabc records them) and the
        number of simulations it took.

    Raises:
        TooManyRejections: If no particle is accepted within ``max_tries`` simulations.
    """
    simulate_one, sample_factory = cloudpickle.loads(payload)
    seed = stream_seed(root_seed, generation + GENERATION_OFFSET, task)
    np.random.seed(seed)  # noqa: NPY002 (pyabc draws from numpy's global generator)
    random.seed(seed)
    sample = sample_factory()
    for tries in range(1, max_tries + 1):
        particle = simulate_one()
        sample.append(particle)
        if particle.accepted:
            return sample, tries
    raise TooManyRejections(
        f"generation {generation}: no particle accepted in {max_tries} simulations; "
        "loosen the targets' tolerances or stop at a larger epsilon"
    )


class SeededMapSampler(Sampler):
    """A pyabc sampler that accepts one particle per task, each task seeded from the root seed."""

    def __init__(self, root_seed: int, mapper: Mapper = map, max_tries: int = 100_000) -> None:
        """Set up the sampler.

        Args:
            root_seed: The calibration's root seed.
            mapper: A ``map`` over task indices: ``map``, a process pool's, or :func:`dask_mapper`'s.
            max_tries: Simulations one task may run before the calibration stops with an error.
        """
        super().__init__()
        self.root_seed = int(root_seed)
        self.mapper = mapper
        self.max_tries = int(max_tries)

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable,
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        """Sample one generation: ``n`` seeded tasks, each returning one accepted particle."""
        payload = cloudpickle.dumps((simulate_one, self.sample_factory))
        tries = self.max_tries if not np.isfinite(max_eval) else max(1, min(self.max_tries, int(max_eval)))
        work = partial(accept_one, payload, self.root_seed, t, tries)
        results = list(self.mapper(work, range(n)))
        sample = self._create_empty_sample()
        evaluations = 0
        for part, count in results:
            sample += part
            evaluations += count
        self.nr_evaluations_ = evaluations
        return sample


def dask_mapper(client: Any) -> Mapper:
    """A ``map`` that runs tasks on a ``dask.distributed`` client and returns results in order."""

    def mapper(function: Callable[[int], Any], items: Iterable[int]) -> list[Any]:
        futures = client.map(function, list(items), pure=False)
        return client.gather(futures)

    return mapper


@contextmanager
def local_mapper(workers: int) -> Iterator[Mapper]:
    """A ``map`` over a pool of ``workers`` processes (started fresh, not forked), or in this process for 1."""
    if workers <= 1:
        yield map
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        yield partial(pool.map, chunksize=1)
