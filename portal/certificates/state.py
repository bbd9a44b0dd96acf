"""The certificate list's view state (search, expired or not, page) read from the query string."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from portal.forms import search_text
from portal.paging import page_number

MAX_QUERY_LENGTH = 200
# Rows per page of the list: a learner of ten years holds hundreds of certificates.
PAGE_SIZE = 20
TRUE_WORDS = {"1", "on", "true", "yes", "y"}
FALSE_WORDS = {"", "0", "off", "false", "no", "n"}


@dataclass
class CertificateFilters:
    """The list's view state, read from the query string; notices say what was ignored."""

    query: str = ""
    expired: bool = False
    page: int = 1
    notices: list[str] = field(default_factory=list)

    def args(self) -> dict:
        """The query string of this view, without its page (a new search starts at page 1)."""
        return {
            k: v for k, v in (("query", self.query), ("expired", "1" if self.expired else "")) if v
        }


def parse_filters(args) -> CertificateFilters:
    filters = CertificateFilters()
    filters.query = search_text(
        args.get("query", ""),
        MAX_QUERY_LENGTH,
        filters.notices,
        _(
            "The search was too long (at most %(max)d characters), so all certificates are shown.",
            max=MAX_QUERY_LENGTH,
        ),
    )
    expired = str(args.get("expired", "")).strip().lower()
    if expired in TRUE_WORDS:
        filters.expired = True
    elif expired not in FALSE_WORDS:
        filters.notices.append(
            _(
                "The expired-certificates switch had an unknown value, so "
                "expired certificates are hidden."
            )
        )
    filters.page = page_number(args.get("page"), filters.notices)
    return filters
