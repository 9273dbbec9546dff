"""A configuration mistake stops a command with one line naming where it is, status 2 and no traceback."""

import os
import subprocess
import sys

import pytest

from service.cli import main

GOOD = '[[program]]\nid = "default"\nname = "Infoline"\n\n'
HOPE = '[[program]]\nid = "hope"\nname = "Hope"\nnumbers = ["+15005550006"]\n'
USSD = "is not a USSD code (*384*1234#: '*', digits, '*'-separated, '#'; at most 20 characters)"
E164 = "is not an E.164 number (+15005550006) or a short code (3 to 8 digits)"

# (programs file's text, the line after "configuration error: {path}: ")
PROGRAM_MISTAKES = [
    (GOOD + HOPE + 'nubmers = ["+15005550007"]\n', "program 'hope': unknown key 'nubmers' (did you mean 'numbers'?)"),
    (GOOD + HOPE + "colour = 1\n", "program 'hope': unknown key 'colour'"),
    (GOOD + HOPE.replace('"]', '", "0800 123 456"]'), f"program 'hope': numbers[1] {E164}"),
    (GOOD + HOPE.replace("+1500", "1500"), f"program 'hope': numbers[0] {E164}"),
    (GOOD + HOPE + 'reply_cap = "10"\n', "program 'hope': reply_cap must be an integer, not a string"),
    (GOOD + HOPE + "reply_cap = true\n", "program 'hope': reply_cap must be an integer, not a boolean"),
    (GOOD + HOPE + "line_name = 7\n", "program 'hope': line_name must be a string, not an integer"),
    (
        GOOD + HOPE.replace('["+15005550006"]', "[15005550006]"),
        "program 'hope': numbers[0] must be a string, not an integer",
    ),
    (GOOD + HOPE + 'contacts = "Hope, 1"\n', "program 'hope': contacts must be a table, not a string"),
    (GOOD + HOPE + "contacts = { es = 1 }\n", "program 'hope': contacts.es must be a string, not an integer"),
    (GOOD + HOPE + 'confirm_opt_out = "carrier"\n', "program 'hope': confirm_opt_out must be 'service' or 'twilio'"),
    (GOOD + HOPE.replace('name = "Hope"\n', ""), "program 'hope': missing required key 'name'"),
    (GOOD + HOPE.replace('id = "hope"\n', ""), "[[program]] #2: missing required key 'id'"),
    (GOOD + HOPE + HOPE.replace('"hope"', '"hope-2"'), "program 'hope-2': numbers[0] is listed by 'hope' too"),
    (GOOD + GOOD, "program 'default' is given twice"),
    (GOOD + HOPE + 'ussd_codes = ["*384*1234"]\n', f"program 'hope': ussd_codes[0] {USSD}"),
    (GOOD + HOPE + 'ussd_codes = ["*384*1234#", "#123#"]\n', f"program 'hope': ussd_codes[1] {USSD}"),
    (GOOD + HOPE + 'ussd_codes = ["*1*2*3*4*5*6#"]\n', f"program 'hope': ussd_codes[0] {USSD}"),
    (GOOD + HOPE + 'ussd_codes = "*384*1234#"\n', "program 'hope': ussd_codes must be an array, not a string"),
    (
        GOOD
        + HOPE
        + 'ussd_codes = ["*384*1#"]\n'
        + HOPE.replace('"hope"', '"hope-2"').replace('6"]', '7"]')
        + 'ussd_codes = ["*384*1#"]\n',
        "program 'hope-2': ussd_codes[0] is listed by 'hope' too",
    ),
    (GOOD + 'name = "X\n', "line 5, column 10: not valid TOML: Illegal character '\\n'"),
    (GOOD + 'name = "Y"\n', "line 5, column 11: not valid TOML: Cannot overwrite a value"),
    ('title = "Infoline"\n' + GOOD, "unknown key 'title' (the file holds [[program]] tables only)"),
    ("# nothing yet\n", "no [[program]] tables"),
    ("program = [1, 2]\n", "program must be [[program]] tables, not an array"),
]

