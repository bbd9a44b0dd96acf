"""The instance's API budget: the points its one API key may spend a minute, counted here before
each call, across every portal process (Redis when REDIS_URL is set, else this process).

The instance counts GraphQL points per API key over a rolling minute and answers 429 to everyone
once they are spent. The portal counts the same points (`documents.POINTS`, as the instance
prices root fields) before it sends a call, and keeps the instance from ever getting there:

- sign-in and sign-out (views marked `@first`) may spend the whole budget; everything else stops
  short of it by a reserve (`TI_POINTS_RESERVE`), so a learner can always sign in or out;
- once pages have spent most of their share (`LOW_SHARE`), a learner's query the portal has
  answered before is answered from the answer kept then (`KeptAnswers`, kept from
  `KEEP_SHARE` on: a budget far from its end costs no memory or time for them), costing
  nothing;
- past their share, a call waits for points to come back when that is soon (`TI_BUDGET_WAIT`
  seconds), else is refused with `BudgetSpent` (a `RateLimited`: 429, Retry-After, forms kept);
- a 429 from the instance all the same stops every process until its Retry-After.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections import OrderedDict, deque
from functools import wraps

from flask import Flask, current_app, g, has_app_context, has_request_context, session

try:  # Python 3.14
    from compression import zstd
except ImportError:  # pragma: no cover - before 3.14, the backport
    from backports import zstd

from .errors import RateLimited

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60  # the instance's rolling minute
# A point is counted for longer than the instance counts it: the call reaches it a little
# after the portal counted it, and the portal's window moves by whole seconds.
SLACK_SECONDS = 2
DEFAULT_POINTS = 10_000  # TI's budget per API key per minute (the sandbox's default too)
DEFAULT_RESERVE = 0.2
DEFAULT_WAIT = 2.0
LOW_SHARE = 0.75  # of the pages' share: from here on, pages the learner has come from kept answers
KEEP_SHARE = 0.35  # of the pages' share: from here on, answers are kept for when it runs low
MAX_KEPT_ANSWERS = 256
GENERATION_KEY = "_answers_generation"


class BudgetSpent(RateLimited):
    """The portal's share of the instance's budget is spent for now: nothing was sent."""


class LocalWindow:
    """Points spent per second over the last minute, in this process; thread-safe."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        self._spent: deque[list[int]] = deque()  # [second, points], oldest first
        self._blocked_until = 0.0
        self._lock = threading.Lock()
        self.total = 0  # points spent in the window after the last spend that fitted

    def spend(self, points: int, ceiling: int, now: float, blocked: bool = True) -> float | None:
        second = int(now)
        with self._lock:
            if blocked and self._blocked_until > now:
                return self._blocked_until - now
            while self._spent and self._spent[0][0] <= second - self.seconds:
                self._spent.popleft()
            total = sum(p for _, p in self._spent)
            if total + points <= ceiling:
                if self._spent and self._spent[-1][0] == second:
                    self._spent[-1][1] += points
                else:
                    self._spent.append([second, points])
                self.total = total + points
                return None
            return _wait([(s, p) for s, p in self._spent], total + points - ceiling, second,
                         self.seconds)  # fmt: skip

    def block(self, until: float) -> None:
        with self._lock:
            self._blocked_until = max(self._blocked_until, until)

    def spent(self, now: float) -> int:
        with self._lock:
            return sum(p for s, p in self._spent if s > int(now) - self.seconds)


def _wait(buckets: list[tuple[int, int]], need: int, second: int, seconds: int) -> float:
    """Seconds until enough of the oldest buckets leave the window to free `need` points."""
    for stamp, points in buckets:
        need -= points
        if need <= 0:
            return max(1.0, stamp + seconds - second)
    return float(seconds)


