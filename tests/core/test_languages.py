"""Ten languages through the pure core with the real catalogs."""

import pytest

from service.catalog_check import budget
from service.catalogs import load_catalogs, read_catalog
from service.core import InboundMessage, Subscriber, respond
from service.core.referral import referral
from service.core.types import Intent
from service.programs import Program
from service.segments import to_gsm7
from tests.conftest import write_fixture_po

PROGRAM = Program(translations="drafts", id="default", name="Infoline")
GSM7_PROGRAM = Program(
    translations="drafts", id="cheap", name="Cheap", contact="Hope Clinic, 0800 123 456", encoding="gsm7"
)


def converse(catalogs, *bodies, sender="+15551230001", program=PROGRAM, subscriber=Subscriber()):
    """Send texts in turn, carrying the subscriber's state; the last reply."""
    reply = None
    for body in bodies:
        message = InboundMessage(message_id="SM1", sender=sender, recipient="+1500", body=body)
        reply = respond(message, subscriber, program, catalogs)
        subscriber = reply.subscriber
    return reply


def summary(catalogs, locale, topic):
    entry = catalogs.content.topic(topic)
    return catalogs.lookup(locale, topic, entry.summary)


def test_es_then_her2_reads_spanish(catalogs):
    reply = converse(catalogs, "ES", "HER2")
    assert reply.locale == "es" and reply.body.startswith(summary(catalogs, "es", "her2"))


@pytest.mark.parametrize(
    ("keyword", "locale", "topic"),
    [
        ("CIRUGIA", "es", "surgery"),
        ("cirugía", "es", "surgery"),
        ("CHIRURGIE", "fr", "surgery"),
        ("upasuaji", "sw", "surgery"),
        ("CIRURGIA", "pt", "surgery"),
        ("الجراحة", "ar", "surgery"),
        ("सर्जरी", "hi", "surgery"),
        ("手术", "zh", "surgery"),
        ("我想了解手术", "zh", "surgery"),
        ("PHAU THUAT", "vi", "surgery"),
        ("phẫu thuật", "vi", "surgery"),
        ("OPERASYON", "tl", "surgery"),
        ("rayos", "es", "radiation"),
        ("化疗", "zh", "chemo"),
        ("हार्मोन", "hi", "hormone"),
        ("हर्सेप्टिन", "hi", "her2"),
        ("कीमो के बारे में", "hi", "chemo"),
        ("هرمون", "ar", "hormone"),
    ],
)
def test_a_localized_keyword_answers_in_its_language_and_is_remembered(catalogs, keyword, locale, topic):
    reply = converse(catalogs, keyword)
    assert (reply.intent, reply.topic, reply.locale) == (Intent.TOPIC, topic, locale)
    assert reply.body.startswith(summary(catalogs, locale, topic))
    assert reply.subscriber.locale == locale
    assert converse(catalogs, "4", subscriber=reply.subscriber).locale == locale


@pytest.mark.parametrize(
    ("sender", "locale"),
    [
        ("+525512345678", "es"),
        ("+33612345678", "fr"),
        ("+5511912345678", "pt"),
        ("+254712345678", "sw"),
        ("+14155550123", "en"),
        ("whatsapp:+33612345678", "fr"),
    ],
)
def test_a_first_text_answers_in_the_language_of_the_senders_country(catalogs, sender, locale):
    assert converse(catalogs, "HER2", sender=sender).locale == locale


@pytest.mark.parametrize("text", ["ES", "es", "ESPAÑOL", "espanol", "Spanish", "LANG ES", "language spanish"])
def test_choosing_spanish(catalogs, text):
    reply = converse(catalogs, text)
    assert (reply.intent, reply.locale, reply.subscriber.locale) == (Intent.LANGUAGE_SET, "es", "es")


def test_hi_alone_is_a_greeting_but_lang_hi_is_hindi(catalogs):
    assert converse(catalogs, "Hi").intent == Intent.UNKNOWN
    assert converse(catalogs, "LANG HI").subscriber.locale == "hi"
    assert converse(catalogs, "हिन्दी").subscriber.locale == "hi"
    assert converse(catalogs, "हिंदी").subscriber.locale == "hi"  # the common spelling beside CLDR's


def test_the_language_list_offers_every_language(catalogs):
    body = converse(catalogs, "LANG").body
    for code in ("EN", "ES", "FR", "PT", "SW", "AR", "HI", "ZH", "VI", "TL"):
        assert f"{code} " in body


def test_a_word_two_languages_share_answers_in_the_senders_one(catalogs):
    # KEMO is chemo in both Swahili and Tagalog.
    assert converse(catalogs, "KEMO", subscriber=Subscriber(locale="tl")).locale == "tl"
    assert converse(catalogs, "KEMO", subscriber=Subscriber(locale="sw")).locale == "sw"


def test_gsm7_policy_leaves_text_that_stays_ucs2_as_written(catalogs):
    reply = converse(catalogs, "4", subscriber=Subscriber(locale="zh"), program=GSM7_PROGRAM)
    assert reply.encoding == "UCS-2" and reply.body.startswith(summary(catalogs, "zh", "surgery"))


