"""Settings that could only fail later, refused at start with a reason."""

import pydantic
import pytest

from service.settings import get_settings
from service.web.hosts import policy_for


@pytest.mark.parametrize(
    ("tokens", "reason"),
    [
        ("alice:short", "shorter than 16"),
        ("al ice:" + "t" * 32, "label"),
        ("x" * 65 + ":" + "t" * 32, "label"),
        ("alice" + "t" * 32, "label:token"),  # no colon: admin silently off
        ("alice:", "label:token"),
        ("alice:" + "a" * 32 + ",alice:" + "b" * 32, "twice"),
    ],
)
def test_an_admin_token_that_cannot_be_used_safely_is_refused(tokens, reason):
    with pytest.raises(pydantic.ValidationError, match=reason):
        get_settings(admin_tokens=tokens)


def test_usable_admin_tokens_are_taken():
    settings = get_settings(admin_token="t" * 16, admin_tokens="alice:" + "a" * 32 + ",bob.k:" + "b" * 40)
    assert set(settings.admin_credentials()) == {"admin", "alice", "bob.k"}


@pytest.mark.parametrize("entry", ["line.example.org:8443", "line.example.org/sms", "https://line.example.org", "a b"])
def test_an_allowed_host_no_host_header_could_match_is_refused(entry):
    with pytest.raises(ValueError, match="ALLOWED_HOSTS"):
        policy_for(allowed_hosts=("localhost", entry), public_base_url=None)


@pytest.mark.parametrize("entry", ["line.example.org", "LINE.example.org.", "[::1]", "127.0.0.1", "*"])
def test_allowed_host_names_are_taken(entry):
    assert policy_for(allowed_hosts=(entry,), public_base_url=None).answers(b"line.example.org") == (
        entry.lower().rstrip(".") in ("line.example.org", "*")
    )


def test_an_admin_token_of_spaces_is_too_short():
    with pytest.raises(pydantic.ValidationError, match="shorter than 16"):
        get_settings(admin_token=" " * 24 + "x")


def test_no_host_at_all_is_refused():
    with pytest.raises(pydantic.ValidationError, match="no request would be answered"):
        get_settings(allowed_hosts=",")
    assert get_settings(allowed_hosts=",", public_base_url="https://line.example.org").allowed_hosts == ()
