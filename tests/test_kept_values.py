"""What a worker keeps in memory stays within its count and its bytes, newest kept."""

from __future__ import annotations

from training.calendar.services.events import kept_feeds
from training.core.memo import FingerprintCache


def test_a_cache_drops_the_least_recently_used_values_beyond_its_bytes():
    cache = FingerprintCache(size=10, max_bytes=1000, weigh=len)
    cache.put("a", 1, b"x" * 400)
    cache.put("b", 1, b"x" * 400)
    assert cache.get("a", 1) == b"x" * 400  # a is now the most recently used
    cache.put("c", 1, b"x" * 400)
    assert cache.get("b", 1) is None
    assert cache.get("a", 1) is not None and cache.get("c", 1) is not None
    assert len(cache) == 2


def test_a_value_larger_than_the_bytes_stays_alone_until_the_next():
    cache = FingerprintCache(size=10, max_bytes=100, weigh=len)
    cache.put("a", 1, b"x" * 50)
    cache.put("big", 1, b"x" * 500)
    assert len(cache) == 1 and cache.get("big", 1) is not None
    cache.put("b", 1, b"x" * 50)
    assert len(cache) == 1 and cache.get("b", 1) is not None


def test_replacing_a_value_counts_only_its_new_bytes():
    cache = FingerprintCache(size=10, max_bytes=1000, weigh=len)
    for version in range(20):
        cache.put("a", version, b"x" * 600)
    cache.put("b", 1, b"x" * 300)
    assert cache.get("a", 19) is not None and cache.get("b", 1) is not None


def test_course_feeds_kept_by_a_worker_stay_within_their_bytes(app):
    with app.app_context():
        cache = kept_feeds("course:1")
        assert cache.max_bytes == app.config["KEPT_FEED_BYTES"]
