"""PDF documents (a certificate, the transcript) rendered with WeasyPrint from Jinja templates."""

from __future__ import annotations

import re

from flask import render_template
from flask_babel import get_locale

DEFAULT_ACCENT = "#1f4e79"
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def accent_colour(company: dict | None) -> str:
    """The company's accent colour, only when it is a plain hex colour (it lands in CSS)."""
    colour = ((company or {}).get("settings") or {}).get("accentColor") or ""
    return colour if HEX_COLOUR.fullmatch(colour) else DEFAULT_ACCENT


def qr_code(url: str) -> str:
    """A QR code of url as an SVG data URI (the PDF fetches nothing but inline data)."""
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def local_only_fetcher():
    # WeasyPrint is imported on the first PDF, not at start-up: it is half of the portal's
    # import time and a third of a worker's memory, and most workers never render a PDF.
    from weasyprint.urls import URLFetcher

    # Remote images (a company logo, a template asset) would make PDF generation slow, leak the
    # learner's activity and fail offline: nothing but inline data is ever fetched.
    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def render_pdf(template: str, **context) -> bytes:
    from weasyprint import HTML

    html = render_template(template, lang=str(get_locale() or "en"), **context)
    return HTML(string=html, url_fetcher=local_only_fetcher()).write_pdf()
