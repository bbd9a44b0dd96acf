"""Rendered fragments kept for their inputs: a card drawn once is not drawn again while nothing
it shows has changed.

A template wraps a fragment in `{% call fragment("card", item, ...) %}...{% endcall %}`, naming
everything the fragment shows beyond the request's own context. The key is a digest of those
parts and the fragment's name, the language, the time zone and the page's path (forms send the
learner back to it), so a changed item, a bookmark added or another language is another fragment.
CSRF tokens differ from session to session: the kept copy holds a placeholder, and each response
gets its session's token in its place.

The fragments live in the worker's memory (a few KB each, at most MAX_FRAGMENTS, about 2 MB
with the kept card data): cheaper than Redis for something any worker can draw again, and
never shared between instances.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

try:
    from compression import zstd
except ImportError:  # before Python 3.14: the backport Flask-Compress installs
    from backports import zstd
from flask import Flask, current_app, g, has_app_context, request, request_finished
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from portal import api, metrics
from portal.security import allow_style_sources, form_token, inline_styles

# At most ~1 MB of HTML (a card is ~2 KB) and ~1 MB of card data per worker, ~1.5 MB of
# pages drawn whole (`kept_page`: a 50 KB dashboard is kept compressed, in ~6 KB) and as much
# of them as sent (`Sent`).
MAX_FRAGMENTS = 512
MAX_KEPT_VALUES = 256
MAX_PAGES = 256
TOKEN_PLACEHOLDER = "\x00csrf-token\x00"


class FragmentCache:
    """A bounded, thread-safe map from key to HTML (or any value), the least recently used
    dropped first."""

    def __init__(self, size: int = MAX_FRAGMENTS, name: str = "fragment"):
        self.size = size
        self._items: OrderedDict[bytes, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        # Prometheus' counters of every worker (`portal_cache_lookups_total{cache=name}`).
        self._hit, self._miss = metrics.cache_counters(name)

    def get(self, key: bytes):
        with self._lock:
            html = self._items.get(key)
            if html is None:
                self.misses += 1
            else:
                self._items.move_to_end(key)
                self.hits += 1
        (self._miss if html is None else self._hit).inc()
        return html

    def put(self, key: bytes, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


def init_app(app: Flask) -> None:
    size = app.config.get("FRAGMENT_CACHE_SIZE", MAX_FRAGMENTS)
    app.extensions["fragments"] = FragmentCache(size, "fragment")
    app.extensions["kept_values"] = FragmentCache(min(size, MAX_KEPT_VALUES), "value")
    pages = app.config.get("PAGE_CACHE_SIZE", MAX_PAGES)
    app.extensions["kept_pages"] = FragmentCache(min(size, pages), "page")
    app.extensions["sent_pages"] = FragmentCache(min(size, pages), "sent_page")
    request_finished.connect(_keep_sent, app)
    app.jinja_env.globals["fragment"] = fragment


def cache() -> FragmentCache:
    return current_app.extensions["fragments"]


def key_of(name: str, parts: tuple, page: bool = True) -> bytes:
    """The digest of what a fragment shows. The pickle of plain data (dicts, lists, strings,
    numbers) tells any two different values apart (equal values may pickle differently: that
    only draws a fragment again). `page`: the page's address counts too, with the htmx control
that asked (`HX-Trigger`)."""
    shared = g.get("_fragment_context")
    if shared is None:
        # The same for every fragment of the request: worked out once.
        language = (str(get_locale()), str(get_timezone()), request.script_root)
        # The control that asked too: what an htmx answer focuses follows it (the pager).
        asked = request.headers
        where = (request.full_path, asked.get("HX-Current-URL", ""), asked.get("HX-Trigger", ""))
        shared = g._fragment_context = (repr(language), repr(language + where))
    context = (name, parts, shared[1] if page else shared[0])
    try:
        data = pickle.dumps(context, 5)
    except (pickle.PicklingError, TypeError, AttributeError):
        data = repr(context).encode()  # something that does not pickle: slower, as exact
    return hashlib.blake2b(data, digest_size=20).digest()


def fragment(name: str, *parts, caller) -> Markup:
    """The caller's HTML for these parts: drawn now, or as drawn before (Jinja's call block)."""
    store = cache()
    if not store.size:
        return Markup(caller())
    return _show(_kept_in(store, key_of(name, parts), lambda: _keep(caller())))


def _kept_in(store: FragmentCache, key: bytes, build):
    """The value kept under key, else `build()`'s, kept from now on."""
    value = store.get(key)
    if value is None:
        value = build()
        store.put(key, value)
    return value


def _token() -> str:
    """This response's form token, found once (a page shows a few dozen fragments)."""
    return form_token()


