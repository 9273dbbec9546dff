"""Clinical review in the pure core: an approved-only program answers in a language only with approved text."""

import dataclasses

import pytest

from service.content import load_content
from service.core import InboundMessage, Subscriber, respond
from service.core.types import Intent
from service.entries import entries_of
from service.po_upload import template_keys
from service.programs import Program
from service.review import APPROVED, DRAFT, approvals_of, entry_reviews
from service.store.reviews import APPROVE, REVOKE, ReviewEvent

APPROVED_ONLY = Program(id="careful", name="Careful")
DRAFTS = Program(id="drafts", name="Drafts", translations="drafts")
HER2_PARTS = ("her2.summary", "referral")  # what the reply to HER2 is made of, for a program without a contact


def approving(catalogs, locale, *entry_ids, source=None):
    """Approval events for entries as served now (source: the English approved against, when not today's)."""
    entries = entries_of(catalogs.content)
    return [
        ReviewEvent(
            locale, entry_id, APPROVE, source or entries[entry_id].source, served(catalogs, locale, entry_id), "dr-b"
        )
        for entry_id in entry_ids
    ]


def served(catalogs, locale, entry_id):
    entry = entries_of(catalogs.content)[entry_id]
    return catalogs.lookup(locale, entry.context, entry.source)


def with_events(catalogs, events):
    return dataclasses.replace(catalogs, approvals=approvals_of(content=catalogs.content, events=events))


def her2(catalogs, program, body="HER2"):
    message = InboundMessage(message_id="SM1", sender="+15551230001", recipient="+1500", body=body)
    return respond(message, Subscriber(locale="es"), program, catalogs)


def test_every_template_entry_has_one_id():
    content = load_content()
    pairs = [(entry.context, entry.source) for entry in entries_of(content).values()]
    assert len(pairs) == len(set(pairs)) and set(pairs) == template_keys(content)


def test_a_new_program_serves_approved_text_only_and_a_drafts_program_serves_drafts(catalogs):
    assert Program(id="new", name="New").translations == "approved"
    assert her2(catalogs, APPROVED_ONLY).locale == "en"
    assert her2(catalogs, DRAFTS).locale == "es"


@pytest.mark.parametrize("left_out", HER2_PARTS)
def test_a_reply_with_one_part_not_approved_falls_back_whole(catalogs, left_out):
    parts = [entry_id for entry_id in HER2_PARTS if entry_id != left_out]
    reply = her2(with_events(catalogs, approving(catalogs, "es", *parts)), APPROVED_ONLY)
    assert reply.locale == "en" and reply.body.startswith("HER2: If the tumor")
    assert served(catalogs, "es", "her2.summary") not in reply.body


def test_a_reply_whose_every_part_is_approved_is_served_in_that_language(catalogs):
    reply = her2(with_events(catalogs, approving(catalogs, "es", *HER2_PARTS)), APPROVED_ONLY)
    assert reply.locale == "es" and reply.body.startswith(served(catalogs, "es", "her2.summary"))


def test_approval_against_other_english_does_not_serve(catalogs):
    events = approving(catalogs, "es", "referral") + approving(
        catalogs, "es", "her2.summary", source="HER2: old English"
    )
    assert her2(with_events(catalogs, events), APPROVED_ONLY).locale == "en"


def test_approval_of_another_translation_does_not_serve(catalogs):
    events = approving(catalogs, "es", *HER2_PARTS)
    events[0] = dataclasses.replace(events[0], translation="HER2: otra traducción")
    assert her2(with_events(catalogs, events), APPROVED_ONLY).locale == "en"


def test_only_the_newest_event_counts_so_a_revocation_stops_serving(catalogs):
    events = approving(catalogs, "es", *HER2_PARTS)
    revoked = dataclasses.replace(events[0], action=REVOKE)
    assert her2(with_events(catalogs, [*events, revoked]), APPROVED_ONLY).locale == "en"


def test_approved_only_ussd_and_voice_fall_back_too(catalogs):
    for channel, body in (("ussd", "1"), ("voice", "1")):
        message = InboundMessage(message_id="S1", sender="+15551230001", recipient="+1500", body=body, channel=channel)
        english = respond(message, Subscriber(locale="es"), APPROVED_ONLY, catalogs)
        spanish = respond(message, Subscriber(locale="es"), DRAFTS, catalogs)
        assert english.locale == "en" and spanish.locale == "es" and english.body != spanish.body


def test_the_states_of_a_locales_entries(catalogs, tmp_path):
    events = approving(catalogs, "es", "her2.summary") + approving(
        catalogs, "es", "chemo.summary", source="CHEMO: old English"
    )
    reviews = {item.entry.id: item for item in entry_reviews(catalogs=catalogs, locale="es", current=events)}
    assert reviews["her2.summary"].state == APPROVED and not reviews["her2.summary"].english_changed
    assert reviews["chemo.summary"].state == DRAFT and reviews["chemo.summary"].english_changed
    assert reviews["help"].state == DRAFT and reviews["help"].approval is None
    assert len(reviews) == 48


def test_the_intent_of_a_fallen_back_reply_is_kept(catalogs):
    assert her2(catalogs, APPROVED_ONLY).intent == Intent.TOPIC


def choose_spanish(catalogs):
    message = InboundMessage(message_id="SM1", sender="+15551230001", recipient="+1500", body="ES")
    return respond(message, Subscriber(locale="fr"), APPROVED_ONLY, catalogs)


def test_choosing_a_language_the_program_cannot_confirm_lists_those_it_can(catalogs):
    reply = choose_spanish(catalogs)
    assert reply.intent == Intent.LANGUAGE and reply.subscriber.locale == "fr"  # her choice is not kept unconfirmed
    assert "ES Español" not in reply.body and "EN English" in reply.body
    chosen = choose_spanish(with_events(catalogs, approving(catalogs, "es", "language_set", "referral")))
    assert chosen.intent == Intent.LANGUAGE_SET and chosen.locale == "es" and chosen.subscriber.locale == "es"


def test_menu_and_language_list_fall_back_whole_until_every_item_is_approved(catalogs):
    menu_parts = ["menu", "menu_footer", "referral", *(f"{topic.id}.keywords" for topic in catalogs.content.topics)]
    almost = with_events(catalogs, approving(catalogs, "es", *menu_parts[:-1]))
    assert her2(almost, APPROVED_ONLY, body="MENU").locale == "en"
    assert (
        her2(with_events(catalogs, approving(catalogs, "es", *menu_parts)), APPROVED_ONLY, body="MENU").locale == "es"
    )
