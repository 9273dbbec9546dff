"""Twilio's webhook signature: an HMAC of the URL and every form field, checked in time linear in the form."""

from __future__ import annotations

import base64
import hmac
from urllib.parse import urlparse

from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)

from service.channels.twilio_form import Form
from service.macs import mac

# The algorithms Twilio names in its signature settings header.
DIGESTS = {HMAC_SHA1: "sha1", HMAC_SHA256: "sha256"}


def signature_of(*, token: bytes, url: str, pairs: list[tuple[str, str]], algorithm: str = HMAC_SHA1) -> str:
    """Twilio's signature of a form POST: the URL, then every distinct field's name and value
    sorted, HMAC'd with the Auth Token, in base64.

    The same string RequestValidator.compute_signature builds (a property test holds them
    equal), in one sort and one join: the library's loop was a tenth of the webhook's time.
    """
    digest = DIGESTS.get(algorithm.upper())
    if digest is None:
        raise ValueError("unsupported webhook signature algorithm")
    # A repeated field (rare) may repeat a value too, which Twilio signs once.
    distinct = pairs if len({key for key, _ in pairs}) == len(pairs) else set(pairs)
    data = url + "".join([key + value for key, value in sorted(distinct)])
    return base64.b64encode(mac(token, digest, data.encode("utf-8"))).decode("ascii")


def url_variants(url: str) -> tuple[str, ...]:
    """The URL as called, without its port, and with its scheme's default port: Twilio signs whichever
    form it called, and its validator tries all three. Its own add_port and remove_port make them; only
    its signature loop was quadratic in the form, so that part is signature_of's."""
    parsed = urlparse(url)
    try:
        return tuple(dict.fromkeys((url, remove_port(parsed), add_port(parsed))))
    except ValueError:  # a port that is no number: only the URL as called
        return (url,)


def is_signed(
    *,
    validator: RequestValidator,
    url: str,
    form: Form,
    signature: str | None,
    settings_header: str | None = None,
) -> bool:
    """Whether the signature is Twilio's for this URL (with or without its port) and form.

    Linear in the form's size: an HMAC for the URL as called, and only when it does not match one for
    each port variant (at most three in all).
    """
    if not signature:
        return False
    algorithm = get_signature_algorithm(settings_header)
    # Bytes, not str: compare_digest refuses non-ASCII text, and a forged header may hold any.
    offered = signature.encode("utf-8", "surrogatepass")
    try:
        # The URL as called first: a genuine call matches it, and its port variants are parsed only when not.
        for variant in (url, *url_variants(url)[1:]):
            expected = signature_of(token=validator.token, url=variant, pairs=form.pairs, algorithm=algorithm)
            if hmac.compare_digest(expected.encode(), offered):
                return True
    except ValueError:  # an algorithm Twilio does not use
        return False
    return False
