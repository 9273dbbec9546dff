"""Approving and revoking through the line: four eyes, what was read, history, uploads and replicas."""

import shutil

import pytest

from service import review, review_actions, translations
from service.background import keep_current
from service.catalogs import DEFAULT_LOCALES_DIR, po_bytes, read_catalog
from service.content import load_content
from service.line import build_line
from service.review import APPROVED, DRAFT, FUZZY, MISSING
from service.store.reviews import APPROVE, REPLACE, REVOKE, ReviewEvent

SPANISH_HELP = "help"
NAME = "her2.spoken_name"  # short, no placeholder: easy to change in an upload


@pytest.fixture
def line(settings):
    built = build_line(settings)
    translations.refresh_catalogs(line=built)
    return built


def state(line, locale, entry_id):
    reviews = review.entry_reviews(catalogs=line.catalogs, locale=locale, current=line.reviews.current())
    return next(item for item in reviews if item.entry.id == entry_id)


def upload_changing(line, locale, entry_id, new_text, *, label):
    """Upload the served PO with one entry's translation changed, as label."""
    item = state(line, locale, entry_id)
    po = translations.served_po(line=line, locale=locale).decode()
    changed = po.replace(f'msgstr "{item.translation}"', f'msgstr "{new_text}"', 1)
    assert changed != po
    version, problems = translations.publish(line=line, locale=locale, data=changed.encode(), label=label)
    assert problems == [] and version


def test_an_approval_is_kept_with_who_when_and_the_english_it_was_read_against(line):
    outcome = review_actions.approve(line=line, locale="es", read={SPANISH_HELP: None}, by="dr-b")
    assert outcome.done == [SPANISH_HELP] and outcome.refused == []
    item = state(line, "es", SPANISH_HELP)
    assert item.state == APPROVED and item.approval.label == "dr-b" and item.approval.created_at is not None
    assert item.approval.source == line.catalogs.content.messages["help"]
    assert line.catalogs.approved_only.message("es", "help") == item.translation


def test_a_changed_translation_returns_the_entry_to_draft(line):
    review_actions.approve(line=line, locale="es", read={SPANISH_HELP: None}, by="dr-b")
    review_actions.approve(line=line, locale="es", read={NAME: None}, by="dr-b")
    upload_changing(line, "es", NAME, "cáncer positivo para her dos", label="tra")
    assert state(line, "es", NAME).state == DRAFT and state(line, "es", SPANISH_HELP).state == APPROVED


def test_a_reviewer_cannot_approve_a_translation_she_put_in_and_another_can(line):
    upload_changing(line, "es", NAME, "cáncer positivo para her dos", label="amina")
    refused = review_actions.approve(line=line, locale="es", read={NAME: None}, by="amina")
    assert refused.done == [] and "four eyes" in refused.refused[0][1]
    assert review_actions.approve(line=line, locale="es", read={NAME: None}, by="bea").done == [NAME]


def test_approve_all_leaves_every_translation_of_her_own_upload_to_another_reviewer(line):
    upload_changing(line, "es", NAME, "cáncer positivo para her dos", label="amina")
    outcome = review_actions.approve(
        line=line, locale="es", read=review_actions.drafts(line=line, locale="es"), by="amina"
    )
    assert (
        outcome.done == [] and len(outcome.refused) == 48
    )  # her upload holds every entry, not only the one she changed
    assert (
        len(
            review_actions.approve(
                line=line, locale="es", read=review_actions.drafts(line=line, locale="es"), by="bea"
            ).done
        )
        == 48
    )


def test_an_upload_ends_the_approval_of_what_it_changes_and_a_rollback_does_not_revive_it(line):
    review_actions.approve(line=line, locale="es", read={NAME: None, SPANISH_HELP: None}, by="dr-b")
    upload_changing(line, "es", NAME, "cáncer positivo para her dos", label="tra")
    assert [(event.entry, event.action, event.label) for event in line.reviews.history(locale="es", limit=1)] == [
        (NAME, REPLACE, "tra")
    ]
    assert translations.rollback(line=line, locale="es", label="tra")[1] == []
    assert state(line, "es", NAME).state == DRAFT and state(line, "es", SPANISH_HELP).state == APPROVED
    assert line.catalogs.approved_only.lookup("es", "her2", state(line, "es", NAME).entry.source) is None


def test_an_approval_against_english_since_changed_can_be_revoked(line):
    item = state(line, "es", SPANISH_HELP)
    line.reviews.add([ReviewEvent("es", SPANISH_HELP, APPROVE, "Old English", item.translation, "dr-b")])
    assert state(line, "es", SPANISH_HELP).english_changed
    assert review_actions.revoke(line=line, locale="es", entry_ids=[SPANISH_HELP], by="dr-c").done == [SPANISH_HELP]
    assert state(line, "es", SPANISH_HELP).approval is None


