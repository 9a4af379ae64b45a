"""A fixed-window request counter per client address, in Django's cache.

It knows no domain (the portal's public lookup and the feedback forms each name their own
``scope`` and limit), so it lives in ``core``.

The cache is per process with the default local-memory backend, so with N server processes
a client gets up to N times the limit: a deployment behind several workers should point
``CACHES`` at a shared cache (database, Memcached, Redis) for an exact limit. A database
table (as for the login lockout) would add a write to every lookup, the page that must stay
fast under load; an approximate limit is enough to make guessing codes and secrets useless.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache


def rate_setting(name: str, default: str) -> tuple[int, int] | None:
    """``"20/300"`` -> (20, 300); ``"0"`` or empty -> None (no limit)."""
    text = str(getattr(settings, "MOTCUA", {}).get(name, default)).strip()
    if not text or text == "0":
        return None
    count, _, window = text.partition("/")
    return int(count), int(window or 60)


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one request for ``key``; True when it is over ``limit`` in the current window."""
    slot = int(time.time() // window)
    cache_key = f"motcua-rl:{scope}:{key}:{slot}"
    if cache.add(cache_key, 1, timeout=window + 1):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return count > limit


def rate_wait(*, scope: str, key: str, limit: int, window: int) -> int:
    """Seconds ``key`` must still wait before its next request counts; 0 when it may go.

    The first ``limit`` requests of a window go at once. Past that, each further one must
    come later after the previous one that went: 1 s, then 2, 4, 8 … up to ``window``. A
    kiosk or a carrier's shared address slows down instead of hitting a wall; a script
    guessing codes or secrets gets a handful of tries an hour. Nothing is counted here:
    ``rate_note`` counts a request that went (so a refused retry does not lengthen the
    wait)."""
    now = time.time()
    slot = int(now // window)
    count = cache.get(f"motcua-rl:{scope}:{key}:{slot}") or 0
    if count < limit:
        return 0
    delay = min(window, 2 ** min(count - limit, 30))
    last = cache.get(f"motcua-rl-last:{scope}:{key}") or 0.0
    return max(0, math.ceil(last + delay - now))


def rate_note(*, scope: str, key: str, window: int) -> None:
    """Count one request of ``key`` that went (see ``rate_wait``)."""
    now = time.time()
    slot = int(now // window)
    cache_key = f"motcua-rl:{scope}:{key}:{slot}"
    if not cache.add(cache_key, 1, timeout=window + 1):
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window + 1)
    cache.set(f"motcua-rl-last:{scope}:{key}", now, timeout=2 * window + 1)
