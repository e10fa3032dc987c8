"""The customer's own survey page (``/s/<token>/``): no sign-in, the signed link is the key.

Guarded as a page anyone on the internet can reach: the link is checked first (signature,
expiry, single use: ``crm.care.services``); answers are limited per client address and per
link per hour (``CRM_SURVEY_PUBLIC_PER_ADDRESS``, ``CRM_SURVEY_PUBLIC_PER_LINK``: 429 beyond);
a hidden field that people leave empty and scripts fill (``website``) makes the answer be
dropped silently; the answers are checked as any form's (``answers.clean_answers``: types,
options, 1,000 characters a text); the request body is capped by Django's
DATA_UPLOAD_MAX_MEMORY_SIZE. Everything shown is escaped by the templates (no ``|safe``), and
the page shows the customer nothing of their record beyond the form's name.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm.care import services
from crm.core.errors import Invalid, NotFound
from crm.core.middleware import client_ip
from crm.questionnaires import selectors as form_selectors
from crm.questionnaires.services import published
from crm.web.questionnaires.forms import answers_from_post
from crm.web.questionnaires.views import _as_values, _fill_items

TEMPLATE = "web/care/public.html"
HONEYPOT = "website"
WINDOW = 3600


def over_limit(bucket: str, limit: int) -> bool:
    """Count one hit in ``bucket`` for the current hour; whether it is past ``limit`` (0: no
    limit). The cache is shared by the application processes (Redis or the database)."""
    if limit <= 0:
        return False
    key = f"crm:survey:{bucket}:{int(timezone.now().timestamp() // WINDOW)}"
    if cache.add(key, 1, timeout=WINDOW + 60):
        return False
    try:
        return int(cache.incr(key)) > limit
    except ValueError:  # expired in between
        cache.add(key, 1, timeout=WINDOW + 60)
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:24]


class SurveyPublicView(View):
    """GET: the form of a working link; POST: the customer's answers, once."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"  # the link is the key: never pass it on
        return response

    def gone(self, request: HttpRequest, message: str, status: int) -> HttpResponse:
        return render(request, TEMPLATE, {"gone": message}, status=status)

    def page(
        self,
        request: HttpRequest,
        token: str,
        values: dict[int, Any] | None = None,
        errors: dict[str, str] | None = None,
    ) -> HttpResponse:
        try:
            call = services.link_open(token=token)
        except NotFound as exc:
            return self.gone(request, str(exc.message), 404)
        except Invalid as exc:
            return self.gone(request, str(exc.message), 410)
        version = published(call.round.form)
        if version is None:
            return self.gone(request, _("本次调查已结束"), 410)
        layout = form_selectors.layout(version)
        items = _fill_items([q for s in layout for q in s.questions], values or {}, errors or {})
        return render(
            request,
            TEMPLATE,
            {
                "form_name": call.round.form.name,
                "description": call.round.form.description,
                "sections": [(s.section, [items[q.pk] for q in s.questions]) for s in layout],
                "errors": errors or {},
                "expires_at": call.link_expires_at,
            },
            status=422 if errors else 200,
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self.page(request, token)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        ip = client_ip(request) or "unknown"
        if over_limit(f"ip:{ip}", settings.CRM_SURVEY_PUBLIC_PER_ADDRESS) or over_limit(
            f"link:{_digest(token)}", settings.CRM_SURVEY_PUBLIC_PER_LINK
        ):
            response = self.gone(request, _("提交过于频繁，请稍后再试"), 429)
            response["Retry-After"] = str(WINDOW)
            return response
        if request.POST.get(HONEYPOT):
            # a script filled the field people never see: thank it and keep nothing
            return render(request, TEMPLATE, {"thanks": True})
        try:
            call = services.link_open(token=token)
        except NotFound as exc:
            return self.gone(request, str(exc.message), 404)
        except Invalid as exc:
            return self.gone(request, str(exc.message), 410)
        version = published(call.round.form)
        questions = form_selectors.questions(version) if version else []
        answers = answers_from_post(questions, request.POST)
        try:
            services.link_answer(token=token, answers=answers)
        except NotFound as exc:
            return self.gone(request, str(exc.message), 404)
        except Invalid as exc:
            if exc.status == 409:  # answered meanwhile (a second tab): used up
                return self.gone(request, str(exc.message), 410)
            errors = {k: str(v) for k, v in exc.fields.items()} or {"": str(exc.message)}
            return self.page(request, token, _as_values(questions, answers), errors)
        return render(request, TEMPLATE, {"thanks": True})
