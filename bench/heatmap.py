"""Heat-map rendering: time ``render_heatmap`` on random 12-week maps (target: under 50 ms per image).

Run: ``.venv/bin/python -m bench.heatmap [--images 200] [--seed 1]``.

Pure CPU work in this process, no database or fake Discord. The first render (which loads the
built-in font) is reported apart from the measured images.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from bot.render.heatmap import render_heatmap

WEEKS = 12
TARGET_MS = 50.0
STATUSES = ("answered", "frozen", "missed")


def random_map(rng: random.Random) -> tuple[dict[dt.date, str], dt.date]:
    """Return a member's random prompt days over 12 weeks and the map's end date."""
    end = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(730))
    start = end - dt.timedelta(days=end.weekday(), weeks=WEEKS - 1)
    prompt_rate = rng.choice((1.0, 0.9, 5 / 7, 0.5))
    answer_rate = rng.random()
    days: dict[dt.date, str] = {}
    for i in range((end - start).days + 1):
        if rng.random() < prompt_rate:
            weights = (answer_rate, 0.05, 1 - answer_rate)
            days[start + dt.timedelta(days=i)] = rng.choices(STATUSES, weights)[0]
    if end in days and rng.random() < 0.5:
        days[end] = "open"
    return days, end


def percentile(sorted_values: list[float], q: float) -> float:
    """Return the nearest-rank percentile of already sorted values."""
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    maps = [random_map(rng) for _ in range(args.images)]

    t0 = time.perf_counter()
    warm_days, warm_end = maps[0]
    render_heatmap(warm_days, end=warm_end, title="warm-up · last 12 weeks")
    first_ms = (time.perf_counter() - t0) * 1000

    times: list[float] = []
    sizes: list[int] = []
    for n, (days, end) in enumerate(maps):
        title = f"member{n} · last 12 weeks" if n % 2 else None
        t0 = time.perf_counter()
        png = render_heatmap(days, end=end, weeks=WEEKS, title=title)
        times.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(png))

    times.sort()
    p99 = percentile(times, 99)
    print(f"heat map rendering, {len(times)} random {WEEKS}-week maps")
    print(f"  first render (loads the font): {first_ms:.1f} ms")
    print(
        f"  per image: mean {statistics.fmean(times):.1f} ms, p50 {percentile(times, 50):.1f} ms, "
        f"p99 {p99:.1f} ms, max {times[-1]:.1f} ms"
    )
    print(
        f"  PNG size: {min(sizes) / 1024:.1f} to {max(sizes) / 1024:.1f} KB "
        f"(mean {statistics.fmean(sizes) / 1024:.1f} KB)"
    )
    print(f"  target p99 < {TARGET_MS:.0f} ms: {'met' if p99 < TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
