"""The app's start: what it sets up for the life of the process."""

import gc

from starlette.testclient import TestClient

from service.app import YOUNG_COLLECTION_EVERY, create_app


def test_at_start_what_is_loaded_is_frozen_and_young_collections_are_rarer(settings):
    before = gc.get_threshold()
    assert before[0] != YOUNG_COLLECTION_EVERY and gc.get_freeze_count() == 0
    with TestClient(create_app(settings)):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0  # as it was, after the app stops


def test_start_says_which_programs_help_names_no_support_contact(settings, caplog):
    import logging

    with caplog.at_level(logging.WARNING):
        create_app(settings)
    assert "No support contact for program(s) default" in caplog.text and "hope-clinic" not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app(settings.model_copy(update={"help_contact": "Infoline, 0800 000 111"}))
    assert "No support contact" not in caplog.text
