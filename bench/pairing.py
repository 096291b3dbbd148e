"""Mock-interview matching: one round for 10,000 members with 52 rounds of history (target: under 2 s).

Run: ``.venv/bin/python -m bench.pairing [--members 10000] [--history 52] [--repeat 5] [--seed 1]``.

Pure CPU work in this process, no database or fake Discord. Members get a track (the question bank's
tracks), a level and an availability typed the way members type it ("weekday evenings", ...), parsed in
one of several timezones into UTC hours of the week; 5% of them avoid 1-5 others. The history is
simulated, not synthesised: ``match`` runs round after round, each time with the pairs of the last 8
rounds as ``recent`` (as ``bot.services.mock.rounds`` passes them). The measured round is the next one,
timed ``--repeat`` times, beside ``greedy_baseline`` on the same input in the same run. Exits 0 when
every measured round of ``match`` took under 2 s, 1 otherwise.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Collection, Sequence
from functools import cache
from zoneinfo import ZoneInfo

from bot.services.mock.availability import parse_availability
from bot.services.mock.pairing import Candidate, Matching, greedy_baseline, match
from bot.services.questions.schema import TRACKS

TARGET_S = 2.0
RECENT_ROUNDS = 8
LEVEL_WEIGHTS = {"junior": 4, "mid": 4, "senior": 2}
WINDOWS = ("weekday evenings", "weekend mornings", "weekday evenings, weekend mornings", "anytime",
           "mon-fri 18-21, sat 9-12", "weekend afternoons", "tue-thu 19-22", "mon-fri 7-9", "weekday mornings",
           "sat-sun 14-18")  # fmt: skip
ZONES = ("UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata",
         "Asia/Singapore", "Australia/Sydney")  # fmt: skip
Pairs = set[frozenset[int]]
Matcher = Callable[..., Matching]


@cache
def slots(window: str, zone: str) -> frozenset[str]:
    """Return a typed availability as the abstract slots the matcher compares (UTC hours of the week)."""
    return frozenset(str(hour) for hour in parse_availability(window, ZoneInfo(zone)))


def members(count: int, rng: random.Random) -> tuple[list[Candidate], Pairs]:
    """Return opted-in members and their avoided pairs."""
    levels, weights = list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values())
    cands = [Candidate(10_000_000 + k, rng.choice(TRACKS), rng.choices(levels, weights)[0],
                       slots(rng.choice(WINDOWS), rng.choice(ZONES))) for k in range(count)]  # fmt: skip
    ids = [c.user_id for c in cands]
    avoiders = [u for u in ids if rng.random() < 0.05]
    avoid = {frozenset({u, v}) for u in avoiders for v in rng.sample(ids, rng.randint(1, 5)) if u != v}
    return cands, avoid


def group_pairs(result: Matching) -> Pairs:
    """Return every pair that met in a round (the 3 pairs of a trio included)."""
    return {frozenset(p) for g in result.groups for p in itertools.combinations(g.members, 2)}


def simulate(cands: Sequence[Candidate], avoid: Pairs, rounds: int) -> tuple[list[Pairs], list[float]]:
    """Run ``rounds`` rounds of ``match``, each seeing the last 8; return each round's pairs and time."""
    history: list[Pairs] = []
    times: list[float] = []
    for number in range(rounds):
        recent = set().union(*history[-RECENT_ROUNDS:])
        started = time.perf_counter()
        result = match(cands, avoid=avoid, recent=recent, seed=number)
        times.append(time.perf_counter() - started)
        history.append(group_pairs(result))
    return history, times


def measure(
    matcher: Matcher, cands: Sequence[Candidate], avoid: Pairs, recent: Collection[frozenset[int]], seed: int,
    repeat: int,
) -> tuple[Matching, list[float]]:  # fmt: skip
    """Time ``repeat`` runs of one round on the same input; return the result and the times."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = matcher(cands, avoid=avoid, recent=recent, seed=seed)
        times.append(time.perf_counter() - started)
    assert result is not None
    return result, times


def describe(name: str, result: Matching, times: list[float], cands: Sequence[Candidate]) -> str:
    """Return one line of figures for a matcher."""
    by_id = {c.user_id: c for c in cands}
    pairs = [tuple(by_id[u] for u in p) for p in group_pairs(result)]
    same_level = sum(a.level == b.level for a, b in pairs) / len(pairs)
    shared = statistics.mean(len(a.availability & b.availability) for a, b in pairs)
    trios = sum(len(g.members) == 3 for g in result.groups)
    return (f"{name:<16} mean {statistics.mean(times):.3f} s  max {max(times):.3f} s  repeats {result.repeats:>4}  "
            f"same-track {result.same_track_pairs / result.pairs_total:6.2%}  same-level {same_level:6.2%}  "
            f"shared hours {shared:5.1f}  groups {len(result.groups)} (trios {trios})  "
            f"unpaired {len(result.unpaired)}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=52, help="rounds simulated before the measured one")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the measured round")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    print(f"cpus {os.cpu_count()}  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    rng = random.Random(args.seed)
    cands, avoid = members(args.members, rng)
    print(f"members {len(cands)}  tracks {len(TRACKS)}  avoided pairs {len(avoid)}")
    started = time.perf_counter()
    history, history_times = simulate(cands, avoid, args.history)
    recent = set().union(*history[-RECENT_ROUNDS:])
    repeats_in_history = sum(len(h & set().union(*history[max(0, k - RECENT_ROUNDS) : k]))
                             for k, h in enumerate(history))  # fmt: skip
    print(f"history: {args.history} rounds of match simulated in {time.perf_counter() - started:.1f} s "
          f"(per round mean {statistics.mean(history_times or [0]):.3f} s, max {max(history_times or [0]):.3f} s; "
          f"repeats over all of them {repeats_in_history}); recent pairs (last {RECENT_ROUNDS}) "
          f"{len(recent)}")  # fmt: skip

    seed = args.history
    ours, our_times = measure(match, cands, avoid, recent, seed, args.repeat)
    base, base_times = measure(greedy_baseline, cands, avoid, recent, seed, args.repeat)
    print(f"round {args.history + 1}, {args.repeat} timed runs each:")
    print(describe("match", ours, our_times, cands))
    print(describe("greedy_baseline", base, base_times, cands))

    ok = max(our_times) < TARGET_S and max(history_times or [0]) < TARGET_S
    print(f"target: one round under {TARGET_S:.0f} s (measured max {max(our_times):.3f} s, "
          f"history max {max(history_times or [0]):.3f} s) -> {'met' if ok else 'MISSED'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
