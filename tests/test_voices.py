"""What speaks each language on calls: content/voices.toml checked against Twilio's lists, recordings found
by safe names only."""

import shutil
from pathlib import Path

import pytest

from service.config_errors import ConfigError
from service.content import load_content
from service.voices import Voice, load_recordings, load_voices

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
# The pairs voices.toml may use, as Twilio lists them for <Say> (twilio/twilio-node, src/twiml/VoiceResponse.ts:
# SayLanguage and SayVoice; Amazon Polly's language for each Polly voice). A voice used with a language it
# does not speak makes the <Say> fail.
TWILIO_LISTED = {
    ("en-US", "Polly.Joanna"),
    ("es-US", "Polly.Lupe"),
    ("fr-FR", "Polly.Lea"),
    ("pt-BR", "Polly.Camila"),
    ("arb", "Polly.Zeina"),
    ("hi-IN", "Polly.Aditi"),
    ("cmn-CN", "Polly.Zhiyu"),
    ("vi-VN", "Google.vi-VN-Standard-A"),
    ("fil-PH", "Google.fil-PH-Standard-A"),
}


def test_every_language_the_line_serves_has_a_twilio_voice_but_swahili(content, catalogs):
    assert set(content.voices) == set(catalogs.locales) - {"sw"}
    for locale, voice in content.voices.items():
        assert (voice.language, voice.voice) in TWILIO_LISTED, locale
        if voice.voice.startswith("Google."):  # Google's voice names carry their language
            assert voice.voice.removeprefix("Google.").startswith(voice.language + "-"), locale


def test_no_recordings_ship(content):
    assert content.recordings == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[es]\nlanguage = "es-US"\n', "missing required key 'voice'"),
        ('[es]\nlanguage = "es-US"\nvoice = 3\n', "voice must be a string"),
        ('[es]\nlanguage = "es-US"\nvoice = "Polly.Lupe"\nvoise = "x"\n', "unknown key 'voise'"),
        ('es = "Polly.Lupe"\n', "must be a table"),
        ('["e s"]\nlanguage = "es-US"\nvoice = "Polly.Lupe"\n', "is not a locale code"),
        ("[es\n", "not valid TOML"),
    ],
)
def test_a_voices_file_that_is_not_one_names_the_problem(tmp_path, text, problem):
    (tmp_path / "voices.toml").write_text(text, "utf-8")
    with pytest.raises(ConfigError, match="voices.toml") as raised:
        load_voices(tmp_path)
    assert problem in str(raised.value)


def test_without_a_voices_file_no_language_has_a_voice(tmp_path):
    assert load_voices(tmp_path) == {}
    assert load_voices(CONTENT_DIR)["es"] == Voice("es-US", "Polly.Lupe")


def test_recordings_are_listed_by_safe_names_only(tmp_path):
    audio = tmp_path / "audio"
    for name in [
        "sw/voice_menu.default.mp3",
        "sw/her2.spoken.wav",
        "sw/referral_contact.hope-clinic.mp3",
        "sw/Voice Menu.mp3",  # a space, capitals
        "sw/notes.txt",  # not audio
        "sw/.hidden.mp3",
        "pt_BR/referral.mp3",
        "Not-A-Locale/referral.mp3",
        "README.md",
    ]:
        (audio / name).parent.mkdir(parents=True, exist_ok=True)
        (audio / name).write_bytes(b"ID3")
    (audio / "sw" / "folder.mp3").mkdir()
    # A link could serve any file of the machine (GET /voice/audio/...): only files really there are listed.
    secret = tmp_path / "secret.txt"
    secret.write_text("not a recording")
    (audio / "sw" / "referral.mp3").symlink_to(secret)
    (audio / "es").symlink_to(audio / "sw", target_is_directory=True)
    assert load_recordings(tmp_path) == {
        "sw": {
            "voice_menu.default": "voice_menu.default.mp3",
            "her2.spoken": "her2.spoken.wav",
            "referral_contact.hope-clinic": "referral_contact.hope-clinic.mp3",
        },
        "pt_BR": {"referral": "referral.mp3"},
    }


def test_content_carries_voices_and_recordings(tmp_path):
    shutil.copytree(CONTENT_DIR, tmp_path / "content")
    (tmp_path / "content" / "audio" / "sw").mkdir()
    (tmp_path / "content" / "audio" / "sw" / "voice_after_topic.mp3").write_bytes(b"ID3")
    content = load_content(tmp_path / "content")
    assert content.voices["en"] == Voice("en-US", "Polly.Joanna") and "sw" not in content.voices
    assert content.recordings == {"sw": {"voice_after_topic": "voice_after_topic.mp3"}}
    assert load_recordings(tmp_path) == {}  # no audio directory at all
