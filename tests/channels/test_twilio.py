"""The Twilio adapter: form parsing, signature check, decoding, TwiML — tables of cases."""

import pytest
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from service.channels import twilio
from service.core.types import Intent, Reply

TOKEN = "secret-token"
URL = "https://line.test/sms"
SID = "SM" + "0123456789abcdef" * 2
FORM = twilio.Form([("MessageSid", SID), ("From", "+15551230001"), ("To", "+15005550000"), ("Body", "HER2")])
GOOD = RequestValidator(TOKEN).compute_signature(URL, FORM)


def form_of(fields: dict) -> twilio.Form:
    return twilio.Form(fields)


@pytest.mark.parametrize(
    ("case", "url", "form", "signature", "expected"),
    [
        ("valid", URL, FORM, GOOD, True),
        (
            "valid, Twilio signed the URL with its port",
            "https://line.test:443/sms",
            FORM,
            RequestValidator(TOKEN).compute_signature("https://line.test:443/sms", FORM),
            True,
        ),
        ("valid, called with the port, signed without", "https://line.test:443/sms", FORM, GOOD, True),
        (
            "valid, called without the port, signed with",
            URL,
            FORM,
            RequestValidator(TOKEN).compute_signature("https://line.test:443/sms", FORM),
            True,
        ),
        (
            "signed for another port",
            "https://line.test:8443/sms",
            FORM,
            RequestValidator(TOKEN).compute_signature("https://line.test:9443/sms", FORM),
            False,
        ),
        ("missing signature", URL, FORM, None, False),
        ("empty signature", URL, FORM, "", False),
        ("forged signature", URL, FORM, "AAAA" + GOOD[4:], False),
        ("signed with another token", URL, FORM, RequestValidator("other").compute_signature(URL, FORM), False),
        ("tampered body", URL, twilio.Form([*FORM.pairs[:3], ("Body", "STOP")]), GOOD, False),
        ("added field", URL, twilio.Form([*FORM.pairs, ("X", "1")]), GOOD, False),
        ("a field sent twice", URL, twilio.Form([*FORM.pairs, ("Body", "STOP")]), GOOD, False),
        ("signed for another URL", "https://evil.test/sms", FORM, GOOD, False),
        ("signed for another path", "https://line.test/other", FORM, GOOD, False),
    ],
)
def test_signature_table(case, url, form, signature, expected):
    validator = RequestValidator(TOKEN)
    assert twilio.is_signed(validator=validator, url=url, form=form, signature=signature) is expected, case


def test_sha256_shared_key_signatures_are_checked_too():
    validator = RequestValidator(TOKEN)
    signature = validator.compute_signature(URL, FORM, "HMAC_SHA256")
    header = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"
    assert twilio.is_signed(validator=validator, url=URL, form=FORM, signature=signature, settings_header=header)
    assert not twilio.is_signed(validator=validator, url=URL, form=FORM, signature=signature)


def test_repeated_keys_are_all_signed():
    form = twilio.parse_form(b"MessageSid=SM1&From=%2B1555&Body=a&Body=b")
    assert form.getall("Body") == ["a", "b"] and form.value("Body") == "b"
    signature = RequestValidator(TOKEN).compute_signature(URL, form)
    changed = twilio.parse_form(b"MessageSid=SM1&From=%2B1555&Body=a&Body=c")
    assert not twilio.is_signed(validator=RequestValidator(TOKEN), url=URL, form=changed, signature=signature)


@pytest.mark.parametrize(
    ("raw", "field", "value"),
    [
        (b"Body=%C3%A1+b", "Body", "á b"),
        (b"Body=", "Body", ""),
        (b"Body=%F0%9F%98%80", "Body", "😀"),
        (b"Body=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7", "Body", "مرحبا"),
        (b"From=whatsapp%3A%2B15551230001", "From", "whatsapp:+15551230001"),
    ],
)
def test_parse_form_decodes_utf8(raw, field, value):
    assert twilio.parse_form(raw).value(field) == value


@pytest.mark.parametrize("raw", [b"Body=%FF%FE", "Body=é".encode("latin-1"), b"Body=%C3"])
def test_parse_form_refuses_what_is_not_utf8(raw):
    with pytest.raises(twilio.FormError):
        twilio.parse_form(raw)


