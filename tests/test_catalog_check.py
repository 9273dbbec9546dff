"""`catalog check` on tiny fixture catalogs: each kind of problem is found; the real catalogs pass."""

import dataclasses

from babel.messages.catalog import Catalog

from service.catalog_check import check, cost_table
from service.catalogs import DEFAULT_LOCALES_DIR, po_paths, read_catalog
from service.content import load_content
from service.programs import Program

REFERRAL = "Ask your care team what is right for you."
REFERRAL_CONTACT = "Ask your care team what is right for you: %(contact)s."
PROGRAMS = (
    Program(translations="drafts", id="default", name="X"),
    Program(translations="drafts", id="p", name="P", contact="Hope Clinic, 0800 123 456"),
)


def spanish(content, overrides=None) -> Catalog:
    entries = {
        ("referral", REFERRAL): "Pregunte a su equipo de atención.",
        ("referral_contact", REFERRAL_CONTACT): "Pregunte a su equipo de atención: %(contact)s.",
        ("surgery", content.topic("surgery").keywords): "CIRUGIA, CIRUGÍA",
        ("surgery", content.topic("surgery").summary): "Cirugía: a veces es una opción.",
    }
    entries.update(overrides or {})
    catalog = Catalog(locale="es")
    for (context, msgid), msgstr in entries.items():
        catalog.add(msgid, msgstr, context=context)
    return catalog


def test_a_small_valid_catalog_passes_and_is_costed(content):
    report = check(content=content, catalogs={"es": spanish(content)}, programs=PROGRAMS)
    assert report.problems == []
    assert {(c.locale, c.reply) for c in report.costs} >= {("es", "surgery"), ("en", "her2")}
    assert any(line.startswith("es ") for line in cost_table(report.costs))


def test_a_lost_placeholder_is_a_problem(content):
    broken = spanish(content)
    broken.get(REFERRAL_CONTACT, context="referral_contact").string = "Pregunte a su equipo: %(contacto)s."
    problems = check(content=content, catalogs={"es": broken}, programs=PROGRAMS).problems
    assert any("contacto" in problem or "placeholder" in problem for problem in problems), problems


def test_a_missing_or_fuzzy_referral_is_a_problem(content):
    catalog = spanish(content)
    catalog.get(REFERRAL, context="referral").flags.add("fuzzy")
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any("es: the referral (referral)" in problem for problem in problems)


def test_a_keyword_meaning_two_things_is_a_problem(content):
    catalog = spanish(content, {("goals", content.topic("goals").keywords): "CIRUGIA, METAS"})
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any("'CIRUGIA' means more than one thing" in problem for problem in problems)


def test_a_keyword_that_is_a_language_name_is_a_problem(content):
    catalog = spanish(content, {("surgery", content.topic("surgery").keywords): "CIRUGIA, FRANCAIS"})
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any("'FRANCAIS'" in problem for problem in problems)


def test_a_reply_over_its_segment_budget_is_a_problem(content):
    catalog = spanish(content, {("surgery", content.topic("surgery").summary): "Cirugía " * 40})
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any(problem.startswith("es: surgery costs") and "budget 4" in problem for problem in problems)
    assert any(problem.startswith("es: surgery costs") and "'gsm7'" in problem for problem in problems)


def test_the_real_catalogs_pass(content, programs):
    catalogs = {locale: read_catalog(path) for locale, path in po_paths(DEFAULT_LOCALES_DIR).items()}
    report = check(content=content, catalogs=catalogs, programs=programs.all)
    assert report.problems == []


ENGLISH = load_content().messages
EVERYDAY, STOP_WORDS, START_WORDS = ENGLISH["everyday_words"], ENGLISH["stop_keywords"], ENGLISH["start_keywords"]


def test_a_stop_or_start_word_that_is_an_everyday_word_is_a_problem(content):
    catalog = spanish(
        content,
        {
            ("stop_keywords", STOP_WORDS): "PARAR, ALTO",
            ("start_keywords", START_WORDS): "SÍ",
            ("everyday_words", EVERYDAY): "SÍ, NO, ALTO, GRACIAS",
        },
    )
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any("'ALTO' would be read as stop" in problem for problem in problems), problems
    assert any("'SÍ' would be read as start" in problem for problem in problems), problems


def test_an_everyday_word_that_is_another_languages_keyword_is_a_problem(content):
    catalog = spanish(content, {("everyday_words", EVERYDAY): "CIRUGIA, GRACIAS"})
    french = Catalog(locale="fr")
    french.add(content.topic("surgery").keywords, "CIRUGIA, CHIRURGIE", context="surgery")
    problems = check(content=content, catalogs={"es": catalog, "fr": french}, programs=PROGRAMS).problems
    assert not any("'CIRUGIA'" in problem and problem.startswith("es: the everyday") for problem in problems), (
        "a word both languages share switches nobody"
    )
    french.get(content.topic("surgery").keywords, context="surgery").string = "GRACIAS"
    problems = check(content=content, catalogs={"es": catalog, "fr": french}, programs=PROGRAMS).problems
    assert any("'GRACIAS' would be read as topic of fr" in problem for problem in problems), problems


def test_vietnamese_may_not_opt_in_to_transliteration(content):
    catalog = Catalog(locale="vi", header_comment="# review-status: draft\n# transliterate: gsm7")
    problems = check(content=content, catalogs={"vi": catalog}, programs=PROGRAMS).problems
    assert any(problem.startswith("vi: transliteration") for problem in problems), problems


import pytest  # noqa: E402


