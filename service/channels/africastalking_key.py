"""Africa's Talking's callback key, and the callback it admits, shared by its USSD, SMS and delivery-report channels.

Africa's Talking does not sign its callbacks: each callback URL carries a key (?key=…) the line checks
in constant time before it reads anything else; operators also admit only its addresses at the proxy.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Generic, TypeVar

from service.channels.base import InboundRequest, Refused
from service.channels.form import FORM_TYPE, FormError
from service.settings import Settings

KEY_PARAMETER = "key"
NO_KEY = "The callback key is missing or wrong."
T = TypeVar("T")


class CallbackKey:
    """The key a callback's URL must carry; None admits nothing."""

    def __init__(self, key: str | None) -> None:
        self.key = key.encode("utf-8") if key else None

    def check(self, request: InboundRequest) -> None:
        """Refused 403 unless the URL carries the key exactly once; reads the query only, never the body."""
        offered = [value for name, value in request.params() if name == KEY_PARAMETER]
        # Bytes: compare_digest refuses non-ASCII text, and a forged key may hold any.
        if (
            self.key is None
            or len(offered) != 1
            or not hmac.compare_digest(offered[0].encode("utf-8", "surrogatepass"), self.key)
        ):
            raise Refused(403, NO_KEY)

    def admit(self, request: InboundRequest, decode: Callable[[bytes], T]) -> T:
        """decode(the body) of a call whose URL carries the key: Refused 403 before the body is read
        otherwise, 400 (FormError's words) for a form Africa's Talking would not send."""
        self.check(request)
        try:
            return decode(request.body)
        except FormError as error:
            raise Refused(400, str(error)) from None


class KeyedCallback(Generic[T]):
    """One of Africa's Talking's callbacks: a form, admitted by the callback key, decoded into a T."""

    provider = "Africa's Talking"
    content_type = FORM_TYPE

    def __init__(self, *, key: CallbackKey, decode: Callable[[bytes], T]) -> None:
        self.key, self.decode = key, decode

    def verify_and_decode(self, request: InboundRequest) -> T:
        """What a call whose URL carries the key says; 403 before the form is read otherwise, 400 for a form
        Africa's Talking would not send."""
        return self.key.admit(request, self.decode)


def callback_key(settings: Settings) -> CallbackKey:
    """The callback key of a configuration (AFRICASTALKING_CALLBACK_KEY)."""
    key = settings.africastalking_callback_key
    return CallbackKey(key.get_secret_value() if key else None)