# (variable, value, the line after "configuration error: ")
ENV_MISTAKES = [
    ("MAX_REQUEST_BYTES", "abc", "MAX_REQUEST_BYTES: Input should be a valid integer, unable to parse string as an integer"),
    ("REQUEST_HEAD_TIMEOUT_SECONDS", "-1", "REQUEST_HEAD_TIMEOUT_SECONDS: Input should be greater than 0"),
    ("ADMIN_COOKIE_SECURE", "maybe", "ADMIN_COOKIE_SECURE: Input should be a valid boolean, unable to interpret input"),
    ("LOG_FORMAT", "pretty", "LOG_FORMAT: Input should be 'auto', 'json' or 'text'"),
    ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("ALLOWED_HOSTS", "line.example.org:8443", "ALLOWED_HOSTS: line.example.org:8443 is not a host name (no port, no path)"),
    ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS is empty and PUBLIC_BASE_URL unset: no request would be answered"),
    ("ADMIN_TOKENS", "alice-s3cret-token-value", "ADMIN_TOKENS entry 1: each entry must be label:token or label:role:token (role: admin, translator or reviewer)"),
    ("ADMIN_TOKENS", "alice:reviewer:s3cret", "ADMIN_TOKENS entry 1: the token is shorter than 16 characters (e.g. openssl rand -hex 32)"),
    ("ADMIN_TOKENS", "s3cret-token-value-1234:alice", "ADMIN_TOKENS entry 1: the token is shorter than 16 characters (e.g. openssl rand -hex 32)"),
    ("ADMIN_TOKENS", "alice:" + "s3cret" * 4 + ",alice:" + "t" * 24, "ADMIN_TOKENS entry 2: its label is given twice (ADMIN_TOKEN's is 'admin')"),
    ("ADMIN_TOKENS", "al ice:" + "s3cret" * 4, "ADMIN_TOKENS entry 1: the label must be 1-64 letters, digits, '.', '_' or '-'"),
    ("ADMIN_TOKEN", "s3cret", "ADMIN_TOKEN: the token is shorter than 16 characters (e.g. openssl rand -hex 32)"),
    ("AFRICASTALKING_CALLBACK_KEY", "s3cret", "AFRICASTALKING_CALLBACK_KEY must be at least 16 characters (e.g. openssl rand -hex 32)"),
    # base64's + and / arrive decoded from a URL: no genuine call would match such a key.
    ("AFRICASTALKING_CALLBACK_KEY", "s3cret+s3cret/s3cret=", "AFRICASTALKING_CALLBACK_KEY may hold only letters, digits and . _ ~ - (e.g. openssl rand -hex 32)"),
    ("PHONE_HASH_KEY", "s3cret-but-short", "PHONE_HASH_KEY must be at least 32 characters (e.g. openssl rand -hex 32)"),
]  # fmt: skip


@pytest.fixture(autouse=True)
def environment(tmp_path, monkeypatch):
    for name in ("PROGRAMS_FILE", "HELP_CONTACT", "PUBLIC_BASE_URL", *{name for name, _, _ in ENV_MISTAKES}):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", "")


def fails_with(capsys, *args: str) -> str:
    """The one line a command printed on stderr, after checking it ended with status 2 and no traceback."""
    assert main(list(args)) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""
    assert captured.err.count("\n") == 1
    return captured.err.rstrip("\n")


@pytest.mark.parametrize(("text", "line"), PROGRAM_MISTAKES)
def test_a_mistake_in_the_programs_file_is_one_line_naming_the_file_program_and_key(
    capsys, monkeypatch, tmp_path, text, line
):
    programs = tmp_path / "programs.toml"
    programs.write_text(text, "utf-8")
    monkeypatch.setenv("PROGRAMS_FILE", str(programs))
    assert fails_with(capsys, "catalog", "check") == f"configuration error: {programs}: {line}"


def test_the_shipped_programs_file_and_a_short_code_are_taken(capsys, monkeypatch, tmp_path):
    from service.programs import DEFAULT_PROGRAMS_FILE, load_programs

    assert load_programs(DEFAULT_PROGRAMS_FILE).for_number("+15005550006").id == "hope-clinic"
    programs = tmp_path / "programs.toml"
    programs.write_text(GOOD + HOPE.replace("+15005550006", "24365"), "utf-8")
    assert load_programs(programs).for_number("24365").id == "hope"


