"""python -m service review …: status, approve, revoke, as an operator runs them (main() in process)."""

import json

import pytest

from service import translations
from service.cli import main
from service.line import build_line
from service.settings import get_settings


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "")
    reviewers = (f"{label}:reviewer:{label}-token-0123456789" for label in ("dr-b", "dr-c", "amina"))
    monkeypatch.setenv("ADMIN_TOKENS", ",".join([*reviewers, "ada:admin:ada-token-0123456789"]))
    monkeypatch.delenv("DATABASE_URL", raising=False)


def status(capsys) -> dict:
    capsys.readouterr()
    assert main(["review", "status", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_status_counts_every_entry_of_every_locale_once(capsys):
    counts = status(capsys)
    assert set(counts) == {"ar", "es", "fr", "hi", "pt", "sw", "tl", "vi", "zh"}
    assert all(sum(found.values()) == 48 for found in counts.values())
    assert all(found["approved"] == 0 for found in counts.values())
    main(["review", "status"])
    assert capsys.readouterr().out.splitlines()[0].split()[:3] == ["ar", "approved", "0"]


def test_approve_one_then_all_then_revoke(capsys):
    assert main(["review", "approve", "--locale", "es", "--msgid", "help", "--by", "dr-b"]) == 0
    assert status(capsys)["es"]["approved"] == 1
    assert main(["review", "approve", "--locale", "es", "--all", "--by", "dr-b"]) == 0
    assert "es: approved 47 entries as dr-b" in capsys.readouterr().out
    assert status(capsys)["es"] == {"approved": 48, "draft": 0, "fuzzy": 0, "missing": 0}
    assert main(["review", "revoke", "--locale", "es", "--msgid", "help", "--by", "dr-c"]) == 0
    assert status(capsys)["es"]["approved"] == 47
    assert main(["review", "revoke", "--locale", "es", "--all", "--by", "dr-c"]) == 0
    assert status(capsys)["es"]["approved"] == 0


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["--locale", "xx", "--all", "--by", "dr-b"], 2, "not one of the line's languages"),
        (["--locale", "es", "--all", "--by", "dr b"], 2, "--by must be"),
        (["--locale", "es", "--msgid", "nothing.here", "--by", "dr-b"], 1, "refused nothing.here: no such entry"),
        (["--locale", "es", "--all", "--by", "ada"], 2, "--by must be the label of a reviewer in ADMIN_TOKENS"),
        (["--locale", "es", "--all", "--by", "nobody"], 2, "--by must be the label of a reviewer"),
    ],
)
def test_mistakes_are_said_in_one_line(capsys, args, code, said):
    assert main(["review", "approve", *args]) == code
    captured = capsys.readouterr()
    assert said in captured.out + captured.err


def test_her_own_upload_is_refused_on_the_command_line_too(capsys):
    line = build_line(get_settings())
    translations.refresh_catalogs(line=line)
    po = translations.served_po(line=line, locale="es").decode()
    changed = po.replace('msgstr "cáncer her dos positivo"', 'msgstr "cáncer positivo para her dos"', 1)
    assert translations.publish(line=line, locale="es", data=changed.encode(), label="amina")[1] == []
    assert main(["review", "approve", "--locale", "es", "--msgid", "her2.spoken_name", "--by", "amina"]) == 1
    assert "four eyes" in capsys.readouterr().err


def test_a_po_reviewed_offline_approves_what_it_flags_and_still_holds_what_is_served(capsys, tmp_path):
    line = build_line(get_settings())
    translations.refresh_catalogs(line=line)
    po = translations.served_po(line=line, locale="es").decode()
    flagged = po.replace('msgctxt "help"', '#, approved\nmsgctxt "help"').replace(
        'msgctxt "menu"\n', '#, approved\nmsgctxt "menu"\n'
    )
    reviewed = tmp_path / "es.po"
    reviewed.write_text(flagged, "utf-8")
    assert main(["review", "approve", "--locale", "es", "--po", str(reviewed), "--by", "dr-b"]) == 0
    assert status(capsys)["es"]["approved"] == 2
    edited = flagged.replace('msgctxt "stop_confirm"', '#, approved\nmsgctxt "stop_confirm"')
    stop = next(block for block in edited.split("\n\n") if 'msgctxt "stop_confirm"' in block)
    reviewed.write_text(edited.replace(stop, stop.replace('msgstr "', 'msgstr "X', 1)), "utf-8")
    assert main(["review", "approve", "--locale", "es", "--po", str(reviewed), "--by", "dr-b"]) == 1
    assert "refused stop_confirm: its translation changed since it was read" in capsys.readouterr().err


def test_a_downloaded_files_own_marks_do_not_undo_a_revocation(capsys, tmp_path):
    assert main(["review", "approve", "--locale", "es", "--msgid", "help", "--by", "dr-b"]) == 0
    line = build_line(get_settings())
    translations.refresh_catalogs(line=line)
    downloaded = tmp_path / "es.po"
    downloaded.write_bytes(translations.served_po(line=line, locale="es"))
    assert main(["review", "revoke", "--locale", "es", "--msgid", "help", "--by", "ada"]) == 0  # an admin may revoke
    assert main(["review", "approve", "--locale", "es", "--po", str(downloaded), "--by", "dr-c"]) == 1
    assert "it was already approved when this file was downloaded" in capsys.readouterr().err
    assert status(capsys)["es"]["approved"] == 0