def test_a_translation_changed_after_she_read_it_is_not_approved_unread(line):
    read = review_actions.seen(state(line, "es", NAME).translation)
    upload_changing(line, "es", NAME, "cáncer positivo para her dos", label="tra")
    outcome = review_actions.approve(line=line, locale="es", read={NAME: read}, by="dr-b")
    assert outcome.done == [] and outcome.refused == [(NAME, review_actions.UNREAD)]


def test_an_unknown_entry_is_refused(line):
    outcome = review_actions.approve(line=line, locale="es", read={"no.such": None}, by="dr-b")
    assert outcome.refused == [("no.such", "no such entry")]


def test_a_revocation_returns_it_to_draft_and_both_are_in_the_history(line):
    review_actions.approve(line=line, locale="es", read={SPANISH_HELP: None}, by="dr-b")
    assert review_actions.revoke(line=line, locale="es", entry_ids=[SPANISH_HELP], by="dr-c").done == [SPANISH_HELP]
    assert state(line, "es", SPANISH_HELP).state == DRAFT
    history = line.reviews.history(locale="es")
    assert [(event.action, event.label) for event in history] == [(REVOKE, "dr-c"), (APPROVE, "dr-b")]
    assert review_actions.revoke(line=line, locale="es", entry_ids=[SPANISH_HELP], by="dr-c").refused


def test_an_upload_marking_entries_approved_approves_nothing(line):
    po = translations.served_po(line=line, locale="es").decode()
    flagged = po.replace('msgctxt "help"', '# review: approved by nobody on 2026-01-01\n#, approved\nmsgctxt "help"')
    assert translations.publish(line=line, locale="es", data=flagged.encode(), label="tra")[1] == []
    assert state(line, "es", SPANISH_HELP).state == DRAFT
    stored = line.versions.get(version_id=line.catalog_version[1]).po
    assert "#, approved" not in stored and "review: approved" not in stored


def test_the_download_marks_what_is_approved_and_uploads_again_keeping_it(line):
    review_actions.approve(line=line, locale="es", read={SPANISH_HELP: None}, by="dr-b")
    po = translations.served_po(line=line, locale="es").decode()
    assert po.count("#, approved") == 1 and "# review: approved by dr-b on " in po
    assert translations.publish(line=line, locale="es", data=po.encode(), label="tra")[1] == []
    assert state(line, "es", SPANISH_HELP).state == APPROVED


def test_a_replica_serves_an_approval_at_its_next_look(line, settings):
    replica = build_line(settings)
    keep_current(replica)
    assert replica.catalogs.approved_only.message("es", "help") is None
    review_actions.approve(line=line, locale="es", read={SPANISH_HELP: None}, by="dr-b")
    keep_current(replica)  # what its background loop does every second (service.background)
    assert replica.catalogs.approved_only.message("es", "help") == state(line, "es", SPANISH_HELP).translation


@pytest.fixture
def edited_line(settings, tmp_path):
    """A line whose Spanish PO file has a fuzzy entry, a missing one and a translator's back-translation."""
    locales = tmp_path / "locales"
    shutil.copytree(DEFAULT_LOCALES_DIR, locales)
    path = locales / "es" / "LC_MESSAGES" / "messages.po"
    catalog = read_catalog(path)
    content = load_content()
    catalog.get(content.topic("chemo").summary, context="chemo").flags.add("fuzzy")
    catalog.get(content.topic("surgery").spoken_name, context="surgery").string = ""
    catalog.get(content.messages["help"], context="help").user_comments.append("back-translation: Help reads so.")
    path.write_bytes(po_bytes(catalog))
    built = build_line(settings.model_copy(update={"locales_dir": locales}))
    translations.refresh_catalogs(line=built)
    return built


def test_fuzzy_and_missing_entries_are_neither_served_nor_approvable(edited_line):
    assert state(edited_line, "es", "chemo.summary").state == FUZZY
    assert state(edited_line, "es", "surgery.spoken_name").state == MISSING
    outcome = review_actions.approve(
        line=edited_line, locale="es", read={"chemo.summary": None, "surgery.spoken_name": None}, by="dr-b"
    )
    assert outcome.done == [] and [why.split(":")[0] for _, why in outcome.refused] == ["it is fuzzy", "it is missing"]


def test_a_back_translation_comment_is_read_for_the_reviewer(edited_line):
    assert state(edited_line, "es", "help").back_translation == "Help reads so."
    assert state(edited_line, "es", "menu").back_translation == ""