def test_english_keywords_do_not_switch_a_reader_of_another_language(catalogs):
    assert converse(catalogs, "SURGERY", subscriber=Subscriber(locale="fr")).locale == "fr"


@pytest.mark.parametrize("locale", ["en", "es", "fr", "pt", "sw", "ar", "hi", "zh", "vi", "tl"])
@pytest.mark.parametrize("text", ["1", "2", "3", "4", "5", "6", "MENU", "HELP", "LANG", "STOP", "START", "xyz"])
@pytest.mark.parametrize("program", [PROGRAM, GSM7_PROGRAM], ids=["unicode", "gsm7"])
def test_every_reply_is_in_its_language_ends_with_its_referral_and_fits_its_budget(catalogs, locale, text, program):
    reply = converse(catalogs, text, subscriber=Subscriber(locale=locale), program=program)
    assert reply.locale == locale
    expected = referral(catalogs, locale, program)
    transliterated = program.encoding == "gsm7" and reply.encoding == "GSM-7"
    assert reply.body.endswith(to_gsm7(expected) if transliterated else expected)
    assert reply.segments <= budget(reply.intent.value, reply.encoding)


@pytest.mark.parametrize("locale", ["es", "fr", "pt", "sw", "tl"])
@pytest.mark.parametrize("topic_number", ["1", "2", "3", "4", "5", "6"])
def test_gsm7_policy_keeps_latin_topic_replies_in_two_gsm7_segments(catalogs, locale, topic_number):
    reply = converse(catalogs, topic_number, subscriber=Subscriber(locale=locale), program=GSM7_PROGRAM)
    assert reply.encoding == "GSM-7" and reply.segments <= 2


@pytest.mark.parametrize("topic_number", ["1", "2", "3", "4", "5", "6"])
def test_gsm7_policy_never_strips_vietnamese_diacritics(catalogs, topic_number):
    # "khong nham chua khoi benh" (not aimed at curing) can be read as "not yet cured".
    reply = converse(catalogs, topic_number, subscriber=Subscriber(locale="vi"), program=GSM7_PROGRAM)
    assert reply.encoding == "UCS-2" and reply.body.startswith(summary(catalogs, "vi", reply.topic))


@pytest.mark.parametrize(
    ("locale", "header", "transliterated"),
    [
        ("es", "# review-status: draft\n# transliterate: gsm7", True),
        ("es", "# review-status: draft", False),  # off by default
        ("vi", "# review-status: draft\n# transliterate: gsm7", False),  # never, whatever the header says
    ],
)
def test_transliteration_is_a_per_language_opt_in(tmp_path, content, locale, header, transliterated):
    goals = content.topic("goals").summary
    write_fixture_po(
        tmp_path,
        locale,
        {
            ("goals", goals): "Metas: el tratamiento no busca curarlo, sí controlarlo.",
            ("referral", "Ask your care team what is right for you."): "Pregunte.",
        },
        header=header,
    )
    catalogs = load_catalogs(content=content, locales_dir=tmp_path)
    reply = converse(
        catalogs,
        "6",
        subscriber=Subscriber(locale=locale),
        program=Program(translations="drafts", id="cheap", name="Cheap", encoding="gsm7"),
    )
    assert reply.locale == locale and (reply.encoding == "GSM-7") == transliterated
    assert ("si controlarlo" in reply.body) == transliterated


def test_a_fuzzy_spanish_entry_sends_that_topic_in_english_until_fixed(tmp_path, content):
    from tests.test_catalog_tools import ROOT

    spanish = read_catalog(ROOT / "locales" / "es" / "LC_MESSAGES" / "messages.po")
    entries = {(m.context, m.id): m.string for m in spanish if m.id}
    her2 = content.topic("her2").summary
    write_fixture_po(tmp_path, "es", entries, fuzzy={("her2", her2)})
    catalogs = load_catalogs(content=content, locales_dir=tmp_path)
    assert converse(catalogs, "HER2", subscriber=Subscriber(locale="es")).locale == "en"
    assert converse(catalogs, "CIRUGIA").locale == "es"
    write_fixture_po(tmp_path, "es", entries)
    fixed = load_catalogs(content=content, locales_dir=tmp_path)
    assert converse(fixed, "HER2", subscriber=Subscriber(locale="es")).locale == "es"


@pytest.mark.parametrize("locale", ["en", "es", "fr", "pt", "sw", "ar", "hi", "zh", "vi", "tl"])
def test_the_language_name_table_agrees_with_babel(locale):
    from babel import Locale

    from service.core.keywords import LANGUAGE_NAMES

    babel_locale = Locale.parse(locale)
    assert LANGUAGE_NAMES[locale] == (babel_locale.language_name, babel_locale.get_language_name("en"))


