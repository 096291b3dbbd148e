"""Mock-interview matching: pure, deterministic for a seed, no database and no Discord.

Rules, in priority order (issue 7):

1. An avoided pair is never in the same group (nor any of the three pairs of a trio).
2. Place as many members as possible: pairs, plus exactly one trio when the number placed is odd.
   A member stays unpaired only when avoids make placing them impossible.
3. Among those, the fewest repeats: pairs that met in the last 8 rounds (each pair of a trio counts).
4. Among those, the highest total pair score (``pair_score``): same track, then close level, then
   shared availability slots.
5. The seed shuffles the members: it breaks ties and sets the interview order inside each group.

What is exact and what is heuristic:

- Pools of up to ``EXACT_LIMIT`` (16) members are solved exactly (``solve_exact``: dynamic programming
  over subsets, about 70 ms at 16): the lexicographic optimum of (placed, repeats, score).
- Larger pools use ``pairing_large.solve_large`` (its docstring lists the steps). Exact there: the avoid
  rule (a hard constraint); the pairs are a maximum-cardinality matching of the non-avoided pairs
  (Edmonds' blossom augmenting paths with a lazy neighbour scan, so the dense graph is never built);
  and that matching uses no repeat at all whenever a repeat-free matching of the same size exists (the
  repeat-free graph is matched to maximum cardinality first). Heuristic there: the number of repeats
  when some are unavoidable; the trio (the odd member joins the pair adding the fewest repeats; only
  when every pair would add one, pools of up to 60 members search every triangle, within a budget, so
  beyond that a deeper rearrangement that avoids the trio's repeat, or places one more member in a
  contrived avoid structure, can be missed); and the score (greedy over a window of similar members,
  then 2-swaps).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.services.mock.pairing_large import solve_large
from bot.services.mock.pairing_search import LEVELS, Pool

__all__ = [
    "EXACT_LIMIT",
    "LEVELS",
    "Candidate",
    "Group",
    "Matching",
    "greedy_baseline",
    "match",
    "pair_score",
    "solve_exact",
]

EXACT_LIMIT = 16
BASELINE_LOOKAHEAD = 64
# Objective weights of the exact solver: one member placed outweighs every repeat, one repeat every score.
_UNPLACED_COST = 1 << 40
_REPEAT_COST = 1 << 20


@dataclass(frozen=True)
class Candidate:
    """A member to place: track, level (junior, mid, senior) and abstract availability slots."""

    user_id: int
    track: str
    level: str
    availability: frozenset[str]


@dataclass(frozen=True)
class Group:
    """A pair or trio in interview order (A interviews B first; a trio rotates A→B→C→A).

    The order follows the seeded shuffle; ``repeats`` counts the pairs inside that met in the last 8 rounds.
    """

    members: tuple[int, ...]
    repeats: int


@dataclass(frozen=True)
class Matching:
    """A round's groups and members left unpaired, with counts over the pairs inside groups.

    ``pairs_total`` counts member pairs inside groups (a trio holds 3); ``repeats`` and
    ``same_track_pairs`` count among those.
    """

    groups: tuple[Group, ...]
    unpaired: tuple[int, ...]
    repeats: int
    same_track_pairs: int
    pairs_total: int


def pair_score(a: Candidate, b: Candidate) -> int:
    """Return how well two members fit (same track, then close level, then shared slots)."""
    return Pool.from_candidates([a, b], avoid=(), recent=(), seed=0).score(0, 1)


def match(
    candidates: Sequence[Candidate],
    *,
    avoid: Collection[frozenset[int]],
    recent: Collection[frozenset[int]],
    seed: int,
) -> Matching:
    """Group the members for one round (the rules and guarantees are in the module docstring)."""
    pool = Pool.from_candidates(candidates, avoid=avoid, recent=recent, seed=seed)
    groups = solve_exact(pool) if pool.n <= EXACT_LIMIT else solve_large(pool)
    return _result(pool, groups)


def greedy_baseline(
    candidates: Sequence[Candidate],
    *,
    avoid: Collection[frozenset[int]],
    recent: Collection[frozenset[int]],
    seed: int,
) -> Matching:
    """Pair neighbours after sorting by track and level, skipping avoided pairs (a benchmark reference).

    Recent pairs are ignored; a leftover member joins the first pair it avoids nobody in.
    """
    pool = Pool.from_candidates(candidates, avoid=avoid, recent=recent, seed=seed)
    order = sorted(range(pool.n), key=lambda i: (pool.track[i], pool.level[i], i))
    placed = [False] * pool.n
    groups: list[tuple[int, ...]] = []
    leftovers: list[int] = []
    for pos, a in enumerate(order):
        if placed[a]:
            continue
        partner = next((b for b in order[pos + 1 : pos + 1 + BASELINE_LOOKAHEAD]
                        if not placed[b] and b not in pool.avoid[a]), None)  # fmt: skip
        if partner is None:
            leftovers.append(a)
            continue
        placed[a] = placed[partner] = True
        groups.append((a, partner))
    for f in leftovers:
        host = next((k for k, g in enumerate(groups) if len(g) == 2 and not (pool.avoid[f] & set(g))), None)
        if host is not None:
            groups[host] += (f,)
            break
    return _result(pool, groups)


def solve_exact(pool: Pool) -> list[tuple[int, ...]]:
    """Return the optimal groups of a small pool (dynamic programming over subsets, at most one trio)."""
    n = pool.n
    cost = [[_REPEAT_COST * (j in pool.recent[i]) - pool.score(i, j) for j in range(n)] for i in range(n)]
    allowed = [sum(1 << j for j in range(n) if j != i and j not in pool.avoid[i]) for i in range(n)]
    size = 1 << n
    best = [0] * size
    choice = [-1] * size  # partner of the lowest member, or -1 when it stays unpaired
    for mask in range(1, size):
        low = mask & -mask
        i = low.bit_length() - 1
        rest = mask ^ low
        value, pick = _UNPLACED_COST + best[rest], -1
        options = rest & allowed[i]
        row = cost[i]
        while options:
            bit = options & -options
            options ^= bit
            j = bit.bit_length() - 1
            candidate = row[j] + best[rest ^ bit]
            if candidate < value:
                value, pick = candidate, j
        best[mask], choice[mask] = value, pick
    full = size - 1
    value, trio = best[full], None
    for i in range(n):
        for j in range(i + 1, n):
            if not allowed[i] >> j & 1:
                continue
            for k in range(j + 1, n):
                if allowed[i] >> k & 1 and allowed[j] >> k & 1:
                    candidate = cost[i][j] + cost[i][k] + cost[j][k] + best[full ^ (1 << i | 1 << j | 1 << k)]
                    if candidate < value:
                        value, trio = candidate, (i, j, k)
    groups: list[tuple[int, ...]] = []
    mask = full
    if trio is not None:
        groups.append(trio)
        mask ^= 1 << trio[0] | 1 << trio[1] | 1 << trio[2]
    while mask:
        low = mask & -mask
        i, j = low.bit_length() - 1, choice[mask]
        mask ^= low
        if j >= 0:
            mask ^= 1 << j
            groups.append((i, j))
    return groups


def _result(pool: Pool, groups: list[tuple[int, ...]]) -> Matching:
    """Turn index groups into a Matching: members in seeded order, counts, unpaired members by id."""
    built: list[Group] = []
    placed: set[int] = set()
    repeats = same_track = pairs_total = 0
    for raw in sorted(tuple(sorted(g)) for g in groups):
        pairs = [(a, b) for k, a in enumerate(raw) for b in raw[k + 1 :]]
        group_repeats = sum(b in pool.recent[a] for a, b in pairs)
        repeats += group_repeats
        same_track += sum(pool.track[a] == pool.track[b] for a, b in pairs)
        pairs_total += len(pairs)
        placed.update(raw)
        built.append(Group(tuple(pool.ids[i] for i in raw), group_repeats))
    unpaired = tuple(sorted(pool.ids[i] for i in range(pool.n) if i not in placed))
    return Matching(tuple(built), unpaired, repeats, same_track, pairs_total)