# KEYS[1]: the budget's key prefix. ARGV: now (whole seconds), window, points, ceiling, and 1
# when a block (the instance's 429) counts. Returns {0, total} when spent, {1, seconds to wait}.
_SPEND = """
local base = KEYS[1]
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local points, ceiling = tonumber(ARGV[3]), tonumber(ARGV[4])
local blocked = tonumber(redis.call('GET', base .. ':blocked') or '0')
if ARGV[5] == '1' and blocked > now then return {1, blocked - now} end
local keys = {}
for i = 0, window - 1 do keys[#keys + 1] = base .. ':' .. (now - i) end
local values = redis.call('MGET', unpack(keys))
local total = 0
for _, v in ipairs(values) do total = total + (tonumber(v) or 0) end
if total + points <= ceiling then
  if points > 0 then
    redis.call('INCRBY', keys[1], points)
    redis.call('EXPIRE', keys[1], window + 5)
  end
  return {0, total + points}
end
local need = total + points - ceiling
for i = window, 1, -1 do
  need = need - (tonumber(values[i]) or 0)
  if need <= 0 then return {1, window - i + 1} end
end
return {1, window}
"""


class RedisWindow:
    """The same window in Redis, shared by every portal process: one script call a spend."""

    def __init__(self, url: str, seconds: int, prefix: str):
        from redis import Redis

        self.seconds = seconds
        self.prefix = prefix
        self.total = 0
        self._redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._script = self._redis.register_script(_SPEND)

    def spend(self, points: int, ceiling: int, now: float, blocked: bool = True) -> float | None:
        args = [int(now), self.seconds, points, ceiling, int(blocked)]
        done, value = self._script(keys=[self.prefix], args=args)
        if done == 0:
            self.total = int(value)
            return None
        return float(max(1, value))

    def block(self, until: float) -> None:
        seconds = max(1, math.ceil(until - time.time()))
        self._redis.set(f"{self.prefix}:blocked", int(math.ceil(until)), ex=seconds + 1)

    def spent(self, now: float) -> int:
        keys = [f"{self.prefix}:{int(now) - i}" for i in range(self.seconds)]
        return sum(int(v) for v in self._redis.mget(keys) if v)