@pytest.mark.parametrize(
    ("fields", "channel"),
    [
        ({"From": "+15551230001"}, "sms"),
        ({"From": "whatsapp:+15551230001"}, "whatsapp"),
    ],
)
def test_decode_names_the_channel(fields, channel):
    message = twilio.decode(form_of({"MessageSid": SID, "To": "+1500", **fields}))
    assert (message.channel, message.body, message.message_id) == (channel, "", SID)


@pytest.mark.parametrize(
    ("case", "fields"),
    [
        ("no MessageSid", {"From": "+1555"}),
        ("no From", {"MessageSid": SID}),
        ("blank From", {"MessageSid": SID, "From": "  "}),
        ("a number as the channel", {"MessageSid": SID, "From": "+15557654321:x"}),
        ("an unknown channel", {"MessageSid": SID, "From": "pigeon:+15551230001"}),
        ("a MessageSid that is no Twilio id", {"MessageSid": "SM1", "From": "+1555"}),
        ("a MessageSid holding a number", {"MessageSid": "+15557654321", "From": "+1555"}),
        ("a MessageSid too long", {"MessageSid": SID + "0", "From": "+1555"}),
        ("a From that is no number", {"MessageSid": SID, "From": "whatsapp:abc-123-not-a-number"}),
        ("a From carrying the rest of a re-split body", {"MessageSid": SID, "From": "+15550001111From+15552223333"}),
        ("a To that is no number", {"MessageSid": SID, "From": "+1555", "To": "Body+1555"}),
        ("a To too long for a short code", {"MessageSid": SID, "From": "+1555", "To": "123456789"}),
        ("a To too short for a short code", {"MessageSid": SID, "From": "+1555", "To": "12"}),
    ],
)
def test_decode_refuses_what_twilio_never_sends(case, fields):
    with pytest.raises(twilio.FormError):
        twilio.decode(form_of(fields))


def test_twiml_escapes_the_reply_names_its_receipts_url_and_an_empty_response_says_nothing():
    reply = Reply(body="a < b & c", intent=Intent.HELP, locale="en")
    assert twilio.twiml(reply, message_sid=SID) == (
        b'<?xml version="1.0" encoding="UTF-8"?><Response>'
        b'<Message action="/delivery/twilio?reply=' + SID.encode() + b'">a &lt; b &amp; c</Message></Response>'
    )
    assert twilio.twiml(None, message_sid=SID) == b'<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert twilio.twiml(Reply(body=None, intent=Intent.STOP, locale="en"), message_sid=SID) == twilio.twiml(
        None, message_sid=SID
    )


@pytest.mark.parametrize(
    "body",
    ["HER2: ...", "a < b & c", "quotes \" and ' apostrophes", "SM" + "0" * 32, "é ü 中文 🙂", "", "\n"],
)
def test_twiml_is_what_twilios_library_makes_with_the_action(body):
    reply = Reply(body=body, intent=Intent.TOPIC, locale="en")
    response = MessagingResponse()
    response.message(body, action=f"/delivery/twilio?reply={SID}")
    assert twilio.twiml(reply, message_sid=SID) == response.to_xml().encode("utf-8")
    other = "SM" + "f" * 32
    assert twilio.twiml(reply, message_sid=other) == response.to_xml().replace(SID, other, 1).encode("utf-8")


def test_twiml_refuses_an_id_that_is_no_message_sid():
    with pytest.raises(ValueError):
        twilio.twiml(Reply(body="x", intent=Intent.HELP, locale="en"), message_sid='SM1"><Redirect>')


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st


@given(
    pairs=st.lists(
        st.tuples(
            st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
            st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
        ),
        max_size=8,
    )
)
def test_parse_form_agrees_with_urllibs_parse_qsl(pairs):
    from urllib.parse import parse_qsl, urlencode

    body = urlencode(pairs)
    assert twilio.parse_form(body.encode()).pairs == parse_qsl(body, keep_blank_values=True)


FIELD_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


@given(
    pairs=st.lists(
        st.tuples(st.sampled_from(["Body", "From", "To", "MessageSid", "X"]) | FIELD_TEXT, FIELD_TEXT), max_size=8
    ),
    sha256=st.booleans(),
)
def test_signature_of_is_twilios_request_validator_signature(pairs, sha256):
    from urllib.parse import urlencode

    form = twilio.parse_form(urlencode(pairs).encode())
    validator = RequestValidator(TOKEN)
    algorithm = "HMAC_SHA256" if sha256 else None
    header = "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256" if sha256 else None
    ours = twilio.signature_of(
        token=validator.token, url=URL, pairs=form.pairs, algorithm=get_signature_algorithm(header)
    )
    assert ours == validator.compute_signature(URL, form, algorithm)
    assert twilio.is_signed(validator=validator, url=URL, form=form, signature=ours, settings_header=header)