def _keep(html) -> str:
    """HTML as kept: this response's form token replaced by a placeholder."""
    return str(html).replace(_token(), TOKEN_PLACEHOLDER)


def _show(html: str) -> Markup:
    """Kept HTML with this response's form token in place of the placeholder."""
    return Markup(html.replace(TOKEN_PLACEHOLDER, _token()))


def kept(name: str, parts: tuple, build):
    """`build()` (plain data made from `parts` alone, in the request's language and time
    zone), kept like a fragment. Shared with every later request: read it, never change it."""
    store = current_app.extensions["kept_values"]
    if not store.size:
        return build()
    return _kept_in(store, key_of(name, parts, page=False), build)


def kept_dict(name: str, parts: tuple, build) -> dict:
    """`kept` for a dict each caller adds to: the caller gets its own copy."""
    return dict(kept(name, parts, build))


def changes_at(moment: datetime) -> None:
    """What is being drawn compares `moment` with the clock (overdue, past, days left): a page
    kept with it (`kept_page`) is drawn again from then on. Called by whatever reads the clock."""
    if not has_app_context():
        return  # drawn outside a request (a test, a script): nothing is kept
    earliest = g.get("_changes_at")
    if earliest is None or moment < earliest:
        g._changes_at = moment


class Sent(NamedTuple):
    """A kept page as it was sent before to the same session, compressed for the same
    Accept-Encoding: the response's body as it is (`htmx.respond`)."""

    body: bytes
    encoding: str


@dataclass(frozen=True)
class _Page:
    html: bytes  # zstd (a third of zlib's time for a 50 KB page), the form token's placeholder
    extra: object
    until: datetime | None  # drawn again from then on (`changes_at`)
    styles: tuple[str, ...]  # the CSP sources of its `<style>` elements
    stamp: bytes = field(default_factory=lambda: os.urandom(8))  # this drawing of it


def keeps_pages() -> bool:
    """Whether whole pages are kept (PAGE_CACHE_SIZE): when not, their keys need not be
    worked out (a digest of the answers, the header's parts)."""
    return bool(current_app.extensions["kept_pages"].size)


def kept_page(name: str, parts: tuple, build) -> tuple[Markup | Sent, object]:
    """`build()` -> (html, extra): a whole page or htmx panel (a dashboard, say) drawn once
    for `parts`, the page's address, language and time zone, and kept until the first moment
    it was drawn with (`changes_at`). `extra` is what the view needs besides the HTML (kept
    with it). Not kept when drawing it asked the instance for more than the answers in
    `parts`: those would not be in the key.

    A page is the same bytes for every response to a session (its form token is signed once:
    `security.reuse_form_token`; its CSP names its styles by hash), so once sent compressed
    it is sent again as it was (`Sent`): nothing is decompressed, filled in or compressed."""
    store = current_app.extensions["kept_pages"]
    if not store.size:
        html, extra = build()
        return Markup(html), extra
    key = key_of(name, parts)
    now = datetime.now(UTC)
    found = store.get(key)
    if found is None or (found.until is not None and found.until <= now):
        outer = g.pop("_changes_at", None)
        answers = api.stats()["answers"]
        html, extra = build()
        moment = g.pop("_changes_at", None)
        if api.stats()["answers"] == answers:
            kept = _Page(zstd.compress(_keep(html).encode(), 1), extra, moment, inline_styles())
            store.put(key, kept)
            g._send_as = _sent_key(kept)
        if outer is not None:
            changes_at(outer)
        if moment is not None:
            changes_at(moment)
        return Markup(html), extra  # as drawn: this response's own values are in it
    if found.until is not None:
        changes_at(found.until)  # a page kept around this one changes then too
    allow_style_sources(found.styles)
    sent_key = _sent_key(found)
    sent = current_app.extensions["sent_pages"].get(sent_key)
    if sent is not None:
        return sent, found.extra
    g._send_as = sent_key
    return _show(zstd.decompress(found.html).decode()), found.extra


def _sent_key(page: _Page) -> bytes:
    """Who gets this drawing of a page as which bytes: the session (its signed form token)
    and the encodings its browser accepts (what Flask-Compress chose from)."""
    accepted = request.headers.get("Accept-Encoding", "")
    return hashlib.blake2b(
        b"\x00".join((page.stamp, _token().encode(), accepted.encode())), digest_size=20
    ).digest()


def _keep_sent(sender: Flask, response, **extra) -> None:
    """Once a kept page's response is final (compressed): kept as sent, for the next time."""
    sent_key = g.pop("_send_as", None)
    encoding = response.headers.get("Content-Encoding")
    if sent_key is None or not encoding or response.status_code != 200:
        return
    if response.is_streamed or response.direct_passthrough:
        return
    sender.extensions["sent_pages"].put(sent_key, Sent(response.get_data(), encoding))