@pytest.mark.parametrize(("where", "reason"), [("missing.toml", "No such file or directory"), ("", "Is a directory")])
def test_a_programs_file_that_cannot_be_read_is_named(capsys, monkeypatch, tmp_path, where, reason):
    monkeypatch.setenv("PROGRAMS_FILE", str(tmp_path / where))
    expected = f"configuration error: {tmp_path / where}: cannot be read ({reason})"
    assert fails_with(capsys, "catalog", "check") == expected


def test_a_programs_file_that_is_not_utf8_is_named(capsys, monkeypatch, tmp_path):
    programs = tmp_path / "programs.toml"
    programs.write_bytes(GOOD.replace("Infoline", "Clínica").encode("latin-1"))
    monkeypatch.setenv("PROGRAMS_FILE", str(programs))
    assert fails_with(capsys, "catalog", "check") == f"configuration error: {programs}: is not UTF-8 text"


def test_a_help_contact_from_the_environment_is_named_as_such(capsys, monkeypatch, tmp_path):
    programs = tmp_path / "programs.toml"
    programs.write_text(HOPE, "utf-8")  # no default program: HELP_CONTACT is its help_contact
    monkeypatch.setenv("PROGRAMS_FILE", str(programs))
    monkeypatch.setenv("HELP_CONTACT", "Infoline, " + "0" * 40)
    assert fails_with(capsys, "catalog", "check") == (
        f"configuration error: {programs}: program 'default' (none in the file): "
        "help_contact (from HELP_CONTACT) is longer than 40 characters"
    )


@pytest.mark.parametrize(("name", "value", "line"), ENV_MISTAKES)
@pytest.mark.parametrize("command", [("purge", "--older-than", "90d"), ("catalog", "stats")])
def test_a_bad_environment_variable_is_one_line_naming_it_never_its_value(
    capsys, monkeypatch, name, value, line, command
):
    monkeypatch.setenv(name, value)
    stderr = fails_with(capsys, *command)
    assert stderr == f"configuration error: {line}"
    assert "s3cret" not in stderr


def run_serve(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """python -m service serve, run as an operator runs it (port 1: a start that got past the check fails)."""
    return subprocess.run(
        [sys.executable, "-m", "service", "serve", "--port", "1", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TWILIO_AUTH_TOKEN": "", **env},
    )


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_stops_on_a_programs_file_mistake_with_one_line(tmp_path, workers):
    programs = tmp_path / "programs.toml"
    programs.write_text(GOOD + HOPE + 'nubmers = ["+15005550007"]\n', "utf-8")
    result = run_serve("--workers", workers, env={"PROGRAMS_FILE": str(programs), "DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"configuration error: {programs}: program 'hope': unknown key 'nubmers' (did you mean 'numbers'?)\n"
    )


def test_serve_stops_on_a_contact_too_long_for_any_ussd_screen_with_one_line(tmp_path):
    # Arabic letters make the English referral UCS-2: 80 characters a screen, and this contact leaves it 83.
    contact = "مستشفى الأمل لعلاج الأورام، 0800 123 456"
    programs = tmp_path / "programs.toml"
    # Only a program USSD reaches is held to it: with its codes (texts-only, the same contact is fine).
    programs.write_text(GOOD + HOPE + f'contact = "{contact}"\nussd_codes = ["*384*1#"]\n', "utf-8")
    result = run_serve(env={"PROGRAMS_FILE": str(programs), "DATA_DIR": str(tmp_path)})
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()  # after the start's warnings (no Twilio token here)
    assert lines[-1].startswith(f"configuration error: {programs}: program hope: its contact makes the English")
    assert sum("configuration error" in line for line in lines) == 1


def test_serve_stops_on_a_bad_variable_with_one_line_and_no_secret(tmp_path):
    env = {"MAX_REQUEST_BYTES": "64k", "PHONE_HASH_KEY": "s3cret", "DATA_DIR": str(tmp_path)}
    result = run_serve(env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        "configuration error: PHONE_HASH_KEY must be at least 32 characters (e.g. openssl rand -hex 32);"
        " MAX_REQUEST_BYTES: Input should be a valid integer, unable to parse string as an integer\n"
    )
