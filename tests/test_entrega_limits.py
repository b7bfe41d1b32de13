"""The relay's guess limits: a sliding window per key, bounded in memory, no address kept."""

from __future__ import annotations

from server.entrega import limits


def test_budget_then_wait_then_budget_again() -> None:
    limit = limits.SlidingLimit(3, 60)
    for t in (0.0, 1.0, 2.0):
        assert limit.blocked("fresno", t) is None
        limit.count("fresno", t)
    wait = limit.blocked("fresno", 3.0)
    assert wait is not None and 56 <= wait <= 57
    assert limit.blocked("los-angeles", 3.0) is None  # another office is not held up
    assert limit.blocked("fresno", 60.5) is None  # the first guess has left the window


def test_the_table_stays_bounded() -> None:
    limit = limits.SlidingLimit(1, 60)
    for i in range(limits.MAX_KEYS + 5):
        limit.count(f"office-{i}", 0.0)
    assert len(limit._seen) <= limits.MAX_KEYS + 1
