"""Bytes on the wire: compressed responses, and static files cached for a year under names
that change with their content."""

from __future__ import annotations

import hashlib
import os

from flask import Flask, current_app, request
from flask_compress import Compress

compress = Compress()
VERSION_ARG = "v"
ONE_YEAR = 365 * 24 * 3600
_digests: dict[tuple, str] = {}
# path -> digest ("" for no such file) of a released portal, where static files never change.
_released: dict[str, str] = {}


def static_version(filename: str) -> str | None:
    """A short digest of the static file's content; None when there is no such file.

    A served portal's static files come with its release: each file is read once per worker.
    While templates reload (development), a file changed in place gets a new digest at once:
    the file is looked at again (size and mtime) each time."""
    folder = current_app.static_folder
    if not folder:
        return None
    path = os.path.join(folder, filename)
    if not current_app.jinja_env.auto_reload:
        digest = _released.get(path)
        if digest is None:
            digest = _released[path] = _digest_of(path) or ""
        return digest or None
    return _digest_of(path)


def _digest_of(path: str) -> str | None:
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    # Keyed by path, size and mtime: a file changed in place gets a new digest at once.
    key = (path, stat.st_size, stat.st_mtime_ns)
    digest = _digests.get(key)
    if digest is None:
        try:
            with open(path, "rb") as file:
                digest = hashlib.sha256(file.read()).hexdigest()[:12]
        except (OSError, ValueError):  # a folder, or gone since
            return None
        _digests[key] = digest
    return digest


def _versioned_static_urls(endpoint: str, values: dict) -> None:
    """url_for('static', filename=...) carries ?v=<digest of the file>."""
    if endpoint == "static" and "filename" in values and VERSION_ARG not in values:
        version = static_version(values["filename"])
        if version:
            values[VERSION_ARG] = version


def _static_cache_headers(response):
    """A static file asked for under its current digest never changes: cache it for a year.
    Asked for without (or with an old) digest, caches check back every time."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    if response.status_code == 200 and response.is_streamed:
        # Read the (small) file now: compressing a streamed file would leave it open until
        # the garbage collector finds it.
        response.direct_passthrough = False
        response.make_sequence()
    filename = (request.view_args or {}).get("filename", "")
    if request.args.get(VERSION_ARG) and request.args[VERSION_ARG] == static_version(filename):
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    else:
        response.cache_control.no_cache = True
        response.cache_control.max_age = None
    return response


def init_app(app: Flask) -> None:
    # zstd, brotli or gzip, as the browser accepts; pages are small, so a fast level. zstd
    # (Chromium, Firefox) at level 1: half the CPU of level 3 in a worker (~0.4 ms of a ~7 ms
    # dashboard: its larger tables fall out of the CPU's caches between pages, and
    # MALLOC_MMAP_THRESHOLD_ maps them afresh each time) for 5 % more bytes (6.2 KB, not 5.9).
    for key, value in COMPRESSION.items():
        app.config.setdefault(key, value)
    compress.init_app(app)
    app.url_defaults(_versioned_static_urls)
    app.after_request(_static_cache_headers)


# Text formats only: images and fonts the portal serves are compressed already.
COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]
# Flask-Compress's settings unless the configuration gives its own (see init_app).
COMPRESSION = {
    "COMPRESS_MIMETYPES": COMPRESSED_TYPES,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_ZSTD_LEVEL": 1,
}
