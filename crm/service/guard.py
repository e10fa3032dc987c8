"""The public complaint form's abuse guard, without a CAPTCHA.

- **Rate limit** per client address (``CRM_PUBLIC_FORM_RATE`` submissions and
  ``CRM_PUBLIC_LOOKUP_RATE`` look-ups per ``CRM_PUBLIC_FORM_WINDOW`` seconds), counted in the
  rate-limit table the API uses (``crm.core.ratelimit``), so every process shares the count;
  the whole site's public submissions are capped too (``CRM_PUBLIC_FORM_RATE_TOTAL``), which
  bounds a flood from many addresses.
- **Honeypot**: a field hidden from people (``website``); a robot filling every field fills it.
- **Minimum fill time**: the form carries a signed timestamp of when it was served
  (``stamp()``); a submission sooner than ``MIN_SECONDS`` after it, or with a stamp older than
  ``MAX_AGE`` or not signed by us, is refused. The stamp cannot be forged without SECRET_KEY.
- **Size caps**: the declared input's lengths (crm.service.inputs) and the request body limit.
- **Duplicate suppression**: the same phone and text again within ``DUPLICATE_HOURS`` returns the
  complaint already filed instead of a second one (crm.service.services.complaint_submit).

A refusal by the honeypot or the timer says as little as possible (one generic message), so
that a robot learns nothing about which check it failed.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.core import ratelimit
from crm.core.errors import DomainError

SALT = "crm.service.public-form"
MIN_SECONDS = 3
MAX_AGE = 2 * 60 * 60
HONEYPOT = "website"


class FormRefused(DomainError):
    """A submission the form itself refuses (filled honeypot, missing, forged, too quick or stale
    stamp): like a failed CSRF check, a 403 — the request is well-formed, the sender is not
    someone who filled the form."""

    status = 403
    code = "forbidden"  # the contract: a 403 is "forbidden"; the message says why


class Throttled(DomainError):
    status = 429
    code = "throttled"


def stamp() -> str:
    """The signed moment the form was served, for its hidden field."""
    return signing.Signer(salt=SALT).sign(str(int(timezone.now().timestamp())))


def check_form(*, started: str, honeypot: str) -> None:
    """Refuse a submission that a person filling the form would not send."""
    refused = FormRefused(_("提交未通过校验，请刷新页面后重新填写"))
    if honeypot:
        raise refused
    try:
        served = int(signing.Signer(salt=SALT).unsign(started or ""))
    except (signing.BadSignature, ValueError) as exc:
        raise refused from exc
    if not MIN_SECONDS <= timezone.now().timestamp() - served <= MAX_AGE:
        raise refused


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_rate(address: str | None, *, kind: str = "submit") -> None:
    """Count one public request from ``address``; 429 beyond the limits."""
    window = max(1, _limit("CRM_PUBLIC_FORM_WINDOW", 600))
    per_address = _limit(
        "CRM_PUBLIC_LOOKUP_RATE" if kind == "lookup" else "CRM_PUBLIC_FORM_RATE",
        20 if kind == "lookup" else 5,
    )
    total = _limit("CRM_PUBLIC_FORM_RATE_TOTAL", 30000)
    now = timezone.now().timestamp()
    number = int(now // window)
    buckets: list[tuple[str, int]] = []
    if address and per_address > 0:
        digest = hashlib.sha256(address.encode()).hexdigest()[:24]
        buckets.append((f"complaint-{kind}:{digest}", per_address))
    if kind == "submit" and total > 0:
        buckets.append(("complaint-submit:all", total))
    if not buckets:
        return
    counts = ratelimit.count(buckets, window, number)
    if any(hits > limit for hits, (_n, limit) in zip(counts, buckets, strict=True)):
        wait = max(1, int((number + 1) * window - now + 0.999))
        raise Throttled(
            _("提交过于频繁，请 %(minutes)d 分钟后再试") % {"minutes": max(1, wait // 60)},
            extra={"retry_after": wait},
        )


def fingerprint(phone: str, text: str) -> str:
    """A digest of who and what (duplicate suppression keeps no second copy of the text)."""
    words = " ".join(text.split()).lower()
    key = settings.SECRET_KEY.encode()
    return hashlib.blake2b(f"{phone}\x00{words}".encode(), key=key[:64], digest_size=32).hexdigest()