@pytest.mark.parametrize(
    ("raw", "pairs"),
    [
        (b"Body=a%26b%3Dc&From=%2B1", [("Body", "a&b=c"), ("From", "+1")]),  # encoded separators stay in the value
        (b"Body=%2526&To=1", [("Body", "%26"), ("To", "1")]),  # decoded once, not twice
        (b"A%3d=1&&B", [("A=", "1"), ("B", "")]),
        (b"Body=1+%2B+1", [("Body", "1 + 1")]),
    ],
)
def test_parse_form_keeps_separators_inside_values(raw, pairs):
    assert twilio.parse_form(raw).pairs == pairs


@pytest.mark.parametrize("field", twilio.READ_FIELDS)
def test_a_field_the_line_reads_sent_twice_is_refused(field):
    # Twilio joins names and values with no separator: Body=STOPFrom+1555…2 signs exactly as
    # Body=STOP, From=+1555…2 would, so a re-split capture must not be acted on.
    form = twilio.Form([*FORM.pairs, (field, "x"), (field, "y")])
    with pytest.raises(twilio.FormError, match=field):
        twilio.refuse_ambiguous(form)


CAPTURED = [("Body", "STOPFrom+15550001111"), ("From", "+15552223333"), ("MessageSid", SID)]


@pytest.mark.parametrize(
    ("case", "tail"),
    [
        ("the captured sender in a second From", ("From", "+15552223333")),
        ("the captured sender in a field named after it", ("From+15552223333", "")),  # sorts right after From
    ],
)
def test_a_re_split_capture_verifies_but_is_refused(case, tail):
    signature = RequestValidator(TOKEN).compute_signature(URL, twilio.Form(CAPTURED))
    re_split = twilio.Form([("Body", "STOP"), ("From", "+15550001111"), tail, ("MessageSid", SID)])
    assert twilio.is_signed(validator=RequestValidator(TOKEN), url=URL, form=re_split, signature=signature), case
    with pytest.raises(twilio.FormError):
        twilio.refuse_ambiguous(re_split)


@pytest.mark.parametrize("name", ["From+15552223333", "From:x", "", "Body ", "Ünï", "1From", "x" * 65])
def test_a_field_name_twilio_never_sends_is_refused(name):
    with pytest.raises(twilio.FormError):
        twilio.refuse_ambiguous(twilio.Form([*FORM.pairs, (name, "")]))


def test_repeated_fields_the_line_does_not_read_are_fine():
    twilio.refuse_ambiguous(twilio.Form([*FORM.pairs, ("MediaUrl0", "a"), ("MediaUrl0", "b")]))


def test_a_form_with_more_fields_than_twilio_sends_is_refused_before_decoding():
    with pytest.raises(twilio.FormError, match="fields"):
        twilio.parse_form(b"&".join(b"k%d=" % n for n in range(twilio.MAX_FIELDS + 1)))
    assert len(twilio.parse_form(b"&".join(b"k%d=" % n for n in range(twilio.MAX_FIELDS))).pairs) == twilio.MAX_FIELDS


URLS = st.sampled_from(
    [
        "https://line.test/sms",
        "https://line.test:443/sms",
        "http://line.test/sms",
        "http://line.test:80/sms?x=1",
        "https://line.test:8443/sms",
        "http://127.0.0.1:8000/sms",
        "https://line.test/sms?a=b:c",
        "https://[::1]:8443/sms",
    ]
)


@given(called=URLS, signed=URLS, sha256=st.booleans())
def test_port_variants_are_decided_as_twilios_validator_decides(called, signed, sha256):
    algorithm = "HMAC_SHA256" if sha256 else "HMAC_SHA1"
    validator = RequestValidator(TOKEN)
    signature = validator.compute_signature(signed, FORM, algorithm)
    header = f"algorithm={algorithm}"
    ours = twilio.is_signed(validator=validator, url=called, form=FORM, signature=signature, settings_header=header)
    assert ours == validator.validate(called, FORM, signature, algorithm)


def test_an_algorithm_twilio_does_not_name_is_refused():
    header = "key=webhooks_sharedkey_1,algorithm=HMAC_MD5"
    assert not twilio.is_signed(
        validator=RequestValidator(TOKEN), url=URL, form=FORM, signature=GOOD, settings_header=header
    )


