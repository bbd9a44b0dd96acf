"""The French and German catalogs are complete and faithful, and learners see the portal in them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from markupsafe import escape

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "portal" / "translations"
LOCALES = ("fr", "de")
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "de": "nplurals=2; plural=(n != 1);"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|\{(\w*)\}")
# Strings only our catalogs provide (the demo instance's CompanyTranslations label other ones).
OWN_STRINGS = {
    "/dashboard": ["Dashboard", "Your content by group", "Sign out", "Skip to main content"],
    "/certificates": ["Your certificates", "Include expired certificates", "Certificate filters"],
    "/badges": ["Your badge board", "Still to earn", "Learners shown"],
    "/account": ["Your account", "Languages", "Licenses"],
    "/catalog": ["Search the catalog", "Catalog content"],
}


def catalog(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


def key(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def texts(string) -> list[str]:
    return [string] if isinstance(string, str) else list(string)


def pairs(message):
    """(source, translation) pairs of a message, plural forms included."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    singular, plural = message.id
    return [(singular if n == 0 else plural, text) for n, text in enumerate(message.string)]


def extraction_keywords() -> dict:
    """The keywords `make translations` passes to pybabel (its `-k` options), plus the defaults."""
    makefile = (ROOT / "Makefile").read_text()
    command = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    return {**DEFAULT_KEYWORDS, **parse_keywords(re.findall(r"-k\s+(\S+)", command))}


def extracted_ids() -> set[str]:
    """Every msgid in the templates and code, found the way `make translations` finds them."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(
        str(ROOT), method_map, options_map, keywords=extraction_keywords(), strip_comment_tags=True
    )
    return {key(message) for _, _, message, _, _ in found}


def translate(locale: str, text: str) -> str:
    return catalog(locale)[text].string


def test_extraction_finds_strings_of_every_kind():
    ids = extracted_ids()
    # A template `_()`, a lazy `_l`, an `ngettext` plural, a `label()` default, an `N_` mark.
    for text in ("Skip to main content", "Dashboard", "%(num)d item.", "My learning", "Bookmarks"):
        assert text in ids


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_of_the_code_is_in_the_catalog(locale):
    known = {key(m.id) for m in catalog(locale) if m.id}
    assert sorted(extracted_ids() - known) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    untranslated = [
        m.id for m in catalog(locale) if m.id and (m.fuzzy or not all(t for _, t in pairs(m)))
    ]
    assert untranslated == []


@pytest.mark.parametrize("locale", LOCALES)
def test_plural_forms_follow_the_language(locale):
    source = catalog(locale)
    assert source.plural_forms == PLURAL_FORMS[locale]
    plurals = [m for m in source if m.id and not isinstance(m.id, str)]
    assert plurals
    assert all(len(m.string) == 2 for m in plurals)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders_of_their_source(locale):
    wrong = [
        (source, text)
        for message in catalog(locale)
        if message.id
        for source, text in pairs(message)
        if placeholders(source) != placeholders(text)
    ]
    assert wrong == []


def test_placeholders_are_read_in_both_styles():
    assert placeholders("%(num)d of %(name)s, {title} and {}") == ["", "name", "num", "title"]


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogs_match_their_sources(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        compiled = read_mo(mo)
    source = catalog(locale)
    assert compiled.plural_forms == source.plural_forms
    assert {key(m.id) for m in source if m.id} == {key(m.id) for m in compiled if m.id}
    for message in source:
        if message.id:
            assert texts(compiled[message.id].string) == texts(message.string)


@pytest.mark.parametrize(("path", "sources"), OWN_STRINGS.items())
def test_a_french_learner_reads_every_area_in_french(client, login, path, sources):
    login(client, who="multilingual")
    answer = client.get(path)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert '<html lang="fr"' in page
    for source in sources:
        french = translate("fr", source)
        assert french != source
        assert str(escape(french)) in page
        if " " in source:  # one-word sources may also be data (e.g. a course named "Licenses")
            assert source not in page


def test_a_french_learner_gets_french_plurals(client, login):
    login(client, who="multilingual")
    page = client.get("/dashboard?tab=certificates").get_data(as_text=True)
    assert "Vous détenez 1 certificat." in page


def test_switching_to_german_through_the_language_form(client, login, csrf_token):
    login(client, who="multilingual")
    answer = client.post(
        "/language", data={"lang": "de", "csrf_token": csrf_token(client, "/dashboard")}
    )
    assert answer.status_code in (302, 303)
    for path, sources in OWN_STRINGS.items():
        page = client.get(path).get_data(as_text=True)
        assert '<html lang="de"' in page
        for source in sources:
            assert str(escape(translate("de", source))) in page


def test_a_german_browser_gets_the_sign_in_page_in_german(client):
    page = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="de"' in html
    assert translate("de", "Sign in") in html
    assert translate("de", "Password") in html
