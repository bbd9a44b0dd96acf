"""Course creation of the sandbox (seed 004, OAuth2 bearer) and the generated images it serves."""

from __future__ import annotations

import hashlib
import re
import secrets
import struct
import unicodedata
import zlib
from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from .rest import BodyError, read_json_object
from .store import Store, new_id, now

bp = Blueprint("sandbox_courses", __name__)

ROLES_ALLOWED = ("admin", "Course-Create")
VISIBILITY = {"public": 1, "hidden": 2, "private": 3, "paid": 4}
IMAGE_URL = re.compile(r"^https?://[^\s/?#]+[^\s?#]*\.(?:jpe?g|png|gif)(?:[?#]\S*)?$", re.I)

# Seed 004's fields: name -> kind. The API binds case-insensitively, as .NET model binding does.
FIELDS = {
    "LocationId": "id",
    "HostId": "id",
    "Title": "text",
    "DisplayOrder": "int",
    "Visibility": "visibility",
    "ShortDescription": "text",
    "Description": "text",
    "ShowOverview": "bool",
    "HasCommunityGroup": "bool",
    "Overview": "text",
    "ThumbnailImageUrl": "image",
    "RemoveThumbnailImage": "bool",
    "BannerImageUrl": "image",
    "RemoveBannerImage": "bool",
    "Active": "bool",
    "GroupName": "text",
    "ShowInHomePage": "bool",
    "TariffId": "id",
}
REQUIRED = ("LocationId", "HostId", "Title", "DisplayOrder", "Visibility")
MAX_LENGTH = {"Title": 200, "ShortDescription": 400, "GroupName": 100}


def mint_admin_token(store: Store, role: str = "admin", label: str | None = None) -> str:
    """A new OAuth2 bearer token for course creation; only its SHA-256 is kept."""
    token = secrets.token_urlsafe(32)
    store.insert(
        "admin_tokens",
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        role=role,
        label=label,
        created_at=now(),
    )
    return token


def envelope(status: int, message: str, value=None, errors=None):
    body = {
        "Status": status,
        "Message": message,
        "Value": value,
        "WasSuccessful": status == 200,
        "Errors": errors,
    }
    return jsonify(body), status


def spaced(name: str) -> str:
    """'DisplayOrder' -> 'Display Order', as FluentValidation names properties in messages."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def validation_failure(problems: list[tuple[str, str]]):
    errors = [{"PropertyName": name, "ErrorMessage": message} for name, message in problems]
    summary = " ".join(f"{name}: {message}" for name, message in problems)
    return envelope(400, summary, errors=errors)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if request.path.startswith("/assets/"):
        return exc
    return envelope(exc.code or 400, exc.description or exc.name)


def authorize():
    """None when the bearer token may create courses, else the 401/403 response."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    role = None
    if scheme.lower() == "bearer" and token.strip():
        digest = hashlib.sha256(token.strip().encode()).hexdigest()
        store = current_app.extensions["sandbox"].store
        role = store.scalar("SELECT role FROM admin_tokens WHERE token_hash = ?", digest)
    if role is None:
        response, status = envelope(401, "Authorization has been denied for this request.")
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response, status
    if role not in ROLES_ALLOWED:
        return envelope(
            403, "Creating courses needs a full administrator or the Course-Create role."
        )
    return None


def canonical_fields(body: dict) -> dict:
    by_lower = {name.lower(): name for name in FIELDS}
    return {by_lower[key.lower()]: value for key, value in body.items() if key.lower() in by_lower}


def check_field(name: str, value, problems: list) -> object:
    """The value converted for storage, or None after adding a problem."""
    label = f"'{spaced(name)}'"
    kind = FIELDS[name]
    if kind == "id":
        if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
            problems.append((name, f"{label} must be a non-empty string or integer id."))
            return None
        return str(value).strip()
    if kind == "text":
        if not isinstance(value, str):
            problems.append((name, f"{label} must be a string."))
            return None
        if name == "Title" and not value.strip():
            problems.append((name, f"{label} must not be empty."))
            return None
        limit = MAX_LENGTH.get(name)
        if limit and len(value) > limit:
            problems.append(
                (
                    name,
                    f"The length of {label} must be {limit} characters or fewer. "
                    f"You entered {len(value)} characters.",
                )
            )
            return None
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append((name, f"{label} must be an integer."))
            return None
        if not 0 <= value <= 2_147_483_647:
            problems.append((name, f"{label} must be between 0 and 2147483647."))
            return None
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            problems.append((name, f"{label} must be true or false."))
            return None
        return value
    if kind == "visibility":
        number = None
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
            number = value
        elif isinstance(value, str):
            number = VISIBILITY.get(value.strip().lower())
        if number is None:
            problems.append(
                (name, f"{label} has a range of values which does not include '{value}'.")
            )
        return number
    # image
    if not isinstance(value, str) or not IMAGE_URL.match(value):
        problems.append((name, f"{label} must be an http(s) URL of a JPG/JPEG, PNG or GIF image."))
        return None
    return value