class Budget:
    """The budget of one instance and API key, and who may spend how much of it."""

    def __init__(self, points: int, reserve: float, wait: float, window):
        self.points = points
        self.wait = wait
        self.window = window
        margin = max(1, points // 50)  # counting is close to the instance's, not exact
        self.first_ceiling = max(1, points - margin)
        self.page_ceiling = max(1, self.first_ceiling - math.ceil(points * reserve))
        self.low_ceiling = max(1, int(self.page_ceiling * LOW_SHARE))
        self.keep_from = int(self.page_ceiling * KEEP_SHARE)

    def spend(self, points: int, ceiling: int, blocked: bool = True) -> float | None:
        """Spend points if the total stays within ceiling: None, else seconds to wait. With
        `blocked` false, the instance's last 429 does not count (signing in tries anyway). A
        store that fails lets the call through (the instance still has the last word)."""
        try:
            return self.window.spend(points, ceiling, time.time(), blocked)
        except Exception:  # noqa: BLE001 - Redis down: count nothing rather than serve nothing
            log.warning("API budget not counted: its store is unavailable", exc_info=True)
            return None

    def block(self, seconds: float) -> None:
        try:
            self.window.block(time.time() + seconds)
        except Exception:  # noqa: BLE001
            log.warning("API budget block not stored", exc_info=True)

    def spent(self) -> int:
        return self.window.spent(time.time())

    def keeping(self) -> bool:
        """Whether answers are worth keeping: the budget is on its way to running low (as
        this worker last saw it)."""
        return self.window.total >= self.keep_from


class KeptAnswers:
    """Each worker's last answer to each learner query, kept for when the budget runs low:
    bounded, the least recently used dropped first, keyed by the learner's token."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
        return None if found is None else zstd.decompress(found)

    def put(self, key: bytes, body: bytes) -> None:
        if not self.size:
            return
        packed = zstd.compress(body, 1)  # a 50 KB answer in ~6 KB
        with self._lock:
            self._items[key] = packed
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def init_app(app: Flask) -> None:
    config = app.config
    points = int(config.get("TI_POINTS_PER_MINUTE", DEFAULT_POINTS) or 0)
    found = None
    if points > 0:
        seconds = WINDOW_SECONDS + SLACK_SECONDS
        redis_url = config.get("REDIS_URL")
        if redis_url:
            base = (config.get("TI_BASE_URL") or "").rstrip("/")
            digest = hashlib.sha256(base.encode()).hexdigest()[:16]
            window = RedisWindow(redis_url, seconds, f"portal:api-budget:{digest}")
        else:
            window = LocalWindow(seconds)
        found = Budget(
            points,
            float(config.get("TI_POINTS_RESERVE", DEFAULT_RESERVE)),
            float(config.get("TI_BUDGET_WAIT", DEFAULT_WAIT)),
            window,
        )
    app.extensions["api_budget"] = found
    size = int(config.get("PAGE_CACHE_SIZE", MAX_KEPT_ANSWERS))
    app.extensions["kept_answers"] = KeptAnswers(min(size, MAX_KEPT_ANSWERS))


def budget() -> Budget | None:
    return current_app.extensions.get("api_budget") if has_app_context() else None


def first(view):
    """Mark a view whose calls are served first (sign-in, sign-out): they may spend the
    reserve the other calls leave."""

    @wraps(view)
    def marked(*args, **kwargs):
        g.api_budget_first = True
        return view(*args, **kwargs)

    return marked


def served_first() -> bool:
    return bool(has_app_context() and g.get("api_budget_first"))


# Called with (priority, seconds) when a call is refused: metrics.
_observers: list = []


def observe(callback) -> None:
    _observers.append(callback)


def _refused(priority: str, seconds: float) -> BudgetSpent:
    for callback in _observers:
        callback(priority)
    seconds = max(1, math.ceil(seconds))
    return BudgetSpent(
        "Many learners are using the learning service right now.",
        "PORTAL_BUDGET",
        retry_after=seconds,
    )


def answer_key(text: str, variables: dict | None, token: str | None) -> bytes | None:
    """Where a learner query's answer is kept: their token, the document and its variables,
    and how many changes they made since (a change of theirs makes older answers useless)."""
    if not token or not has_request_context():
        return None
    generation = session.get(GENERATION_KEY, 0)
    digest = hashlib.blake2b(digest_size=24)
    for part in (token, text, json.dumps(variables or {}, sort_keys=True, default=str),
                 str(generation)):  # fmt: skip
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.digest()


def changed() -> None:
    """The learner changed something upstream: no answer kept before is shown to them."""
    if has_request_context():
        session[GENERATION_KEY] = session.get(GENERATION_KEY, 0) + 1


def admit(points: int, key: bytes | None, background: bool = False) -> bytes | None:
    """Before a call of `points`: None to send it (its points counted), a kept answer to use
    instead, or BudgetSpent. Background calls (readiness) never wait and never use a reserve."""
    found = budget()
    if found is None:
        return None
    if served_first():
        # Signing in tries even after the instance's 429: it may be back before its word.
        wait = found.spend(points, found.first_ceiling, blocked=False)
        if wait is None:
            return None
        raise _refused("first", wait)
    kept = _kept_answers().get(key) if key else None
    if kept is not None:
        # Sent (its points counted, once) while the pages' share is not low, else what the
        # learner was shown before.
        return kept if found.spend(points, found.low_ceiling) is not None else None
    wait = found.spend(points, found.page_ceiling)
    if wait is not None and not background and wait <= found.wait:
        time.sleep(wait)
        wait = found.spend(points, found.page_ceiling)
    if wait is None:
        return None
    raise _refused("background" if background else "page", wait)


def _kept_answers() -> KeptAnswers:
    return current_app.extensions.get("kept_answers") or KeptAnswers(0)


def keep(key: bytes | None, body: bytes) -> None:
    found = budget()
    if key and found is not None and found.keeping():
        _kept_answers().put(key, body)


def instance_refused(seconds: float | None) -> None:
    """The instance answered 429: no process sends anything before its Retry-After."""
    found = budget()
    if found is not None:
        found.block(float(seconds) if seconds else float(WINDOW_SECONDS))