def test_a_form_made_from_a_form_or_a_generator_keeps_every_pair():
    pairs = [("Body", "a"), ("Body", "b"), ("From", "+1")]
    assert twilio.Form(twilio.Form(pairs)).pairs == pairs
    assert twilio.Form(pair for pair in pairs).pairs == pairs


ATTACKER, VICTIM = "+15550009999", "+15551230001"


def twilio_sms(body: str, sid: str, sender: str = ATTACKER) -> list[tuple[str, str]]:
    """Every field Twilio sends with an inbound SMS."""
    return [
        ("ToCountry", "US"),
        ("ToState", "CA"),
        ("SmsMessageSid", sid),
        ("NumMedia", "0"),
        ("ToCity", "OAKLAND"),
        ("FromZip", "94105"),
        ("SmsSid", sid),
        ("FromState", "CA"),
        ("SmsStatus", "received"),
        ("FromCity", "OAKLAND"),
        ("Body", body),
        ("FromCountry", "US"),
        ("To", "+15005550006"),
        ("ToZip", "94105"),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", "AC" + "1" * 32),
        ("From", sender),
        ("ApiVersion", "2010-04-01"),
    ]


def swallowing(
    captured: list[tuple[str, str]], forged: list[tuple[str, str]], tail: str, name: str
) -> list[tuple[str, str]]:
    """forged, plus a last field `name` holding the rest of the captured form's signed string: what of the
    Body's tail the forged fields after MessageSid did not spell, then every captured field from From on."""
    fields = dict(captured)
    after_body = "".join(key + fields[key] for key in sorted(key for key in fields if key >= "From"))
    spelled = "".join(key + value for key, value in forged[forged.index(("MessageSid", FRESH)) + 1 :])
    remainder = (tail + after_body)[len(spelled) :]
    assert remainder.startswith(name)
    return [*forged, (name, remainder[len(name) :])]


FRESH = "SM" + "ab" * 16


@pytest.mark.parametrize(
    ("case", "tail", "name"),
    [
        ("into a field named after the tail", "Zzz", "ZzzFrom"),
        ("into a field Twilio really sends", "To+15005550006ToCity", "ToCity"),
    ],
)
def test_a_capture_re_split_with_a_fresh_message_sid_is_refused(case, tail, name):
    # The attacker texts STOP + From + the victim + MessageSid + a fresh id + a tail from her own phone;
    # re-split, the capture reads Body=STOP, From=victim, MessageSid=fresh, and one last field swallows the rest.
    captured = twilio_sms("STOP" + "From" + VICTIM + "MessageSid" + FRESH + tail, "SM" + "01" * 16)
    forged = [
        ("AccountSid", "AC" + "1" * 32),
        ("ApiVersion", "2010-04-01"),
        ("Body", "STOP"),
        ("From", VICTIM),
        ("MessageSid", FRESH),
    ]
    if name == "ToCity":
        forged.append(("To", "+15005550006"))
    re_split = twilio.Form(swallowing(captured, forged, tail, name))
    signature = RequestValidator(TOKEN).compute_signature(URL, twilio.Form(captured))
    assert twilio.is_signed(validator=RequestValidator(TOKEN), url=URL, form=re_split, signature=signature), case
    with pytest.raises(twilio.FormError):
        twilio.refuse_ambiguous(re_split)


def test_every_field_twilio_sends_passes():
    form = twilio.Form(twilio_sms("HER2", FRESH))
    twilio.refuse_ambiguous(form)
    assert twilio.decode(form).message_id == FRESH


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("no To", lambda pairs: [(k, v) for k, v in pairs if k != "To"]),
        ("SmsSid another id", lambda pairs: [(k, "SM" + "cd" * 16 if k == "SmsSid" else v) for k, v in pairs]),
    ],
)
def test_a_form_missing_or_contradicting_what_twilio_always_sends_is_refused(case, change):
    with pytest.raises(twilio.FormError):
        twilio.decode(twilio.Form(change(twilio_sms("HER2", FRESH))))


def test_a_text_to_a_short_code_is_decoded_with_its_code():
    # programs.toml lists short codes (3 to 8 digits) among a program's numbers; Twilio sends them as To.
    message = twilio.decode(form_of({"MessageSid": SID, "From": "+15551230001", "To": "24365"}))
    assert message.recipient == "24365"
