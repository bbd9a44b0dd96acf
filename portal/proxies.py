"""Trusted proxies: X-Forwarded-For, -Proto and -Host count only when a trusted proxy sent them.

Behind a reverse proxy every connection comes from the proxy; the learner's own address and
whether they used HTTPS are in the X-Forwarded-* headers. Anyone can send those headers, so they
are believed only from the addresses in TRUSTED_PROXIES (as gunicorn's `forwarded_allow_ips`).
Werkzeug's ProxyFix then sets REMOTE_ADDR and the URL scheme for everything after it: rate
limits, logs, secure cookies, HSTS, external URLs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULT_TRUSTED_PROXIES = "127.0.0.1"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(value: str | Iterable[str] | None) -> tuple[Network, ...] | None:
    """Addresses and networks (`10.0.0.0/8`) separated by commas or spaces; None for `*` (all)."""
    return parse_networks(value, "TRUSTED_PROXIES")


def parse_networks(value: str | Iterable[str] | None, setting: str) -> tuple[Network, ...] | None:
    """A list of addresses and networks as the setting named `setting` gives it; None for `*`."""
    if value is None:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    if "*" in items:
        return None
    try:
        return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item)
    except ValueError as error:
        raise ValueError(f"{setting}: {error}") from None


def in_networks(address: str | None, networks: tuple[Network, ...] | None) -> bool:
    """Whether address is in one of networks (None: any address); an IPv4 address seen as
    IPv6 (`::ffff:10.0.0.1`) counts as itself."""
    if networks is None:
        return True
    try:
        peer = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(peer, "ipv4_mapped", None)
    return any(peer in net or (mapped and mapped in net) for net in networks)


class TrustedProxyFix:
    """WSGI middleware: ProxyFix for requests whose peer is a trusted proxy, nothing for others."""

    def __init__(self, app, trusted, x_for: int = 1, x_proto: int = 1, x_host: int = 1):
        self.app = app
        self.networks = parse_trusted(trusted)
        self.fixed = ProxyFix(app, x_for=x_for, x_proto=x_proto, x_host=x_host)

    def trusts(self, address: str | None) -> bool:
        return in_networks(address, self.networks)

    def __call__(self, environ, start_response):
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
