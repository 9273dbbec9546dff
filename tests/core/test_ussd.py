"""USSD screens: every locale x topic x program fits, ends with the referral, pages on; one language a screen."""

import pytest
from babel.messages.catalog import Catalog
from hypothesis import given, settings
from hypothesis import strategies as st

from service.catalogs import build_catalogs, fallback_chain
from service.core import InboundMessage, Subscriber, respond
from service.core.referral import referral
from service.core.render import directed, native_name
from service.core.types import Intent
from service.core.ussd import ussd_choices, ussd_screens
from service.core.ussd_pages import topic_pages
from service.programs import MAX_CONTACT_CHARS, MAX_LINE_NAME_CHARS, Program
from service.segments import UNSENDABLE, count, to_gsm7

LONGEST = Program(
    translations="drafts",
    id="longest",
    name="Longest",
    line_name="Northern Rift Clinics"[:MAX_LINE_NAME_CHARS],
    contact="Northern Rift Valley Care, 0800 123 4567"[:MAX_CONTACT_CHARS],
    contacts=(("es", "Clínica del Valle del Rift, 0800 123 456"), ("ar", "عيادة وادي الصدع الشمالي، ٠٨٠٠ ١٢٣ ٤٥٦٧٨")),
    encoding="gsm7",
)
PROGRAMS = [Program(translations="drafts", id="default", name="Infoline"), LONGEST]
# English is her country's language: the tests of what English screens say hold whatever is translated.
US = "+15551230001"


def on_one_screen(text):
    """At most 160 octets: 182 GSM-7 septets, or 80 UCS-2 characters (3GPP TS 23.038)."""
    cost = count(text)
    return cost.units <= (182 if cost.encoding == "GSM-7" else 80)


def program_cases(programs):
    return [*PROGRAMS, programs.for_number("*384*1234#")]


def step(path, catalogs, program=PROGRAMS[0], subscriber=Subscriber(), sender=US):
    message = InboundMessage(message_id="USSD1", sender=sender, recipient="*384*1234#", body=path, channel="ussd")
    return respond(message, subscriber, program, catalogs)


def endings(catalogs, locale, program):
    """The referral as an END screen may show it: as written, transliterated, marked right-to-left."""
    text = referral(catalogs, locale, program)
    return {text, to_gsm7(text), directed(text, locale), directed(to_gsm7(text), locale)}


def test_the_first_screen_is_the_numbered_menu(catalogs):
    reply = step("", catalogs)
    assert reply.body.splitlines()[1:] == [
        "1 HER2",
        "2 HORMONE",
        "3 CHEMO",
        "4 SURGERY",
        "5 RADIATION",
        "6 GOALS",
        "7 Language",
    ]
    assert reply.body.startswith("Infoline: ") and reply.goes_on and reply.intent == Intent.MENU
    assert (reply.segments, reply.encoding, reply.topic) == (0, "GSM-7", None)


def said(page: str) -> str:
    """What a page says of the summary: its first line (the footer or the referral follow it)."""
    return page.split("\n", 1)[0]


def test_a_topic_pages_on_and_ends_with_the_referral(catalogs, content):
    first, last = step("3", catalogs, LONGEST), step("3*1", catalogs, LONGEST)
    assert first.body.endswith("\n1 More\n0 Menu") and first.goes_on and first.intent == Intent.TOPIC
    assert first.topic == last.topic == "chemo" and last.intent == Intent.TOPIC
    assert not last.goes_on and last.body.endswith("\n" + referral(catalogs, "en", LONGEST))
    assert said(first.body) + " " + said(last.body) == content.topic("chemo").summary
    assert step("3*1*1*1", catalogs, LONGEST) == last  # past the end: the last page again


def test_the_languages_offered_are_the_sms_list_and_a_number_chooses_one(catalogs):
    listed = step("7", catalogs)
    assert listed.intent == Intent.LANGUAGE and listed.goes_on
    assert listed.body.splitlines()[0] == "Choose a language:"
    pages = [step("7" + "*98" * page, catalogs).body for page in range(len(ussd_choices(catalogs).locales))]
    shown = list(dict.fromkeys(pages))  # past the last page: the last again
    assert 1 < len(shown) < len(pages) and all(on_one_screen(page) for page in shown)
    assert all(page.splitlines()[-2:] == ["98 More", "0 Menu"] for page in shown[:-1])
    assert shown[-1].splitlines()[-1] == "0 Menu" and "98 More" not in shown[-1]
    items = [
        line for page in shown for line in page.splitlines() if line[:1].isdigit() and line[:2] not in ("98", "0 ")
    ]
    assert items == [f"{number} {native_name(code)}" for number, code in enumerate(ussd_choices(catalogs).locales, 1)]
    chose = step("7*3", catalogs)
    assert chose.intent == Intent.LANGUAGE_SET and chose.subscriber.locale == "es" and chose.goes_on
    assert chose.locale in fallback_chain("es") and chose.body == step("", catalogs, subscriber=Subscriber("es")).body


