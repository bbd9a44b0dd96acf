"""The French and German catalogs are complete and faithful, and learners see the portal in them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "portal" / "translations"
LOCALES = ("fr", "de")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def catalog(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=locale)


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def texts(string) -> list[str]:
    return [string] if isinstance(string, str) else list(string)


def pairs(message):
    """(source, translation) pairs of a message, plural forms included."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    singular, plural = message.id
    return [(singular if n == 0 else plural, text) for n, text in enumerate(message.string)]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    untranslated = [
        m.id for m in catalog(locale) if m.id and (m.fuzzy or not all(t for _, t in pairs(m)))
    ]
    assert untranslated == []


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


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogs_match_their_sources(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        compiled = read_mo(mo)
    source = catalog(locale)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in source if m.id} == {
        m.id if isinstance(m.id, str) else m.id[0] for m in compiled if m.id
    }
    for message in source:
        if message.id:
            assert texts(compiled[message.id].string) == texts(message.string)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/dashboard", ["Mes contenus", "Terminés"]),
        ("/certificates", ["Vos certificats", "Inclure les certificats expirés"]),
        ("/badges", ["Votre tableau de badges"]),
        ("/account", ["Votre solde"]),
        ("/catalog", ["Rechercher dans le catalogue"]),
    ],
)
def test_a_french_learner_reads_every_area_in_french(client, login, path, words):
    login(client, who="multilingual")
    page = client.get(path).get_data(as_text=True)
    assert '<html lang="fr"' in page
    for word in words:
        assert word in page


def test_switching_to_german_shows_german(client, login, csrf_token):
    login(client, who="busy")
    answer = client.post(
        "/language", data={"lang": "de", "csrf_token": csrf_token(client, "/dashboard")}
    )
    assert answer.status_code in (302, 303)
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="de"' in page
    assert "Meine Inhalte" in page
