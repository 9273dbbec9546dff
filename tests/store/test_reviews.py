"""The review events on both backends: the newest event per entry is its state."""

from service.store.reviews import APPROVE, REPLACE, REVOKE, ReviewEvent, ReviewStore


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
