"""A Twilio webhook's form: decoded as Twilio encodes it, every pair kept (Twilio signs them all), and
refused when it could be a captured one re-split (Twilio's signature has no separator between fields).

All of it runs before any signature is computed, so all of it is linear in the form and bounded.
"""

from __future__ import annotations

from service.channels.form import Form, FormError, decode_form, refuse_repeated

__all__ = ["MAX_FIELDS", "READ_FIELDS", "Form", "FormError", "parse_form", "refuse_ambiguous"]

# Twilio sends a few dozen fields (WhatsApp with ten media items about sixty): a form with far
# more is refused before it is decoded or any signature is computed.
MAX_FIELDS = 128
# The fields the line acts on; each must occur once (refuse_ambiguous).
READ_FIELDS = ("From", "To", "Body", "MessageSid", "SmsSid", "AccountSid", "NumMedia")
MAX_NAME_CHARS = 64


def parse_form(body: bytes) -> Form:
    """A Twilio form, decoded (service.channels.form); FormError before any decoding when it has more
    fields than Twilio sends."""
    return decode_form(
        body, max_fields=MAX_FIELDS, too_many=f"the form has more than {MAX_FIELDS} fields; Twilio sends a few dozen"
    )


def refuse_ambiguous(form: Form, *, fields: tuple[str, ...] = READ_FIELDS) -> None:
    """FormError when a form could be a captured one re-split: Twilio signs names and values joined with
    no separator, so Body=STOPFrom+1555…2 verifies re-sent as Body=STOP, From=+1555…2 plus either a
    second From or a field named From+1555…1. A field the line reads may occur once, and a name is
    what Twilio's names are: letters, digits, underscores. fields: those the channel reads."""
    for name, value in form.pairs:
        # isidentifier() in C: ASCII letters, digits, underscores, not leading with a digit.
        if not (name.isascii() and name.isidentifier() and len(name) <= MAX_NAME_CHARS):
            raise FormError("a field name is not one Twilio sends")
        # A forged MessageSid must come out of the captured Body, so the captured one, which sorts
        # after it, lands inside a later field's value, with its name: Twilio's own values never hold it.
        if name != "Body" and ("MessageSid" in value or "SmsSid" in value):
            raise FormError("a field holds another field's name and value")
    refuse_repeated(form, fields)