def test_a_choice_made_earlier_in_the_path_holds_and_her_opt_out_is_unchanged(catalogs):
    out = Subscriber(locale="fr", opted_out=True)
    assert step("7*3", catalogs, subscriber=out).subscriber == Subscriber(locale="es", opted_out=True)
    # A later step is shown in the path's choice but writes nothing: a language she texted since stays.
    later = step("7*3*1", catalogs, subscriber=out)
    assert later.locale == "es" and later.subscriber == out
    assert step("1", catalogs, subscriber=out).subscriber == out  # dialling in changes nothing
    # A first caller's language is kept as found, as on SMS and calls.
    assert step("", catalogs, sender="+33612345678").subscriber == Subscriber(locale="fr")


@pytest.mark.parametrize("locale", ["en", "ar", "es", "fr", "hi", "pt", "sw", "tl", "vi", "zh"])
def test_every_screen_of_every_locale_topic_and_program_fits_and_ends_right(catalogs, programs, locale):
    for program in program_cases(programs):
        for screen in ussd_screens(catalogs=catalogs, program=program, locale=locale, topic=None):
            assert on_one_screen(screen), (program.id, screen)
        for topic in catalogs.content.topics:
            pages = ussd_screens(catalogs=catalogs, program=program, locale=locale, topic=topic.id)
            assert all(on_one_screen(page) for page in pages), (program.id, topic.id)
            served = step(str(topic.number), catalogs, program, Subscriber(locale)).locale
            assert served in fallback_chain(locale)
            assert any(pages[-1].endswith(ending) for ending in endings(catalogs, served, program))
            for page in pages[:-1]:
                more, back = page.splitlines()[-2:]
                assert more.lstrip("\u200f").startswith("1 ") and back.lstrip("\u200f").startswith("0 "), page


@pytest.mark.parametrize("locale", ["en", "ar", "es", "vi", "zh"])
def test_walking_one_through_every_topic_reaches_the_end(catalogs, locale):
    for topic in catalogs.content.topics:
        path = str(topic.number)
        for _ in range(10):
            reply = step(path, catalogs, LONGEST, Subscriber(locale))
            if not reply.goes_on:
                break
            path += "*1"
        assert not reply.goes_on and reply.intent == Intent.TOPIC
        assert any(reply.body.endswith(ending) for ending in endings(catalogs, reply.locale, LONGEST))


SENDABLE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(
    lambda text: "%" not in text and not UNSENDABLE.search(text) and text.strip() == text
)


@settings(max_examples=150, deadline=None)
@given(
    line_name=SENDABLE.filter(lambda text: len(text) <= MAX_LINE_NAME_CHARS),
    contact=SENDABLE.filter(lambda text: len(text) <= MAX_CONTACT_CHARS),
    path=st.text(alphabet="0123456789*", max_size=12),
)
def test_any_program_names_any_path_get_a_screen_that_fits(catalogs, line_name, contact, path):
    """English ends every chain: with the longest names a program may have, its screens still fit."""
    program = Program(translations="drafts", id="p", name="p", line_name=line_name, contact=contact)
    reply = step(path, catalogs, program)
    assert reply.body and on_one_screen(reply.body)
    assert reply.goes_on or any(reply.body.endswith(ending) for ending in endings(catalogs, reply.locale, program))


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=600))
def test_paging_keeps_every_word_in_order_and_every_page_fits(text):
    footer, ending = ["1 More", "0 Menu"], "Ask your care team what is right for you."
    pages = topic_pages(text, footer=footer, ending=ending, locale="en")
    assert all(on_one_screen(page) for page in pages)
    assert pages[-1].endswith("\n" + ending) or pages[-1] == ending
    assert all(page.endswith("\n1 More\n0 Menu") for page in pages[:-1])
    bodies = [page.rsplit("\n", 2)[0] for page in pages[:-1]] + [pages[-1].removesuffix(ending)]
    assert "".join("".join(body.split()) for body in bodies) == "".join(text.split())


