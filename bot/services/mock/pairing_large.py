"""The heuristic behind ``pairing.match`` for pools too big to solve exactly.

Steps (``solve_large``):

1. Greedy by score over candidate pairs that are neither avoided nor recent: each member's next
   ``WINDOW`` members in (track, level, availability) order, so the n² pair list is never built; then
   the leftovers are paired greedily among themselves.
2. Edmonds augmenting paths make that matching maximum in the repeat-free graph (``mate0``), then
   maximum in the graph of all non-avoided pairs: repeats enter only where cardinality needs them.
3. The odd member (or one of the members the matching cannot place) joins a pair as the trio: the pair
   adding the fewest repeats, then the most score. When every such pair adds a repeat and the pool has
   at most ``TRIANGLE_LIMIT`` members, every allowed triangle is tried as the trio (best first), the
   rest re-matched from ``mate0`` by augmenting paths, within ``TRIANGLE_BUDGET`` evaluations.
4. Each repeat pair is undone when its members can be re-placed through repeat-free augmenting paths.
5. 2-swaps remove repeats or raise the score of pairs across track or level: with the pairs of
   neighbouring members, then with the other pairs across tracks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from bot.services.mock.pairing_search import LEVEL_WEIGHT, TOP_SCORE, TRACK_WEIGHT, Cost, Pool, augment, augment_all

WINDOW = 10  # a member's candidate partners: the next WINDOW members in (track, level, availability) order
ALL_PAIRS_LIMIT = 400  # leftovers up to this many are paired greedily over all their pairs
SWAP_LIMIT = 200  # members of pairs across tracks: up to this many, each tries the others' pairs in 2-swaps
TRIANGLE_LIMIT = 60  # pools up to this size search every triangle for the trio when needed
TRIANGLE_BUDGET = 1500  # triangle evaluations at most
TRIANGLE_PATIENCE = 30  # evaluations without improvement once the best placement is reached

Key = tuple[int, int, int]  # (-placed, repeats, -score) of a whole round: smaller is better


def solve_large(pool: Pool) -> list[tuple[int, ...]]:
    """Return the groups of a pool of any size (see ``pairing``'s docstring for the guarantees)."""
    n = pool.n
    mate = [-1] * n
    order = sorted(range(n), key=lambda i: (pool.track[i], pool.level[i], sorted(pool.slots[i]), i))
    _greedy(mate, _window_edges(pool, order, WINDOW), n)
    placeable = {i for i in range(n) if len(pool.avoid[i]) < n - 1}
    free = {i for i in placeable if mate[i] < 0}
    _greedy(mate, _leftover_edges(pool, [i for i in order if i in free]), n)
    free = {i for i in free if mate[i] < 0}
    augment_all(mate, free, pool.forbid)
    mate0, free0 = mate.copy(), set(free)
    augment_all(mate, free, pool.avoid)
    trio: tuple[int, ...] = ()
    if free:
        trio, mate = _place_trio(pool, mate, free, (mate0, free0), order)
        free = {i for i in placeable if mate[i] < 0 and i not in trio}
    _repair(pool, mate, free)
    _improve(pool, mate, order)
    groups: list[tuple[int, ...]] = [(i, mate[i]) for i in range(n) if i < mate[i]]
    return [*groups, trio] if trio else groups


def _edge_key(pool: Pool, i: int, j: int) -> int:
    n = pool.n
    a, b = (i, j) if i < j else (j, i)
    return ((TOP_SCORE - pool.score(i, j)) * n + a) * n + b


def _window_edges(pool: Pool, order: list[int], width: int) -> list[int]:
    """Return sorted keys (best score first, then seeded index) of repeat-free pairs near in ``order``."""
    keys = []
    forbid = pool.forbid
    for p, i in enumerate(order):
        fi = forbid[i]
        keys += [_edge_key(pool, i, j) for j in order[p + 1 : p + 1 + width] if j not in fi]
    keys.sort()
    return keys


def _leftover_edges(pool: Pool, members: list[int]) -> list[int]:
    if len(members) > ALL_PAIRS_LIMIT:
        return _window_edges(pool, members, 4 * WINDOW)
    keys = [_edge_key(pool, i, j) for k, i in enumerate(members) for j in members[k + 1 :] if j not in pool.forbid[i]]
    keys.sort()
    return keys


def _greedy(mate: list[int], keys: Iterable[int], n: int) -> None:
    """Match the pairs of ``keys`` in order wherever both members are still free."""
    for key in keys:
        a, b = divmod(key % (n * n), n)
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a


def _repair(pool: Pool, mate: list[int], free: set[int]) -> None:
    """Undo each repeat pair whose two members can be re-placed through repeat-free augmenting paths."""
    for u in range(pool.n):
        v = mate[u]
        if v <= u or v not in pool.recent[u]:
            continue
        mate[u] = mate[v] = -1
        free.update((u, v))
        if any(augment(mate, root, pool.forbid, free - {root}) for root in (u, v)):
            free.difference_update([x for x in free if mate[x] >= 0])
        else:
            mate[u], mate[v] = v, u
            free.difference_update((u, v))


def _improve(pool: Pool, mate: list[int], order: list[int]) -> None:
    """Swap partners between two pairs when it removes a repeat or raises the score (2-swaps).

    Each weak pair (a repeat, or across track or level) tries the pairs of its members' neighbours in
    ``order``, then the pairs across tracks when at most ``SWAP_LIMIT`` members are in one.
    """
    position = {i: p for p, i in enumerate(order)}
    good = TRACK_WEIGHT + 2 * LEVEL_WEIGHT

    def weak(a: int) -> bool:
        b = mate[a]
        return b >= 0 and (pool.score(a, b) < good or b in pool.recent[a])

    weak_members = [a for a in order if weak(a)]
    across = [a for a in weak_members if pool.track[a] != pool.track[mate[a]]]
    others = across if len(across) <= SWAP_LIMIT else []
    for a in weak_members:
        if not weak(a):
            continue
        b = mate[a]
        near = [order[max(0, position[x] - WINDOW) : position[x] + WINDOW + 1] for x in (a, b)]
        for c in itertools.chain(*near, others):
            d = mate[c]
            if d < 0 or c in (a, b):
                continue
            old = _add(pool.cost(a, b), pool.cost(c, d))
            swap = next(((x, y) for x, y in ((c, d), (d, c)) if x not in pool.avoid[a] and y not in pool.avoid[b]
                         and _add(pool.cost(a, x), pool.cost(b, y)) < old), None)  # fmt: skip
            if swap:
                x, y = swap
                mate[a], mate[x], mate[b], mate[y] = x, a, y, b
                break


def _add(*costs: Cost) -> Cost:
    return sum(c[0] for c in costs), sum(c[1] for c in costs)


def _place_trio(
    pool: Pool, mate: list[int], free: set[int], start: tuple[list[int], set[int]], order: list[int]
) -> tuple[tuple[int, ...], list[int]]:
    """Return the trio and the matching around it (``start``: the repeat-free maximum matching)."""
    position = {i: p for p, i in enumerate(order)}
    direct: tuple[Cost, tuple[int, ...]] | None = None
    for f in sorted(free):
        p = position[f]
        for members in (order[max(0, p - WINDOW) : p + WINDOW + 1], range(pool.n)):
            host = _best_host(pool, mate, f, members)
            if host and (direct is None or host[0] < direct[0]):
                direct = (host[0], (f, *host[1]))
            if host and host[0][0] == 0:
                break
    best: tuple[Key, tuple[int, ...], list[int]] = (_total(pool, mate, ()), (), mate)
    if direct:
        trio = direct[1]
        after = _without(mate, trio)
        if direct[0][0] == 0:
            return trio, after
        best = min(best, (_total(pool, after, trio), trio, after))
    if pool.n <= TRIANGLE_LIMIT:
        best = _search_triangles(pool, start, best, sum(m >= 0 for m in mate) + 1)
    return best[1], best[2]


def _best_host(pool: Pool, mate: list[int], f: int, members: Iterable[int]) -> tuple[Cost, tuple[int, int]] | None:
    """Return the (cost, pair) that ``f`` joins most cheaply among the pairs of ``members``."""
    avoid = pool.avoid[f]
    hosts = [(a, mate[a]) for a in members if mate[a] > a and a not in avoid and mate[a] not in avoid]
    return min(((_add(pool.cost(f, a), pool.cost(f, b)), (a, b)) for a, b in hosts), default=None)


def _search_triangles(
    pool: Pool, start: tuple[list[int], set[int]], best: tuple[Key, tuple[int, ...], list[int]], most: int
) -> tuple[Key, tuple[int, ...], list[int]]:
    """Try allowed triangles as the trio, cheapest first, re-matching the rest from ``start``."""
    mate0, free0 = start
    triangles = sorted(
        (_add(pool.cost(i, j), pool.cost(i, k), pool.cost(j, k)), (i, j, k))
        for i, j, k in itertools.combinations(range(pool.n), 3)
        if j not in pool.avoid[i] and k not in pool.avoid[i] and k not in pool.avoid[j]
    )
    stale = 0
    for count, (cost, trio) in enumerate(triangles):
        settled = -best[0][0] >= most
        if count >= TRIANGLE_BUDGET or (settled and (cost[0] > best[0][1] or stale >= TRIANGLE_PATIENCE)):
            break
        mate = _without(mate0, trio)
        free = (free0 | {mate0[x] for x in trio if mate0[x] >= 0}) - set(trio)
        augment_all(mate, free, pool.forbid)
        augment_all(mate, free, pool.avoid)
        key = _total(pool, mate, trio)
        stale = stale + 1 if settled else 0
        if key < best[0]:
            best, stale = (key, trio, mate), 0
    return best


def _without(mate: list[int], trio: tuple[int, ...]) -> list[int]:
    """Return a copy of ``mate`` with the trio's members and their partners unmatched."""
    out = mate.copy()
    for x in trio:
        if out[x] >= 0:
            out[out[x]] = -1
            out[x] = -1
    return out


def _total(pool: Pool, mate: list[int], trio: tuple[int, ...]) -> Key:
    """Return (-placed, repeats, -score) of a matching plus its trio."""
    pairs = [(i, mate[i]) for i in range(pool.n) if i < mate[i]] + list(itertools.combinations(trio, 2))
    cost = _add(*(pool.cost(a, b) for a, b in pairs))
    return -(2 * sum(m > i for i, m in enumerate(mate)) + len(trio)), cost[0], cost[1]
