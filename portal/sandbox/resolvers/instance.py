"""Instance-wide data: company details and branding, translations, languages, terms."""

from __future__ import annotations

from ..store import loads
from .common import ctx, query
from .course_groups import client_type

APPEARANCE_FIELDS = (
    "logoAsset",
    "accentColor",
    "secondaryColor",
    "linkColor",
    "font",
    "altFont",
    "favicon",
    "backgroundAsset",
    "backgroundAssetTiled",
    "retinaLogo",
    "customCss",
)


def _client_appearance(store, user_id) -> tuple[str | None, dict]:
    """The name and appearance of a user's client, when the client has branding enabled."""
    row = store.one(
        "SELECT clients.flags, client_appearance.name, client_appearance.settings "
        "FROM users JOIN clients ON clients.id = users.client_id "
        "JOIN client_appearance ON client_appearance.client_id = clients.id WHERE users.id = ?",
        str(user_id),
    )
    if row is None or not loads(row["flags"], {}).get("enableBranding"):
        return None, {}
    return row["name"], loads(row["settings"], {})


def _appearance(settings: dict, default_id: str) -> dict:
    appearance = {name: settings.get(name) for name in APPEARANCE_FIELDS}
    appearance["id"] = settings.get("id") or default_id
    appearance["globalNavigationLinks"] = [
        {"label": link.get("label") or "", "href": link.get("href")}
        for link in settings.get("globalNavigationLinks") or []
    ]
    return appearance


@client_type.field("appearance")
def resolve_client_appearance(obj, info):
    """The client's own appearance, None when it has none (its learners see the company's)."""
    row = ctx(info).store.one(
        "SELECT settings FROM client_appearance WHERE client_id = ?", obj["id"]
    )
    if row is None:
        return None
    return _appearance(loads(row["settings"], {}), f"{obj['id']}-appearance")


@query.field("CompanyDetails")
def resolve_company_details(_obj, info, user=None):
    store = ctx(info).store
    row = store.one("SELECT * FROM company ORDER BY rowid LIMIT 1")
    if row is None:
        return None
    settings = loads(row["settings"], {})
    client_name, client_settings = _client_appearance(store, user) if user else (None, {})
    settings = {**settings, **{k: v for k, v in client_settings.items() if v is not None}}
    return {
        "name": client_name or row["name"],
        "subdomain": row["subdomain"],
        "settings": _appearance(settings, f"{row['id']}-appearance"),
    }


@query.field("CompanyTranslations")
def resolve_company_translations(_obj, info, namespace):
    rows = ctx(info).store.query(
        "SELECT * FROM translations WHERE namespace = ? ORDER BY lang", namespace
    )
    return [
        {"id": r["id"], "lang": r["lang"], "translations": loads(r["translations"], {})}
        for r in rows
    ]


@query.field("Languages")
def resolve_languages(_obj, info):
    rows = ctx(info).store.query("SELECT * FROM languages ORDER BY position, label")
    return [
        {
            "id": r["id"],
            "label": r["label"],
            "code": r["code"],
            "selectorLabel": r["selector_label"],
            "isCustom": bool(r["is_custom"]),
        }
        for r in rows
    ]


@query.field("TermsAndConditions")
def resolve_terms(_obj, info):
    row = ctx(info).store.one("SELECT terms FROM company ORDER BY rowid LIMIT 1")
    return {"globalTerms": None if row is None else row["terms"]}