def spanish(content, header="", **overrides):
    """A Spanish catalog with every USSD entry, some overridden (None: left out)."""
    entries = {
        "ussd_menu": "%(program)s: datos. Elija un número:",
        "ussd_languages": "Idioma",
        "ussd_language_list": "Elija un idioma:",
        "ussd_more": "Más",
        "ussd_back": "Menú",
        "referral": "Pregunte a su equipo.",
        "language_set": "%(program)s: español.",
    } | overrides
    catalog = Catalog(locale="es", header_comment=header)
    for key, text in entries.items():
        if text is not None:
            catalog.add(content.messages[key], text, context=key)
    for topic in content.topics:
        catalog.add(topic.keywords, topic.keywords.replace("HORMONE", "HORMONAS"), context=topic.id)
        catalog.add(topic.summary, "Resumen " + topic.id + ".", context=topic.id)
    return build_catalogs(content=content, sources={"es": catalog})


def test_a_screen_is_wholly_in_the_first_locale_that_has_every_part(content):
    whole = spanish(content, ussd_menu="%(program)s: Elija:")
    assert step("", whole, subscriber=Subscriber("es")).body.startswith("Infoline: Elija:\n1 HER2\n2 HORMONAS")
    assert step("1", whole, subscriber=Subscriber("es")).body == "Resumen her2.\nPregunte a su equipo."
    no_more = spanish(content, ussd_more=None)
    menu, topic = step("", no_more, subscriber=Subscriber("es")), step("1", no_more, subscriber=Subscriber("es"))
    assert (menu.locale, topic.locale) == ("es", "en") and topic.body.startswith("HER2: ")
    assert "Más" not in topic.body and "Pregunte" not in topic.body


def test_without_a_choice_her_countrys_language_else_the_programs(content):
    catalogs, spain = spanish(content), "+34612345678"
    assert step("", catalogs, sender=spain).locale == "es"
    assert step("", catalogs, sender=spain, subscriber=Subscriber("en")).locale == "en"  # her choice first
    assert step("7*2", catalogs, sender=US).locale == "es"  # a choice in this path before both
    assert (
        step(
            "", catalogs, Program(translations="drafts", id="p", name="p", default_locale="es"), sender="+999123"
        ).locale
        == "es"
    )


def test_a_heading_too_long_gives_way_and_a_referral_too_long_comes_from_the_next_locale(content):
    long = spanish(content, ussd_menu="%(program)s: " + "palabra " * 30 + "Elija:")
    menu = step("", long, subscriber=Subscriber("es"))
    assert menu.locale == "es" and menu.body.startswith("1 HER2\n2 HORMONAS") and on_one_screen(menu.body)
    # The referral is whole on the END screen or not at all: one that no screen holds is not cut.
    wordy = spanish(content, referral="Pregunte " * 25)
    last = step("1" + "*1" * 5, wordy, subscriber=Subscriber("es"))
    assert last.locale == "en" and not last.goes_on and last.body.endswith("Ask your care team what is right for you.")


def test_transliterated_where_its_translators_allow_it(content):
    header, short = (
        {"ussd_menu": "%(program)s: Número:"},
        Program(translations="drafts", id="short", name="Short", line_name="X"),
    )
    allowed, as_written = spanish(content, header="# transliterate: gsm7", **header), spanish(content, **header)
    plain = step("7*2", allowed, short)
    assert plain.body.startswith("X: Numero:\n1 HER2") and plain.encoding == "GSM-7"
    written = step("7*2", as_written, short)
    assert written.body.startswith("X: Número:\n1 HER2") and written.encoding == "UCS-2" and on_one_screen(written.body)


def test_a_contact_no_screen_holds_gets_its_pages_still_never_an_error(catalogs):
    # Refused at start (service.line, tests/test_config_errors.py); a program built anyway gets screens.
    arabic = Program(translations="drafts", id="ar", name="A", contact="مستشفى الأمل لعلاج الأورام، 0800 123 456")
    last = step("1" + "*1" * 5, catalogs, arabic)
    assert last.locale == "en" and not last.goes_on and last.body.endswith("0800 123 456.")
