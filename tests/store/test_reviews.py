"""The review events on both backends: the newest event per entry is its state; what four eyes reads of the versions."""

from service.store.reviews import APPROVE, REPLACE, REVOKE, ReviewEvent, ReviewStore
from service.store.versions import VersionStore


def event(entry, action=APPROVE, locale="es", label="dr-b", translation="Ayuda"):
    return ReviewEvent(locale, entry, action, "Help", translation, label)


def test_the_newest_event_of_each_entry_is_its_state(store):
    reviews = ReviewStore(store)
    assert reviews.newest_id() == (0, 0) and reviews.current() == []
    reviews.add([event("help"), event("menu"), event("help", locale="fr")])
    reviews.add([event("help", REVOKE, label="dr-c")])
    current = {(item.locale, item.entry): (item.action, item.label) for item in reviews.current()}
    assert current == {
        ("es", "help"): (REVOKE, "dr-c"),
        ("es", "menu"): (APPROVE, "dr-b"),
        ("fr", "help"): (APPROVE, "dr-b"),
    }
    assert reviews.newest_id()[0] == 4
    history = reviews.history(locale="es")
    assert [(item.entry, item.action) for item in history] == [("help", REVOKE), ("menu", APPROVE), ("help", APPROVE)]
    assert all(item.created_at is not None for item in history)


def test_a_replacement_is_the_newest_event_and_so_the_state(store):
    reviews = ReviewStore(store)
    reviews.add([event("help"), event("help", REPLACE, label="tra")])
    assert [item.action for item in reviews.current()] == [REPLACE]


def test_the_texts_of_a_labels_versions_come_newest_first_and_no_one_elses(store):
    versions = VersionStore(store)
    for locale, label, po in (
        ("es", "amina", "one"),
        ("es", "bea", "two"),
        ("fr", "amina", "three"),
        ("es", "amina", "four"),
    ):
        versions.add(locale=locale, po=po, label=label, note="upload", counts=(0, 0, 0))
    assert versions.texts(locale="es", label="amina", limit=10) == ["four", "one"]
    assert versions.texts(locale="es", label="amina", limit=1) == ["four"]
