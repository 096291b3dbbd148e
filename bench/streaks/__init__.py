"""Streaks at scale: /streak data, /leaderboard pages and recording an answer over a year of 50,000 members.

Run: ``.venv/bin/python -m bench.streaks [--postgres URL] [--members 50000] [--days 365]``.

A fresh database (a SQLite file in a temporary directory, or a new PostgreSQL schema used through
the connection's ``search_path`` and dropped at the end) is migrated with ``upgrade_head`` and
bulk-loaded with one guild's year: one posted prompt a day, members whose answering follows a
heavy-tailed activity distribution (a small core answers nearly every day, regulars most weeks,
casual members now and then, half the members only a handful of times; members join through the
year and some stop), peer reviews, and the streak tables exactly as the bot would have left them:
each member's state from ``streak_rules.recompute`` over their answered/missed prompt days, a
``StreakDay`` per answered or frozen day with its ``streak_after``, and the week/month tallies
``streaks`` accumulates (``world.py``; loaded by ``seed.py``). A few members are rebuilt with ``streaks.rebuild_member``
(rolled back) to check the load against the service's own from-scratch computation.

On PostgreSQL the load ends with VACUUM ANALYZE (what autovacuum would have done to a year-old
table) and a CHECKPOINT (the load's dirty pages written out before anything is timed, not spread
by the checkpointer over the minutes the writes are timed in, slowing each commit's WAL flush);
SQLite gets no ANALYZE, as the bot never runs it. Then, each after a warm-up, it times
(``measure.py``: p50/p99/max in ms, and this process's CPU time per operation):

- once: ``streaks.settle_closed_prompt`` for the whole guild, when a new (the 366th) prompt is
  posted and closes the day before;
- recording an answer to that prompt: ``answers.submit_answers`` (one answer) in a ``db.write()``
  transaction (with its background WAL checkpoints on SQLite), as the Answer modal stores it (the
  answer, its streak and tallies, its queued post), for distinct members drawn as a real day's answerers come
  (weighted by their last four weeks, so most have a running streak);
- ``/streak`` data for a random member: ``streaks.get_member`` + ``streak_views.heatmap_days``
  (12 weeks up to today) in one read session;
- a ``/leaderboard`` view: ``leaderboard.view`` (the page, the board's size and the caller's rank,
  what the command and its buttons call) in one read session, per board and period, for a random
  caller (any member, mostly far down the board or off it), on a page reached as members reach
  it: first among pages 1-5 (the command's first page, or Next from the page before: a seek from
  the member the button carries), then, as a second figure, any page of the board by Next or
  Previous.

The reads run after the day's writes, so PostgreSQL sees what it sees between two autovacuums (a
visibility map partly cleared by the updates, statistics from before them), at the worst point:
the day's writes crossed the board tables' autovacuum threshold (migration 0008), so they are
vacuumed as autovacuum's pass would have, then more members answer, untimed, until one more
answer would cross it again. ``--reads-first`` times the reads right after the load instead.

Prints PASS/MISS per figure and overall; exits 0 when every target is met (50 ms / 50 ms / 25 ms
at p99), 1 otherwise.
"""