@pytest.mark.parametrize(
    ("case", "translation"),
    [
        ("dropped", "Pregunte a su equipo de atención."),
        ("no precision", "Pregunte a su equipo de atención: %(contact).0s."),
        ("no width", "Pregunte a su equipo de atención: %(contact)10000000s."),
        ("a stray directive", "Pregunte a su equipo: %(contact)s, 100% seguro."),
        ("twice", "Pregunte a su equipo: %(contact)s %(contact)s."),
    ],
)
def test_a_placeholder_not_exactly_as_in_the_english_is_a_problem(content, case, translation):
    catalog = spanish(content, {("referral_contact", REFERRAL_CONTACT): translation})
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any("referral_contact must have exactly the placeholders" in problem for problem in problems), case


@pytest.mark.parametrize(
    ("locale", "stops", "everyday", "flagged"),
    [
        ("es", "PARAR, CANCELACIÓN", "SÍ, GRACIAS", True),  # most patients type CANCELACION
        ("es", "PARAR, CANCELACIÓN, CANCELACION", "SÍ, GRACIAS", False),
        ("es", "PARAR, CANCELACIÓN", "CANCELACION", False),  # the bare form is another word: it must not stop
        ("vi", "DỪNG", "ĐÚNG", False),  # Vietnamese: the bare forms are other words
    ],
)
def test_a_stop_word_listed_only_with_accents_is_a_problem(content, locale, stops, everyday, flagged):
    catalog = spanish(content, {("stop_keywords", STOP_WORDS): stops, ("everyday_words", EVERYDAY): everyday})
    catalog.locale = locale
    problems = check(content=content, catalogs={locale: catalog}, programs=PROGRAMS).problems
    assert any("only with accents" in problem for problem in problems) == flagged, problems


def test_a_stop_phrase_that_starts_an_ordinary_question_is_a_problem(content):
    # English lists WHAT IS among its everyday words: "what is HER2?" must not opt anyone out.
    catalog = spanish(content, {("stop_phrases", content.messages["stop_phrases"]): "WHAT IS, DEJEN DE ENVIAR"})
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any("'WHAT IS HER2' would be read as an opt-out" in problem for problem in problems), problems


def test_a_contact_for_a_language_the_line_does_not_serve_is_a_problem(content):
    programs = (
        *PROGRAMS,
        Program(translations="drafts", id="q", name="Q", contact="Q, 1", contacts=(("pt-BR", "Q, 2"),)),
    )
    problems = check(content=content, catalogs={"es": spanish(content)}, programs=programs).problems
    assert any("'pt-BR'" in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("filler_words", "POR, FAVOR, THE, PAIN, TAKING, MY, MEDS"),  # "stop the pain" would be STOP plus fillers
        ("stop_phrases", "DEJEN DE ENVIAR, I HAVE, WHERE IS"),  # "I have pain", "where is the clinic"
    ],
)
def test_a_word_that_turns_an_ordinary_english_question_into_an_opt_out_is_a_problem(content, key, words):
    catalog = spanish(content, {(key, content.messages[key]): words})
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any(problem.startswith("en: ") and "would be read as stop" in problem for problem in problems), problems


def test_a_ussd_screen_no_screen_holds_is_a_problem(content):
    ussd = {
        ("ussd_menu", content.messages["ussd_menu"]): "%(program)s: elija:",
        ("ussd_languages", content.messages["ussd_languages"]): "Idioma",
        ("ussd_language_list", content.messages["ussd_language_list"]): "Elija un idioma:",
        ("ussd_more", content.messages["ussd_more"]): "Más",
        ("ussd_back", content.messages["ussd_back"]): "Menú",
        ("referral_contact", REFERRAL_CONTACT): "Pregunte a su equipo de atención qué es lo mejor: %(contact)s.",
    }
    # A UCS-2 referral with a 40-character contact: more than the 80 characters a UCS-2 screen holds.
    long_contact = Program(
        translations="drafts",
        id="long",
        name="L",
        contact="Clínica del Valle del Rift, 0800 123 456",
        ussd_codes=("*384*1#",),
    )
    fits = check(content=content, catalogs={"es": spanish(content, ussd)}, programs=PROGRAMS).problems
    too_long = check(content=content, catalogs={"es": spanish(content, ussd)}, programs=(long_contact,)).problems
    assert not [problem for problem in fits if "USSD" in problem]
    # A program no USSD session reaches (no codes, not the default) is a texts-only program: not checked.
    texts_only = dataclasses.replace(long_contact, ussd_codes=())
    problems = check(content=content, catalogs={"es": spanish(content, ussd)}, programs=(texts_only,)).problems
    assert problems and not [problem for problem in problems if "USSD" in problem]
    assert [problem for problem in too_long if "USSD" in problem] == [
        "program long: the USSD surgery screen in es does not fit one screen (182 GSM-7 or 80 UCS-2 characters),"
        ' so it is sent in English; shorten the translation, or the contact for es (contacts = { es = "…" })'
    ]


@pytest.mark.parametrize(
    "keywords",
    [", ".join(f"CIRUGIA{number}" for number in range(31)), "CIRUGIA, " + "A" * 41],
)
def test_a_keyword_list_longer_than_a_person_writes_is_refused(content, keywords):
    catalog = spanish(content, {("surgery", content.topic("surgery").keywords): keywords})
    problems = check(content=content, catalogs={"es": catalog}, programs=PROGRAMS).problems
    assert any("surgery keywords: at most 30, each at most 40 characters" in problem for problem in problems)
