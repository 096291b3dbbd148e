"""Search primitives behind ``pairing.match``: the indexed pool and Edmonds augmenting paths.

Members are indexed 0..n-1 in a seeded shuffle, so every "first found" tie-break depends on the seed.
The graph of allowed pairs is dense (everyone minus a few avoided or recent partners), so it is never
built: neighbour scans take "all vertices of a kind, minus the forbidden set" lazily.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.models.mock import Level

LEVELS = tuple(Level)
TRACK_WEIGHT = 100  # same track outweighs any level and availability difference
LEVEL_WEIGHT = 10  # per level step closer (same level 20, adjacent 10, two apart 0)
SLOT_CAP = 9  # shared availability slots count up to this many
TOP_SCORE = TRACK_WEIGHT + 2 * LEVEL_WEIGHT + SLOT_CAP

Cost = tuple[int, int]  # (repeats, -score): smaller is better


class Member(Protocol):
    """What the pool reads from a candidate."""

    @property
    def user_id(self) -> int: ...  # noqa: D102
    @property
    def track(self) -> str: ...  # noqa: D102
    @property
    def level(self) -> str: ...  # noqa: D102
    @property
    def availability(self) -> frozenset[str]: ...  # noqa: D102


@dataclass
class Pool:
    """Members by seeded index, with their forbidden partners as index sets."""

    ids: list[int]
    track: list[int]
    level: list[int]
    slots: list[frozenset[str]]
    avoid: list[set[int]]
    recent: list[set[int]]
    forbid: list[set[int]]  # avoid | recent: the edges a repeat-free matching may not use

    @property
    def n(self) -> int:
        """Return the number of members."""
        return len(self.ids)

    @classmethod
    def from_candidates(
        cls, candidates: Sequence[Member], *, avoid: Collection[frozenset[int]],
        recent: Collection[frozenset[int]], seed: int,
    ) -> Pool:  # fmt: skip
        """Index the members in a seeded shuffle (independent of the input order); reject bad input."""
        members = sorted(candidates, key=lambda c: c.user_id)
        if any(a.user_id == b.user_id for a, b in itertools.pairwise(members)):
            raise ValueError("a member appears twice among the candidates")
        unknown = {c.level for c in members} - set(LEVELS)
        if unknown:
            raise ValueError(f"unknown level(s): {', '.join(sorted(unknown))}")
        random.Random(seed).shuffle(members)
        index = {c.user_id: i for i, c in enumerate(members)}
        tracks = {t: k for k, t in enumerate(sorted({c.track for c in members}))}
        avoid_sets, recent_sets = _adjacency(avoid, index), _adjacency(recent, index)
        return cls(
            ids=[c.user_id for c in members],
            track=[tracks[c.track] for c in members],
            level=[LEVELS.index(c.level) for c in members],
            slots=[frozenset(c.availability) for c in members],
            avoid=avoid_sets,
            recent=recent_sets,
            forbid=[a | r for a, r in zip(avoid_sets, recent_sets, strict=True)],
        )

    def score(self, i: int, j: int) -> int:
        """Return the preference score of members ``i`` and ``j``."""
        return (TRACK_WEIGHT * (self.track[i] == self.track[j])
                + LEVEL_WEIGHT * (2 - abs(self.level[i] - self.level[j]))
                + min(len(self.slots[i] & self.slots[j]), SLOT_CAP))  # fmt: skip

    def cost(self, i: int, j: int) -> Cost:
        """Return (repeat, -score) of a pair: smaller is better."""
        return (j in self.recent[i], -self.score(i, j))


def _adjacency(pairs: Collection[frozenset[int]], index: dict[int, int]) -> list[set[int]]:
    sets: list[set[int]] = [set() for _ in index]
    get = index.get
    for pair in pairs:
        if len(pair) != 2:
            continue
        a, b = pair
        i, j = get(a), get(b)
        if i is not None and j is not None:
            sets[i].add(j)
            sets[j].add(i)
    return sets


def augment(
    mate: list[int], root: int, forbid: list[set[int]], targets: set[int], dead: set[int] | None = None
) -> bool:
    """Find an augmenting path from free ``root`` to a free vertex in ``targets``; flip it and return True.

    Edmonds' blossom search (the BFS form with blossom bases) on the graph where every pair is an edge
    except ``forbid[v]``; only matched vertices and ``targets`` take part. Blossom bases live in a
    union-find and each outer vertex scans targets, still-unlabelled vertices and the outer vertices of
    other blossoms, so a search costs about O(n * (|targets| + blossoms)) rather than O(n²).

    ``dead`` holds the trees of earlier failed searches (between which the matching only grew by
    augmentation): no augmenting path can pass through them, so they are skipped, and a failed search
    adds its own tree.
    """
    if not targets:
        return False
    n = len(mate)
    parent, outer = [-1] * n, [False] * n
    uf, base_of, size = list(range(n)), list(range(n)), [1] * n
    unlabelled = {v for v in range(n) if mate[v] >= 0}
    if dead:
        unlabelled -= dead
        targets = targets - dead
    matched = len(unlabelled)
    blossoms: dict[int, set[int]] = {root: {root}}  # union-find root -> outer vertices of that blossom
    outer[root] = True
    queue = deque([root])

    def find(v: int) -> int:
        while uf[v] != v:
            uf[v] = uf[uf[v]]
            v = uf[v]
        return v

    def lca(a: int, b: int) -> int:
        seen: set[int] = set()
        while True:
            a = base_of[find(a)]
            seen.add(a)
            if mate[a] < 0:
                break
            a = parent[mate[a]]
        while True:
            b = base_of[find(b)]
            if b in seen:
                return b
            b = parent[mate[b]]

    def mark(v: int, b: int, child: int, marked: list[int]) -> None:
        while base_of[find(v)] != b:
            m = mate[v]
            marked += (v, m)
            parent[v] = child
            child, v = m, parent[m]

    def contract(v: int, w: int) -> None:
        b = lca(v, w)
        marked: list[int] = []
        mark(v, b, w, marked)
        mark(w, b, v, marked)
        reps = {find(x) for x in marked} | {find(b)}
        top = max(reps, key=lambda r: (size[r], r))
        members = blossoms.setdefault(top, set())
        for r in reps - {top}:
            uf[r] = top
            size[top] += size[r]
            members |= blossoms.pop(r, set())
        base_of[top] = b
        for x in marked:
            if not outer[x]:  # an inner vertex on the cycle turns outer
                outer[x] = True
                members.add(x)
                queue.append(x)

    while queue:
        v = queue.popleft()
        fv = forbid[v]
        for x in targets:
            if x not in fv:
                parent[x] = v
                while x >= 0:  # flip the path root ... v - x
                    pv = parent[x]
                    nxt = mate[pv]
                    mate[x], mate[pv] = pv, x
                    x = nxt
                return True
        for w in [w for w in unlabelled if w not in fv]:
            if w in unlabelled:
                m = mate[w]
                unlabelled.difference_update((w, m))
                parent[w] = v
                outer[m] = True
                blossoms[m] = {m}
                queue.append(m)
        for rep in list(blossoms):
            members = blossoms.get(rep)
            if members is None or rep == find(v):
                continue
            w = next((w for w in members if w not in fv), -1)
            if w >= 0:
                contract(v, w)
    if dead is not None and matched - len(unlabelled) > 0:
        dead.update(v for v in range(n) if outer[v] or parent[v] >= 0)
    return False


def augment_all(mate: list[int], free: set[int], forbid: list[set[int]]) -> None:
    """Augment from every free member until the matching is maximum in the graph ``forbid`` allows.

    A member with no augmenting path never gets one after further augmentations, so it is searched
    from once and dropped from the targets.
    """
    targets, dead = set(free), set[int]()
    for root in sorted(free):
        if mate[root] >= 0 or root not in targets:
            continue
        targets.discard(root)
        if augment(mate, root, forbid, targets, dead):
            targets = {x for x in targets if mate[x] < 0}
    free.difference_update([x for x in free if mate[x] >= 0])
