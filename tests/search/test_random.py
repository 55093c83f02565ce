"""Random's per-run seeding: reseeding in place draws exactly what a new generator would."""
from detsim.search import Random, run_rng
from detsim.search._random import reseed


def test_reseed_matches_a_fresh_generator_for_many_seeds_and_runs():
    generator = run_rng("random", 0, 0)
    for seed in (0, 1, 42, -7, 10**30):
        for run in (0, 1, 2, 99, 12345):
            generator.gauss(0, 1)  # leaves a cached gauss value behind: reseed must drop it
            reseed(generator, "random", seed, run)
            fresh = run_rng("random", seed, run)
            assert [generator.random() for _ in range(20)] == [fresh.random() for _ in range(20)]
            assert generator.gauss(0, 1) == fresh.gauss(0, 1)


def test_random_strategy_draws_per_run_independent_of_earlier_runs():
    strategy = Random(5)
    strategy.begin(3)
    later_first = [strategy._random() for _ in range(10)]
    other = Random(5)
    for run in range(3):
        other.begin(run)
        other._random()
    other.begin(3)
    assert [other._random() for _ in range(10)] == later_first
    assert later_first == [run_rng("random", 5, 3).random() for _ in range(1)] + later_first[1:]
    assert later_first[0] != run_rng("random", 5, 4).random()