# A keyword several languages share never switches her language: her choice, else her number's
# country, else the program's default. A word of one language alone still says which she reads.
@pytest.mark.parametrize(
    ("case", "body", "subscriber", "sender", "locale", "topic"),
    [
        ("Spanish chosen, HORMONA", "HORMONA", Subscriber(locale="es"), "+15551230001", "es", "hormone"),
        ("Spanish chosen, RAYOS", "RAYOS", Subscriber(locale="es"), "+15551230001", "es", "radiation"),
        ("Hindi chosen, KIMO", "KIMO", Subscriber(locale="hi"), "+15551230001", "hi", "chemo"),
        ("an Indian number's first text, KIMO", "KIMO", Subscriber(), "+919876543210", "hi", "chemo"),
        ("a Philippine number's first text, KIMO", "KIMO", Subscriber(), "+639171234567", "tl", "chemo"),
        ("Portuguese chosen, QUIMIO", "QUIMIO", Subscriber(locale="pt"), "+15551230001", "pt", "chemo"),
        ("Spanish chosen, QUIMIO", "QUIMIO", Subscriber(locale="es"), "+15551230001", "es", "chemo"),
        ("a Mexican number, CIRUGIA", "CIRUGIA", Subscriber(), "+525512345678", "es", "surgery"),
        ("fr GUÉRISSABLE", "GUÉRISSABLE", Subscriber(locale="fr"), "+15551230001", "fr", "goals"),
        ("fr guerissable", "guerissable", Subscriber(locale="fr"), "+15551230001", "fr", "goals"),
        ("sw KEMIKALI", "KEMIKALI", Subscriber(locale="sw"), "+15551230001", "sw", "chemo"),
        ("sw NITAPONA", "NITAPONA", Subscriber(locale="sw"), "+15551230001", "sw", "goals"),
        ("tl PAOPERA", "PAOPERA", Subscriber(locale="tl"), "+15551230001", "tl", "surgery"),
        ("tl GUMALING", "GUMALING", Subscriber(locale="tl"), "+15551230001", "tl", "goals"),
        ("vi CẮT BỎ", "CẮT BỎ", Subscriber(locale="vi"), "+15551230001", "vi", "surgery"),
        ("vi KHỎI BỆNH", "KHỎI BỆNH", Subscriber(locale="vi"), "+15551230001", "vi", "goals"),
        ("ar يشفى", "يشفى", Subscriber(locale="ar"), "+15551230001", "ar", "goals"),
        ("hi SIKAI", "SIKAI", Subscriber(locale="hi"), "+15551230001", "hi", "radiation"),
        ("zh 荷尔蒙", "荷尔蒙", Subscriber(locale="zh"), "+15551230001", "zh", "hormone"),
        ("zh 治好", "能治好吗", Subscriber(locale="zh"), "+15551230001", "zh", "goals"),
        ("zh 化療", "化療", Subscriber(locale="zh"), "+15551230001", "zh", "chemo"),
        ("zh 放療", "放療", Subscriber(locale="zh"), "+15551230001", "zh", "radiation"),
        ("zh 手術", "手術", Subscriber(locale="zh"), "+15551230001", "zh", "surgery"),
        ("zh 荷爾蒙", "荷爾蒙", Subscriber(locale="zh"), "+15551230001", "zh", "hormone"),
    ],
)
def test_what_patients_naturally_text_is_answered_in_their_language(
    catalogs, case, body, subscriber, sender, locale, topic
):
    reply = converse(catalogs, body, sender=sender, subscriber=subscriber)
    assert (reply.intent, reply.topic, reply.locale) == (Intent.TOPIC, topic, locale), case


@pytest.mark.parametrize(("body", "intent"), [("MADAD", Intent.HELP), ("BHASHA", Intent.LANGUAGE)])
def test_hindi_in_latin_script_asks_for_help_and_languages(catalogs, body, intent):
    assert converse(catalogs, body, subscriber=Subscriber(locale="hi")).intent == intent


def test_an_arabic_scan_result_is_not_radiation(catalogs):
    # أشعة is also "scans": نتيجة الأشعة is a scan result.
    assert converse(catalogs, "نتيجة الأشعة", subscriber=Subscriber(locale="ar")).topic != "radiation"
    assert converse(catalogs, "العلاج الإشعاعي", subscriber=Subscriber(locale="ar")).topic == "radiation"


def test_tagalog_hindi_no_is_no_choice_of_hindi(catalogs):
    assert converse(catalogs, "hindi", subscriber=Subscriber(locale="tl")).locale == "tl"
    assert converse(catalogs, "LANG HINDI", subscriber=Subscriber(locale="tl")).locale == "hi"


def test_a_translation_that_hides_the_contact_is_never_served(tmp_path, content):
    # %(contact).0s formats to nothing: the referral would name no care team.
    write_fixture_po(
        tmp_path,
        "es",
        {
            ("referral_contact", "Ask your care team what is right for you: %(contact)s."): "Pregunte: %(contact).0s.",
            ("referral", "Ask your care team what is right for you."): "Pregunte a su equipo.",
            ("goals", content.topic("goals").summary): "Metas: no busca curarlo.",
        },
    )
    catalogs = load_catalogs(content=content, locales_dir=tmp_path)
    reply = converse(catalogs, "6", subscriber=Subscriber(locale="es"), program=GSM7_PROGRAM)
    assert reply.locale == "en" and reply.body.endswith("Hope Clinic, 0800 123 456.")
