"""Catalogs from tiny fixture PO files: served, fuzzy, missing, fallback chains."""

import pytest

from service.catalogs import build_catalogs, fallback_chain, load_catalogs
from service.content import load_content
from service.core import InboundMessage, Subscriber, respond
from service.programs import Program
from tests.conftest import write_fixture_po

REFERRAL = "Ask your care team what is right for you."


@pytest.fixture
def spanish(tmp_path, content):
    def make(fuzzy=frozenset(), drop=()):
        her2 = content.topic("her2")
        entries = {
            ("her2", her2.summary): "HER2: Si el tumor es HER2 positivo ...",
            ("her2", her2.keywords): "HER2, HERCEPTIN",
            ("referral", REFERRAL): "Pregunte a su equipo de atención qué es lo mejor para usted.",
        }
        for key in drop:
            entries.pop(key)
        write_fixture_po(tmp_path, "es", entries, fuzzy=fuzzy)
        return load_catalogs(content=content, locales_dir=tmp_path)

    return make


def reply(catalogs, body="HER2", locale="es"):
    message = InboundMessage(message_id="SM1", sender="+1", recipient="+2", body=body)
    return respond(message, Subscriber(locale=locale), Program(translations="drafts", id="p", name="P"), catalogs)


def test_a_translated_reply_is_wholly_in_its_locale(spanish):
    result = reply(spanish())
    assert result.locale == "es"
    assert (
        result.body
        == "HER2: Si el tumor es HER2 positivo ...\nPregunte a su equipo de atención qué es lo mejor para usted."
    )


@pytest.mark.parametrize("part", [("her2", "summary"), ("referral", REFERRAL)])
def test_a_fuzzy_part_sends_the_whole_reply_in_english(spanish, content, part):
    key = ("her2", content.topic("her2").summary) if part[0] == "her2" else part
    result = reply(spanish(fuzzy={key}))
    assert result.locale == "en"
    assert result.body == content.topic("her2").summary + "\n" + REFERRAL


def test_a_missing_part_sends_the_whole_reply_in_english(spanish, content):
    result = reply(spanish(drop=[("referral", REFERRAL)]))
    assert (result.locale, result.body.endswith(REFERRAL)) == ("en", True)


def test_a_topic_without_translation_falls_back_while_others_are_served(spanish):
    catalogs = spanish()
    assert reply(catalogs, "HER2").locale == "es"
    assert reply(catalogs, "GOALS").locale == "en"


def test_regional_locale_falls_back_to_its_language(spanish):
    assert reply(spanish(), locale="es_MX").locale == "es"


@pytest.mark.parametrize(("locale", "chain"), [("pt_BR", ("pt_BR", "pt", "en")), ("es", ("es", "en")), ("en", ("en",))])
def test_fallback_chain(locale, chain):
    assert fallback_chain(locale) == chain


def test_review_status_comes_from_the_po_header(tmp_path, content):
    write_fixture_po(tmp_path, "fr", {}, header="# review-status: clinically-reviewed")
    write_fixture_po(tmp_path, "sw", {}, header="# Swahili translation")
    catalogs = load_catalogs(content=content, locales_dir=tmp_path)
    assert dict(catalogs.review_status) == {"fr": "clinically-reviewed", "sw": "draft"}


@pytest.mark.parametrize(
    ("header", "status", "transliterates"),
    [
        ("# review-status: clinically-reviewed\n# transliterate: gsm7", "clinically-reviewed", True),
        ("#review-status:draft\n#  Transliterate:  GSM7  ", "draft", True),
        ("# Infoline translation.", "draft", False),
        ("\n" * 2000 + "# transliterate: gsm7x", "draft", False),  # a run of blank lines is crossed once, not per line
    ],
)
def test_a_po_header_says_its_review_status_and_transliteration(header, status, transliterates):
    from babel.messages.catalog import Catalog

    from service.catalogs import allows_transliteration, review_status

    catalog = Catalog(locale="es", header_comment=header)
    assert review_status(catalog) == status and allows_transliteration(catalog, "es") == transliterates


def test_other_approvals_keep_the_parsed_po_catalogs_and_serve_the_new_approvals(tmp_path):
    content = load_content()
    reads = []
    catalogs = build_catalogs(content=content, sources={}, read_sources=lambda: reads.append(1) or {})
    assert catalogs.sources == {} and reads == [1]
    approved = catalogs.with_approvals({"es": {("help", "x"): "y"}})
    assert approved.sources == {} and reads == [1]  # not read again
    assert approved.approvals == {"es": {("help", "x"): "y"}} and catalogs.approvals == {}
    unparsed = build_catalogs(content=content, sources={}, read_sources=lambda: reads.append(2) or {})
    assert unparsed.with_approvals({}).sources == {} and reads == [1, 2]  # nothing parsed to keep: read when asked
