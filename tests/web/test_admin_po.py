"""PO uploads in any charset Babel reads: decoded right or refused with 422, never a 5xx; entries only the template's."""

import codecs
import html
import io
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from service import translations
from service.catalogs import po_bytes
from tests.web.admin_helpers import admin_client, with_tokens

BEARER = {"Authorization": "Bearer alice-token-123"}


@pytest.fixture
def client(settings):
    with admin_client(with_tokens(settings)) as test_client:
        yield test_client


def spanish(client) -> str:
    """The served Spanish PO as text, with Cirug… made CIRUG… (to see it served) and no extracted comments
    (they quote the English source, with characters no single-byte charset has)."""
    text = client.get("/admin/translations/es.po", headers=BEARER).content.decode("utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("#.")]
    return "".join(lines).replace('msgstr "Cirug', 'msgstr "CIRUG')


def declaring(text: str, charset: str, *, comment: str = "") -> str:
    return comment + text.replace("charset=utf-8", f"charset={charset}")


def upload(client, data: bytes):
    return client.post("/admin/translations/es", headers=BEARER, files={"po": ("es.po", data)})


GOOD = {
    "latin-1": lambda t: declaring(t, "ISO-8859-1").encode("latin-1"),
    "latin-1, accented comment first": lambda t: declaring(t, "ISO-8859-1", comment="# Traducción\n").encode("latin-1"),
    "windows-1252": lambda t: declaring(t, "windows-1252", comment="# “quoted”\n").encode("cp1252"),
    "utf-8 with a BOM": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "utf-16 with a BOM": lambda t: declaring(t, "UTF-16").encode("utf-16"),
    "utf-16 with a BOM, header says utf-8": lambda t: t.encode("utf-16"),
    "crlf line ends": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
}


@pytest.mark.parametrize("make", GOOD.values(), ids=GOOD.keys())
def test_a_po_in_any_charset_babel_reads_is_decoded_and_served(client, make):
    response = upload(client, make(spanish(client)))
    assert response.status_code == 200 and "es is now served" in response.text
    served = client.get("/admin/translations/es.po", headers=BEARER).content.decode("utf-8")
    assert 'msgstr "CIRUGía: Si un tumor nuevo está' in served and "charset=utf-8" in served


def test_an_upload_in_latin_1_is_stored_and_served_on_both_backends(settings, database_url):
    with admin_client(with_tokens(settings, database_url=database_url)) as client:
        assert upload(client, GOOD["latin-1"](spanish(client))).status_code == 200
        served = client.get("/admin/translations/es.po", headers=BEARER).content.decode("utf-8")
    assert 'msgstr "CIRUGía: Si un tumor nuevo está' in served


def mo_file(client) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, Catalog(locale="es"))
    return buffer.getvalue()


BAD = {
    "unknown charset": (lambda t, c: declaring(t, "klingon-8").encode(), "charset 'klingon-8' is unknown"),
    "not a text encoding": (lambda t, c: declaring(t, "base64").encode(), "not a text encoding"),
    "latin-1 bytes, says utf-8": (lambda t, c: t.encode("latin-1"), "not valid utf-8"),
    "invalid utf-8": (lambda t, c: t.encode().replace(b"CIRUG", b"CIR\xffG"), "not valid utf-8"),
    "invalid for shift_jis": (lambda t, c: declaring(t, "shift_jis").encode("latin-1"), "not valid shift_jis"),
    "says utf-16, no BOM": (lambda t, c: declaring(t, "UTF-16").encode("utf-8"), "reads as ASCII"),
    "utf-16 without a BOM": (lambda t, c: declaring(t, "UTF-16").encode("utf-16-le"), "not valid utf-8"),
    "two charsets": (lambda t, c: ("#  Content-Type: text/plain; charset=latin-1\n" + t).encode("latin-1"), "declares"),
    "empty": (lambda t, c: b"", "empty"),
    "only whitespace": (lambda t, c: b" \n\n", "empty"),
    "a .mo file": (lambda t, c: mo_file(c), ".mo file"),
    "binary garbage": (lambda t, c: bytes(range(256)) * 4, "not valid utf-8"),
    "garbage that is utf-8": (lambda t, c: b'msgid msgstr "\n' * 20, "does not parse"),
    "a nul in a string": (lambda t, c: t.replace("CIRUG", "CI\x00RUG").encode(), "control character (U+0000)"),
    "an escape in a string": (lambda t, c: t.replace("CIRUG", "CI\x1bRUG").encode(), "control character (U+001B)"),
}


@pytest.mark.parametrize(("make", "reason"), BAD.values(), ids=BAD.keys())
def test_a_po_that_cannot_be_read_is_refused_with_422_and_nothing_changes(client, make, reason):
    response = upload(client, make(spanish(client), client))
    assert response.status_code == 422 and "not published" in response.text
    assert reason is None or reason in html.unescape(response.text)
    assert client.app.state.line.versions.history() == []


