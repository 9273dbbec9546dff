"""Twilio Programmable Voice behind the seam (service.channels.base): "A call comes in" and each <Gather>'s
action, signed like /sms (twilio_form, twilio_signature), decoded to one step of the call; the Reply back
as TwiML that gathers the next key and, when none comes, says the referral once more and hangs up.

The call's path (the keys pressed so far) travels in the action URL's query, which Twilio signs with the
rest: a path is verified before it is read, and the line keeps no session.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote

from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from service.channels.base import Channel, Encoded, InboundRequest, Refused
from service.channels.twilio import FORM_TYPE, PHONE, TWIML_TYPE, verified_form
from service.channels.twilio_form import Form, FormError
from service.content import Content
from service.core.types import InboundMessage, Reply, Utterance
from service.core.voice import HIDDEN_CALLER, MAX_STEPS, SEPARATOR
from service.settings import Settings
from service.voices import AUDIO_ROUTE

ROUTE = "/voice"
CHANNEL = "voice"
# The fields a step is made of; each must occur once (refuse_ambiguous).
READ = ("CallSid", "From", "To", "Digits", "AccountSid")
CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
KEYPAD = frozenset("0123456789*#")
# Keys that are no digit choose nothing; "*" joins the path's keys, so both are written "#".
NO_DIGIT = "#"
# A path as the line writes it into its action URLs: at most MAX_STEPS keys.
PATH = re.compile(rf"(?:[0-9#](?:\*[0-9#]){{0,{MAX_STEPS - 1}}})?")
# Caller ID withheld: Twilio's From is then a word ("anonymous", "Restricted"), a client or SIP address,
# or one of the numbers carriers put in its place, each spelling a word on a keypad (ANONYMOUS,
# RESTRICTED, BLOCKED, UNKNOWN, UNAVAILABLE).
HIDDEN_NUMBERS = frozenset({"+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"})


def caller(sender: str) -> str:
    """Who the line answers: her number, or HIDDEN_CALLER when it is withheld (never the text sent)."""
    sender = sender.strip()
    return sender if PHONE.fullmatch(sender) and sender not in HIDDEN_NUMBERS else HIDDEN_CALLER


def _path(query: list[tuple[str, str]]) -> str | None:
    paths = [value for name, value in query if name == "path"]
    if len(paths) > 1:
        raise FormError("the query gives the path more than once")
    if paths and not PATH.fullmatch(paths[0]):
        raise FormError(f"the path is not one the line sends (at most {MAX_STEPS} keys)")
    return paths[0] if paths else None


def decode_call(form: Form, query: list[tuple[str, str]]) -> InboundMessage:
    """One step of a call: the call coming in (no path, no Digits), or a gather's key after its path."""
    call_sid, recipient = form.value("CallSid"), form.value("To").strip()
    # The id is kept in a record: only Twilio's own form (CA, 32 hex digits) is.
    if not CALL_SID.fullmatch(call_sid):
        raise FormError("CallSid is missing or not a Twilio call id")
    if not PHONE.fullmatch(recipient):
        raise FormError("To is missing or not a phone number as Twilio sends one")
    path, digits = _path(query), form.get("Digits")
    if path is None:
        if digits is not None:
            raise FormError("Digits came without the path of the gather it answers")
        body = ""
    else:
        if digits is None or digits not in KEYPAD:
            raise FormError("Digits is not one key of a phone's keypad")
        key = digits if digits.isdigit() else NO_DIGIT
        body = path + SEPARATOR + key if path else key
    return InboundMessage(
        message_id=f"{call_sid}-{body.count(SEPARATOR) + 1 if body else 0}",
        sender=caller(form.value("From")),
        recipient=recipient,
        body=body,
        channel=CHANNEL,
    )


class TwilioVoice:
    """Twilio's voice webhook: a signed form in, TwiML out."""

    provider = "Twilio"
    content_type = FORM_TYPE

    def __init__(self, *, token: str | None, content: Content, public_base_url: str | None = None) -> None:
        # None without an Auth Token: nothing can be verified, every call is refused.
        self.validator = RequestValidator(token) if token else None
        self.voices, self.recordings = content.voices, content.recordings
        # Behind a proxy the URLs Twilio is sent to are the public ones; else relative to the host it called.
        self.base = (public_base_url or "").rstrip("/")

    def verify_and_decode(self, request: InboundRequest) -> InboundMessage:
        """The step of a call Twilio signed for the URL as called (path included); Refused 400 or 403 otherwise."""
        form = verified_form(request, validator=self.validator, fields=READ)
        try:
            return decode_call(form, request.params())
        except FormError as error:
            raise Refused(400, str(error)) from None

    def encode(self, reply: Reply, message: InboundMessage) -> Encoded:
        """The reply as TwiML: what it says inside a <Gather> of the next key (when the call goes on; a
        topic and its referral before it), then its last utterance, the referral, once more, and <Hangup/>."""
        response = VoiceResponse()
        if reply.spoken:
            *said, last = reply.spoken
            # What must be heard whole goes before the gather: inside it, a key pressed while it is said
            # (Twilio's barge-in) would cut it off.
            while said and said[0].whole:
                self.say(response, said.pop(0))
            target: VoiceResponse | Gather = response
            if reply.goes_on:
                # "*" stays as written in a query; "#" would start a fragment.
                action = self.url(f"{ROUTE}?path={quote(message.body, safe=SEPARATOR)}")
                # Any one key ends the gather (# too: no finishing key); none, and the TwiML goes on below it.
                target = response.gather(input="dtmf", num_digits=1, action=action, method="POST", finish_on_key="")
            for utterance in said:
                self.say(target, utterance)
            self.say(response, last)
        response.hangup()
        return Encoded(TWIML_TYPE, response.to_xml().encode("utf-8"))

    def say(self, verb: VoiceResponse | Gather, utterance: Utterance) -> None:
        """An utterance in its locale's voice; a locale with no voice plays its recording."""
        voice = self.voices.get(utterance.locale)
        recording = self.recordings.get(utterance.locale, {}).get(utterance.key)
        if voice is not None:
            verb.say(utterance.text, language=voice.language, voice=voice.voice)
        elif recording is not None:
            verb.play(self.url(f"{AUDIO_ROUTE}/{utterance.locale}/{recording}"))
        else:  # English without a configured voice: Twilio's default one
            verb.say(utterance.text)

    def url(self, path: str) -> str:
        """A URL of the line's for Twilio to call: public when PUBLIC_BASE_URL says where, else the host's."""
        return self.base + path


def calls(settings: Settings, *, content: Content) -> TwilioVoice:
    """The voice channel of a configuration (its Auth Token, public URL) and content (voices, recordings)."""
    token = settings.twilio_auth_token
    return TwilioVoice(
        token=token.get_secret_value() if token else None, content=content, public_base_url=settings.public_base_url
    )


if TYPE_CHECKING:  # the seam's Protocol, checked where the channel is made
    _: Channel = TwilioVoice(token=None, content=Content(topics=(), messages={}))