def validate_course(store: Store, body: dict) -> tuple[dict, list]:
    fields = canonical_fields(body)
    problems: list[tuple[str, str]] = []
    values: dict = {}
    for name in FIELDS:
        value = fields.get(name)
        if value is None:
            if name in REQUIRED:
                problems.append((name, f"'{spaced(name)}' must not be empty."))
            continue
        checked = check_field(name, value, problems)
        if checked is not None:
            values[name] = checked
    location = values.get("LocationId")
    if location and not store.scalar("SELECT 1 FROM locations WHERE id = ?", location):
        problems.append(("LocationId", f"'Location Id' {location} does not exist."))
    tariff = values.get("TariffId")
    if values.get("Visibility") == 4 and not tariff and "TariffId" not in fields:
        problems.append(("TariffId", "'Tariff Id' must not be empty when 'Visibility' is Paid."))
    if tariff and not store.scalar("SELECT 1 FROM tariffs WHERE id = ?", tariff):
        problems.append(("TariffId", f"'Tariff Id' {tariff} does not exist."))
    for url, remove in (
        ("ThumbnailImageUrl", "RemoveThumbnailImage"),
        ("BannerImageUrl", "RemoveBannerImage"),
    ):
        if values.get(url) and values.get(remove):
            problems.append((remove, f"'{spaced(remove)}' cannot be true with '{spaced(url)}'."))
    return values, problems


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80].strip("-") or "course"


def unique_slug(db, title: str) -> str:
    base = slugify(title)
    slug, number = base, 1
    while db.execute("SELECT 1 FROM content WHERE slug = ?", (slug,)).fetchone():
        number += 1
        slug = f"{base}-{number}"
    return slug


@bp.post("/api/content/courses")
def create_course():
    denied = authorize()
    if denied is not None:
        return denied
    try:
        body = read_json_object()
    except BodyError as exc:
        return envelope(
            exc.status,
            f"Body: {exc.message}",
            errors=[{"PropertyName": "Body", "ErrorMessage": exc.message}],
        )
    store = current_app.extensions["sandbox"].store
    values, problems = validate_course(store, body)
    if problems:
        return validation_failure(problems)
    course_id = new_id()
    stamp = now()
    with store.transaction() as db:
        row = {
            "id": course_id,
            "slug": unique_slug(db, values["Title"]),
            "title": values["Title"],
            "kind": "course",
            "status": "published",
            "short_description": values.get("ShortDescription"),
            "description": values.get("Description"),
            "overview": values.get("Overview"),
            "show_overview": int(values.get("ShowOverview", False)),
            "has_community_group": int(values.get("HasCommunityGroup", False)),
            "asset": values.get("ThumbnailImageUrl"),
            "asset_alt_text": values["Title"] if values.get("ThumbnailImageUrl") else None,
            "banner_asset": values.get("BannerImageUrl"),
            "visibility": values["Visibility"],
            "tariff_id": values.get("TariffId"),
            "is_active": int(values.get("Active", True)),
            "display_order": values["DisplayOrder"],
            "group_name": values.get("GroupName") or None,
            "show_in_home_page": int(values.get("ShowInHomePage", False)),
            "location_id": values["LocationId"],
            "host_id": values["HostId"],
            "publish_date": stamp,
            "created_at": stamp,
            "updated_at": stamp,
        }
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        db.execute(f"INSERT INTO content ({columns}) VALUES ({marks})", tuple(row.values()))
    return envelope(200, "Course created.", value={"Id": course_id})


# ---- generated images -------------------------------------------------------------------


def colour_of(name: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(name.encode()).digest()
    return 40 + digest[0] % 150, 40 + digest[1] % 150, 60 + digest[2] % 150


@lru_cache(maxsize=256)
def png_image(name: str, width: int = 320, height: int = 180) -> bytes:
    """A diagonal two-colour gradient PNG, different for each name, made without Pillow."""
    r, g, b = colour_of(name)
    r2, g2, b2 = colour_of(name[::-1])
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            t = (x + y) / (width + height)
            rows += bytes((int(r + (r2 - r) * t), int(g + (g2 - g) * t), int(b + (b2 - b) * t)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + chunk(b"IEND", b"")
    )


def svg_image(name: str) -> str:
    r, g, b = colour_of(name)
    initials = "".join(part[0] for part in re.split(r"[-_]+", name) if part)[:2].upper()
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">'
        f'<rect width="128" height="128" rx="24" fill="rgb({r},{g},{b})"/>'
        '<text x="64" y="78" font-family="sans-serif" font-size="44" text-anchor="middle" '
        f'fill="#fff">{initials}</text></svg>'
    )


@bp.get("/assets/<name>.<ext>")
def asset(name: str, ext: str):
    if not re.fullmatch(r"[a-z0-9_-]{1,64}", name):
        abort(404)
    if ext == "png":
        data, mimetype = png_image(name), "image/png"
    elif ext == "svg":
        data, mimetype = svg_image(name), "image/svg+xml"
    else:
        abort(404)
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