def test_entries_the_template_lacks_are_refused_with_how_many_and_a_few_of_them(client):
    extra = "".join(f'\nmsgctxt "spam{n}"\nmsgid "Buy now {n}"\nmsgstr "Compre ya {n}"\n' for n in range(3000))
    response = upload(client, (spanish(client) + extra).encode())
    assert response.status_code == 422
    assert "3000 entries are not in the template" in response.text
    assert "spam0 'Buy now 0'; spam1 'Buy now 1'" in html.unescape(response.text) and "and 2997 more" in response.text
    assert client.app.state.line.versions.history() == []


def test_a_plural_entry_is_not_in_the_template_either(client):
    plural = '\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] "uno"\nmsgstr[1] "muchos"\n'
    response = upload(client, (spanish(client) + plural).encode())
    assert response.status_code == 422 and "1 entries are not in the template" in response.text


def test_an_edited_entry_of_the_template_is_still_accepted(client):
    text = spanish(client)
    assert upload(client, text.encode()).status_code == 200


def test_obsolete_entries_are_not_kept(client):
    text = spanish(client) + '\n#~ msgctxt "gone"\n#~ msgid "Old"\n#~ msgstr "Viejo"\n'
    assert upload(client, text.encode()).status_code == 200
    assert "Viejo" not in client.get("/admin/translations/es.po", headers=BEARER).text


def test_a_file_over_1_mib_is_refused(client):
    text = spanish(client) + "# " + "x" * (1024 * 1024) + "\n"
    assert upload(client, text.encode()).status_code == 413


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_no_mangled_po_makes_the_check_raise(client, data):
    base = po_bytes(client.app.state.line.catalogs.sources["es"])
    at = data.draw(st.integers(0, len(base) - 1))
    cut = data.draw(st.integers(0, 40))
    insert = data.draw(
        st.binary(max_size=12)
        | st.sampled_from(
            [b'"', b"\\", b"\n", b"msgid ", b"%(", b"\xff", b"charset=utf-16", b'msgstr[0] "', b"#, fuzzy\n"]
        )
    )
    mangled = base[:at] + insert + base[at + cut :]
    servable = translations.servable(line=client.app.state.line, locale="es", data=mangled)
    problems = servable if isinstance(servable, list) else []
    assert not any("could not be checked" in problem for problem in problems), problems


def test_an_upload_that_would_opt_another_languages_speakers_out_is_refused(client):
    # SIGE is Tagalog for "OK": as a Spanish stop word, Tagalog speakers answering "sige" would be opted out.
    catalog = client.app.state.line.catalogs.sources["es"]
    entry = next(message for message in catalog if message.context == "stop_keywords")
    text = po_bytes(catalog).replace(entry.string.encode(), (entry.string + ", SIGE").encode())
    problems = translations.servable(line=client.app.state.line, locale="es", data=text)
    assert isinstance(problems, list) and any("'SIGE' would be read as stop" in p for p in problems), problems


def injected(text: str) -> bytes:
    """A PO whose checked form has no Spanish stop words but whose stored form has hostile ones: Babel writes
    the project name from a folded Project-Id-Version header, newlines and all, into the header comment,
    where the PROJECT placeholder stood, and reading the stored file back finds an entry there."""
    text = re.sub(
        r'#[^\n]*\n(?:#[^\n]*\n)*msgctxt "stop_keywords"\nmsgid (?:"[^\n]*"\n)+msgstr (?:"[^\n]*"\n)+\n',
        "",
        text,
        count=1,
    )
    text = "# PROJECT\n" + text
    entry = (
        ' msgctxt \\"stop_keywords\\"\\n msgid \\"STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT\\"'
        '\\n msgstr \\"STOP, HELLO, THANKS, OK, HER2, MENU, HELP\\"\\n #\\n'
    )
    text = re.sub(
        r'"Project-Id-Version: [^"\n]*\\n"',
        lambda _: '"Project-Id-Version: Infoline\\n"\n"' + entry + ' 1\\n"',
        text,
        count=1,
    )
    return text.encode("utf-8")


def test_what_is_served_is_what_was_checked(client):
    response = upload(client, injected(spanish(client)))
    assert response.status_code == 422, response.text[:300]
    served = client.app.state.line.catalogs.sources["es"]
    stop_words = next(message for message in served if message.context == "stop_keywords").string
    assert "HELLO" not in stop_words and client.app.state.line.versions.history() == []


@pytest.mark.parametrize("charset", ["idna", "undefined"])
def test_a_charset_that_encodes_nothing_is_refused_not_a_500(client, charset):
    response = upload(client, declaring(spanish(client), charset).encode())
    assert response.status_code == 422


