"""Settings that could only fail later, refused at start with a reason."""

import pytest

from service.config_errors import ConfigError
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
        ("admin:" + "a" * 32, "twice"),  # ADMIN_TOKEN's label
    ],
)
def test_an_admin_token_that_cannot_be_used_safely_is_refused(tokens, reason):
    with pytest.raises(ConfigError, match=reason) as refused:
        get_settings(admin_tokens=tokens, admin_token="t" * 16)
    # Entries are named by place: neither a label nor a token is repeated (written the wrong way round,
    # a label would be the token).
    assert "alice" not in str(refused.value) and "aaaa" not in str(refused.value)


def test_allowed_hosts_no_host_header_could_match_stop_the_settings():
    with pytest.raises(ConfigError, match="ALLOWED_HOSTS: line.example.org:8443 is not a host name"):
        get_settings(allowed_hosts="localhost,line.example.org:8443")


@pytest.mark.parametrize("level", ["debug", "Warning", "ERROR"])
def test_a_log_level_in_any_case_is_taken(level):
    assert get_settings(log_level=level).log_level == level.upper()


def test_log_format_is_auto_unless_set(monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert get_settings().log_format == "auto"
    monkeypatch.setenv("LOG_FORMAT", "text")
    assert get_settings().log_format == "text"


def test_usable_admin_tokens_are_taken():
    settings = get_settings(admin_token="t" * 16, admin_tokens="alice:" + "a" * 32 + ",bob.k:" + "b" * 40)
    assert set(settings.admin_accounts()) == {"admin", "alice", "bob.k"}


@pytest.mark.parametrize(
    ("entry", "role", "token"),
    [
        ("ana:" + "a" * 32, "admin", "a" * 32),  # label:token, as before roles
        ("ana:translator:" + "a" * 32, "translator", "a" * 32),
        ("ana:reviewer:" + "a" * 32, "reviewer", "a" * 32),
        ("ana:admin:" + "a" * 32, "admin", "a" * 32),
        (" ana : reviewer : " + "a" * 32 + " ", "reviewer", "a" * 32),
        ("ana:" + "a1" * 8 + ":" + "b" * 16, "admin", "a1" * 8 + ":" + "b" * 16),  # a token may hold colons
        ("ana:" + "a1b2" + ":" + "c" * 32, "admin", "a1b2:" + "c" * 32),  # not a word: part of the token
        ("ana:reviewer:" + "a" * 16 + ":x", "reviewer", "a" * 16 + ":x"),
    ],
)
def test_an_admin_tokens_entry_gives_its_label_a_role_and_a_token(entry, role, token):
    settings = get_settings(admin_token="t" * 16, admin_tokens=entry + ",bob:reviewer:" + "b" * 32)
    accounts = settings.admin_accounts()
    assert {label: entry.role for label, entry in accounts.items()} == {
        "admin": "admin",
        "ana": role,
        "bob": "reviewer",
    }
    assert {label: entry.token for label, entry in accounts.items()} == {
        "admin": "t" * 16,
        "ana": token,
        "bob": "b" * 32,
    }


@pytest.mark.parametrize(
    ("tokens", "reason"),
    [
        ("alice:reviewer:", "entry 1: each entry must be label:token or label:role:token"),
        ("bob:" + "b" * 32 + ",alice:translator:  ", "entry 2: each entry must be label:token or label:role:token"),
        (":reviewer:" + "a" * 32, "entry 1: each entry must be label:token"),
        ("alice:reviewer:aaaa-short", "entry 1: the token is shorter than 16"),
        ("alice:reviewer:" + "a" * 32 + ",alice:" + "a" * 32, "entry 2: its label is given twice"),
        ("alice:" + "a" * 32 + ",alice:translator:" + "a" * 32, "entry 2: its label is given twice"),
        ("admin:reviewer:" + "a" * 32, "entry 1: its label is given twice"),  # ADMIN_TOKEN's label
        ("al ice:reviewer:" + "a" * 32, "entry 1: the label must be"),
        ("alice:Reviewer:" + "a" * 32, "entry 1: its middle part is not a role"),  # would be an admin otherwise
        ("alice:reviwer:" + "a" * 32, "entry 1: its middle part is not a role"),
        ("alice:editor:" + "a" * 32, "entry 1: its middle part is not a role"),
        ("alice:reviewer2:" + "a" * 32, "entry 1: its middle part is not a role"),
        ("alice:rеviewer:" + "a" * 32, "entry 1: its middle part is not a role"),  # a Cyrillic е
        ("alice:" + "a" * 32 + ",bob:reviewer:" + "a" * 32, "entry 2: its token is another entry's too"),
    ],
)
def test_an_entry_with_a_role_that_cannot_be_used_is_refused_by_position(tokens, reason):
    with pytest.raises(ConfigError, match=reason) as refused:
        get_settings(admin_tokens=tokens, admin_token="t" * 16)
    assert "aaaa" not in str(refused.value) and "alice" not in str(refused.value)


def test_admin_token_alone_is_label_admin_in_role_admin():
    settings = get_settings(admin_token="t" * 16, admin_tokens=None)
    assert [(entry.label, entry.role, entry.token) for entry in settings.admin_accounts().values()] == [
        ("admin", "admin", "t" * 16)
    ]


@pytest.mark.parametrize("entry", ["line.example.org:8443", "line.example.org/sms", "https://line.example.org", "a b"])
def test_an_allowed_host_no_host_header_could_match_is_refused(entry):
    with pytest.raises(ValueError, match="ALLOWED_HOSTS"):
        policy_for(allowed_hosts=("localhost", entry), public_base_url=None)


@pytest.mark.parametrize("entry", ["line.example.org", "LINE.example.org.", "[::1]", "127.0.0.1", "*"])
def test_allowed_host_names_are_taken(entry):
    policy = policy_for(allowed_hosts=(entry,), public_base_url=None)
    assert policy.answers(b"line.example.org") == (entry.lower().rstrip(".") in ("line.example.org", "*"))
    if entry != "*":
        assert policy.answers(entry.lower().rstrip(".").encode())  # the entry itself is answered


def test_an_admin_token_of_spaces_is_too_short():
    with pytest.raises(ConfigError, match="shorter than 16"):
        get_settings(admin_token=" " * 24 + "x")


def test_no_host_at_all_is_refused():
    with pytest.raises(ConfigError, match="no request would be answered"):
        get_settings(allowed_hosts=",")
    assert get_settings(allowed_hosts=",", public_base_url="https://line.example.org").allowed_hosts == ()
