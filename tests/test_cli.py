"""python -m service …: segments, text, and serve's warning, run as a user runs them."""

import json
import os
import subprocess
import sys

import httpx2
import pytest

from service.cli import main
from tests.server import running_service


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DATABASE_URL", raising=False)


def run(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TWILIO_AUTH_TOKEN": ""},
    )


@pytest.mark.parametrize(
    ("message", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),
        ("a" * 152 + "€" + "a" * 152, "GSM-7", 3),  # the escape pair is not split
        ("ş" * 70, "UCS-2", 1),
        ("ş" * 71, "UCS-2", 2),
        ("ş" * 66 + "😀" + "ş" * 66, "UCS-2", 3),  # the surrogate pair is not split
        ("Cirugía", "UCS-2", 1),
    ],
)
def test_segments_counts_each_line(capsys, monkeypatch, message, encoding, segments):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(message + "\n"))
    assert main(["segments"]) == 0
    assert json.loads(capsys.readouterr().out) == {"encoding": encoding, "segments": segments}


def test_segments_json_lines_may_hold_newlines():
    result = run("segments", "--json", stdin=json.dumps("a\n" * 80) + "\n" + json.dumps("a\n" * 81) + "\n")
    assert [json.loads(line)["segments"] for line in result.stdout.splitlines()] == [1, 2]


def test_segments_json_refuses_what_is_not_a_json_string():
    result = run("segments", "--json", stdin="not json\n")
    assert result.returncode == 2 and "JSON string" in result.stderr


def test_text_prints_the_reply_and_its_cost():
    result = run("text", "surgery please")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Surgery:")
    assert "Ask your care team what is right for you.\n-- 2 segment(s), GSM-7" in result.stdout


def test_text_uses_the_programs_contact():
    result = run("text", "HER2", "--to", "+15005550006")
    assert "for you: Hope Clinic, 0800 123 456." in result.stdout


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_and_warns_when_no_token_is_set():
    import time
    import urllib.request

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TWILIO_AUTH_TOKEN": ""},
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    assert response.read() == b"ok\n"
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.1)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    assert "TWILIO_AUTH_TOKEN is not set: every call to the webhook will be refused with 403" in stderr


def test_purge_deletes_old_records_only():
    assert run("text", "HER2").returncode == 0
    result = run("purge", "--older-than", "90d")
    assert result.returncode == 0 and result.stdout.startswith("deleted 0 record(s)")
    result = run("purge", "--older-than", "0m")
    assert result.stdout.startswith("deleted 1 record(s)")


@pytest.mark.parametrize("age", ["90", "d", "3.5d", "3w"])
def test_purge_refuses_a_bad_age(age):
    result = run("purge", "--older-than", age)
    assert result.returncode == 2 and "e.g. 90d" in result.stderr


def test_text_remembers_the_senders_choices_between_runs():
    assert run("text", "STOP", "--from", "+15550001111").stdout.startswith("Infoline: You will get no more")
    assert run("text", "HER2", "--from", "+15550001111").stdout.startswith("(no reply)")


def test_serve_with_two_workers_shares_one_generated_key_and_answers(tmp_path):
    env = {"TWILIO_AUTH_TOKEN": "", "DATA_DIR": str(tmp_path / "w"), "DATABASE_URL": ""}
    with running_service(env, args=("--workers", "2")) as (url, _):
        assert httpx2.get(url + "/readyz").json()["database"] == "ok"
    assert len((tmp_path / "w" / "phone-hash.key").read_text().strip()) == 64
    assert [p.name for p in (tmp_path / "w").iterdir() if p.name.startswith(".phone-hash")] == []