@pytest.mark.parametrize("character", ["\ufffe", "\uffff", "\U0010ffff", "\ufdd0"])
def test_a_character_xml_cannot_carry_is_refused(client, character):
    # Every reply in the language would be TwiML Twilio cannot read.
    response = upload(client, spanish(client).replace("CIRUG", "CIRUG" + character).encode())
    assert response.status_code == 422 and "U+" in html.unescape(response.text)


def test_a_plural_forms_header_gettext_cannot_read_is_refused(client):
    text = re.sub(r'"Plural-Forms: [^"\n]*\\n"', '"Plural-Forms: nplurals=2; plural=(n \\\\" 1);\\n"', spanish(client))
    response = upload(client, text.encode())
    assert response.status_code == 422 and "Plural-Forms" in html.unescape(response.text)


def test_a_stored_version_that_no_longer_parses_does_not_stop_a_replica(settings):
    with admin_client(with_tokens(settings)) as client:
        client.app.state.line.versions.add(
            locale="es", po='msgid "unterminated', label="x", note="upload", counts=(0, 0, 0)
        )
        line = client.app.state.line
        translations.refresh_catalogs(line=line)  # or the background loop did, a moment before: either serves it
        assert line.catalog_version[:2] == line.versions.newest_id()
        assert line.catalogs.message("es", "referral")  # served from the PO file
    with admin_client(with_tokens(settings)):  # and a new replica starts
        pass


def served_po(client, locale: str) -> str:
    return client.get(f"/admin/translations/{locale}.po", headers=BEARER).content.decode("utf-8")


def with_entry(text: str, context: str, new: str) -> str:
    """A PO text with one entry's msgstr replaced."""
    return re.sub(
        rf'(msgctxt "{context}"\nmsgid (?:"[^\n]*"\n)+)msgstr "[^\n]*"',
        lambda m: m.group(1) + f'msgstr "{new}"',
        text,
        count=1,
    )


def rollback(client, locale: str):
    return client.post(f"/admin/translations/{locale}/rollback", headers=BEARER)


@pytest.mark.parametrize("locale", ["es", "fr", "pt", "sw", "tl", "vi", "ar", "hi", "zh"])
def test_every_language_downloaded_uploads_again_unchanged(client, locale):
    # Babel names Tagalog fil_PH in its Language header: tl could never be uploaded.
    response = client.post(
        f"/admin/translations/{locale}",
        headers=BEARER,
        files={"po": (f"{locale}.po", served_po(client, locale).encode())},
    )
    assert response.status_code == 200 and f"{locale} is now served" in response.text


def test_a_rollback_that_would_newly_break_another_language_is_refused(client):
    spanish_now = served_po(client, "es")
    stops = next(m for m in client.app.state.line.catalogs.sources["es"] if m.context == "stop_keywords").string
    assert upload(client, with_entry(spanish_now, "stop_keywords", stops + ", DORMIR").encode()).status_code == 200
    assert upload(client, spanish_now.encode()).status_code == 200  # DORMIR gone again
    french = served_po(client, "fr")
    everyday = next(m for m in client.app.state.line.catalogs.sources["fr"] if m.context == "everyday_words").string
    french_upload = client.post(
        "/admin/translations/fr",
        headers=BEARER,
        files={"po": ("fr.po", with_entry(french, "everyday_words", everyday + ", DORMIR").encode())},
    )
    assert french_upload.status_code == 200
    response = rollback(client, "es")  # would bring back the Spanish stop word DORMIR, now a French everyday word
    assert response.status_code == 422 and "DORMIR" in html.unescape(response.text)
    assert (
        "DORMIR"
        not in next(m for m in client.app.state.line.catalogs.sources["es"] if m.context == "stop_keywords").string
    )


def test_a_rollback_onto_a_version_that_does_not_parse_is_refused_not_a_500(client):
    line = client.app.state.line
    line.versions.add(locale="es", po='msgid "unterminated', label="x", note="upload", counts=(0, 0, 0))
    line.versions.add(locale="es", po=served_po(client, "es"), label="x", note="upload", counts=(0, 0, 0))
    response = rollback(client, "es")
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("data", "charset"),
    [
        (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n', "ISO-8859-1"),
        (b'"content-type: text/plain; CHARSET=utf-8\\n"\n', "utf-8"),
        (b'#  Content-Type: text/plain; charset=latin-1\n"Content-Type: text/plain; charset=utf-8\\n"\n', "latin-1"),
        (b'"Content-Type: text/plain\\n"\n"charset=latin-1"\n', None),  # not on the Content-Type line
        (b'"Content-Type: "x" charset=latin-1\\n"\n', None),  # a quote between: another string
        (b'msgid ""\nmsgstr ""\n"' + b"Content-Type: x" * 1000 + b"\n", None),  # looked at once, line by line
    ],
)
def test_the_declared_charset_is_found_on_its_content_type_line(data, charset):
    from service.po_upload import declared_charset

    assert declared_charset(data) == charset
