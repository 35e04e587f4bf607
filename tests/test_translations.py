"""The Dutch catalogue covers every UI string, its compiled form is current, and the UI switches language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "webcare" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
DUTCH_PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
DUTCH_MO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.mo"
FIX = "run `make translations`, translate the new entries in the .po and run it again"


def _read_po(path: Path):
    with path.open("rb") as stream:
        return read_po(stream)


def _translations(catalog) -> dict[str, str]:
    """Singular msgid to its translation; a plural entry counts as translated only when every form is."""
    return {_singular(message.id): _complete(message.string) for message in catalog if message.id and not message.fuzzy}


def _singular(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _complete(translation: str | tuple[str, ...]) -> str:
    if isinstance(translation, str):
        return translation
    return " | ".join(translation) if all(form.strip() for form in translation) else ""


def _source_msgids() -> set[str]:
    """The msgids `pybabel extract -F babel.cfg -k _l` finds in the code and templates now."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    return {
        message if isinstance(message, str) else message[0]
        for _filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }


def test_every_template_msgid_has_a_dutch_translation():
    template_ids = {_singular(message.id) for message in _read_po(TEMPLATE) if message.id}
    dutch = _translations(_read_po(DUTCH_PO))

    untranslated = sorted(msgid for msgid in template_ids if not dutch.get(msgid, "").strip())

    assert len(template_ids) > 50
    assert not untranslated, f"no Dutch translation for {untranslated}; {FIX}"


def test_every_string_in_the_code_is_in_the_dutch_catalogue():
    dutch = _translations(_read_po(DUTCH_PO))

    missing = sorted(msgid for msgid in _source_msgids() if not dutch.get(msgid, "").strip())

    assert "Skip to main content" in _source_msgids()
    assert not missing, f"UI strings without a Dutch translation: {missing}; {FIX}"


def test_compiled_catalogue_matches_the_po_file():
    with DUTCH_MO.open("rb") as stream:
        compiled = {_singular(message.id): _complete(message.string) for message in read_mo(stream) if message.id}

    assert compiled == _translations(_read_po(DUTCH_PO)), f"messages.mo is stale; {FIX}"


def test_login_page_is_dutch_by_default(client):
    page = client.get("/login").get_data(as_text=True)

    assert '<html lang="nl">' in page
    assert "<h1>Inloggen</h1>" in page
    assert "Naar de hoofdinhoud" in page
    assert "Wachtwoord" in page


def test_locale_switch_turns_the_ui_english(app, client, csrf_from):
    # The `app` fixture holds one app context open, so `g` (where Flask-Babel caches the locale) would
    # outlive a request; give each request its own context, as a real server does.
    def fresh(call, *args, **kwargs):
        with app.app_context():
            return call(*args, **kwargs)

    token = csrf_from(fresh(client.get, "/login").get_data(as_text=True))

    response = fresh(client.post, "/locale", data={"locale": "en", "next": "/login", "csrf_token": token})
    page = fresh(client.get, response.headers["Location"]).get_data(as_text=True)

    assert response.status_code == 302
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page
    assert "Skip to main content" in page
    assert "Inloggen" not in page


def test_locale_switch_refuses_unknown_languages(client, csrf_from):
    token = csrf_from(client.get("/login").get_data(as_text=True))

    response = client.post("/locale", data={"locale": "de", "csrf_token": token})

    assert response.status_code == 400
