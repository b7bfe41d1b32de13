"""msgspec Structs for everything push sends or receives: API bodies and the push payload.

A subscription is the browser's `PushSubscription.toJSON()` plus the states and language to
address the message in, and nothing else: no name, no device, no IP, no immigration status
and no industry. Older app versions also send `industries` and `statuses`; they are checked
and thrown away, never stored.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

from server.content.schema import (
    INDUSTRIES,
    STATES,
    STATUSES,
    Industry,
    LanguageTag,
    StateCode,
    Status,
)

#: An industry a profile can choose, or "any" (prefer not to say / several).
IndustryChoice = Industry | Literal["any"]
INDUSTRY_CHOICES: tuple[str, ...] = (*INDUSTRIES, "any")
STATUS_CHOICES: tuple[str, ...] = (*STATUSES, "any")
STATE_CHOICES: tuple[str, ...] = (*STATES, "any")
#: A state by USPS code, or "any" (prefer not to say: every state's guides).
StateChoice = StateCode | Literal["any"]

#: Longest endpoint we accept. Real push services use well under 600 characters.
MAX_ENDPOINT_LENGTH = 1024
#: Largest request body the subscription endpoints read, in bytes.
MAX_BODY_BYTES = 4096

Base64Url = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]+={0,2}$", max_length=200)]


class SubscriptionKeys(Struct, kw_only=True):
    """The subscription's encryption keys, base64url as the browser gives them."""

    p256dh: Base64Url
    auth: Base64Url


class PushSubscriptionJSON(Struct, kw_only=True):
    """What `PushSubscription.toJSON()` returns. Unknown browser fields are ignored."""

    endpoint: Annotated[str, Meta(min_length=1, max_length=MAX_ENDPOINT_LENGTH)]
    keys: SubscriptionKeys
    expirationTime: int | float | None = None  # the browser's own field name


class PushProfile(Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """Which states' guides a subscriber hears about, and the language to tell them in.

    `industries` and `statuses` are only read from older app versions and dropped by
    `normalized()`: the server never keeps them, the phone filters by them itself.
    """

    states: Annotated[list[StateChoice], Meta(min_length=1, max_length=len(STATES) + 1)]
    language: LanguageTag
    industries: (
        Annotated[list[IndustryChoice], Meta(min_length=1, max_length=len(INDUSTRIES) + 1)] | None
    ) = None
    statuses: Annotated[list[Status], Meta(min_length=1, max_length=len(STATUSES) + 1)] | None = (
        None
    )

    def normalized(self) -> PushProfile:
        """What is kept: states sorted without duplicates, and the language."""
        return PushProfile(states=sorted(set(self.states)), language=self.language)


class SubscribeRequest(Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of `POST /api/v1/push/subscriptions`."""

    subscription: PushSubscriptionJSON
    profile: PushProfile


class UnsubscribeRequest(Struct, forbid_unknown_fields=True, kw_only=True):
    """Body of `DELETE /api/v1/push/subscriptions`: the endpoint is the only handle."""

    endpoint: Annotated[str, Meta(min_length=1, max_length=MAX_ENDPOINT_LENGTH)]


class SubscribeResponse(Struct, kw_only=True):
    """Answer to a successful subscribe: what the server keeps, echoed back."""

    subscribed: bool
    profile: PushProfile


class PublicKeyResponse(Struct, kw_only=True):
    """`GET /api/v1/push/key`: the VAPID public key for `pushManager.subscribe`."""

    public_key: str


class LocalizedMessage(Struct, kw_only=True):
    es: str
    en: str


class ErrorDetail(Struct, kw_only=True, omit_defaults=True):
    code: str
    message: LocalizedMessage
    field: str | None = None
    allowed: list[str] | None = None


class ErrorBody(Struct, kw_only=True):
    """Every 4xx/5xx answer of the push API: `{"error": {"code", "message": {"es","en"}}}`."""

    error: ErrorDetail


# --- the push message --------------------------------------------------------------------


class ChangedGuide(Struct, kw_only=True):
    """One guide that changed in the subscriber's state, in the language they will read it in.

    `industries` and `statuses` are the guide's own (public) audience, "all" or a list, so
    the phone can keep only the guides that apply to its profile: the server does not know.
    """

    id: str
    lang: str
    version: int
    hash: str
    title: str
    new: bool = False
    industries: list[str] | Literal["all"] = "all"
    statuses: list[str] | Literal["all"] = "all"


class GuidesUpdatedPayload(Struct, kw_only=True, tag="guides-updated", tag_field="type"):
    """The encrypted push payload (kept under 4 KB): just enough to fetch what changed.

    `title` and `body` are the notification text in `lang`; `more` counts changed guides left
    out of `guides` to stay under the size limit (the app finds them on its next pack update).
    """

    lang: str
    title: str
    body: str
    guides: list[ChangedGuide]
    more: int = 0


def encode(value: object) -> bytes:
    return msgspec.json.encode(value)
