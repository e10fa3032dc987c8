"""The small shared base of every web page: who acts, what they must be allowed, how domain errors
become pages, and when an htmx request gets a partial instead of the whole page.

A page declares ``action`` (403 without it) and ``template_name``; it implements ``get``/``post``
by parsing input, calling one service or selector and rendering. Nothing here builds querysets:
scope comes from the selectors and services (``crm.core.permissions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from crm.accounts.models import User
from crm.core.errors import Conflict, DomainError, Duplicate, Invalid, NotFound
from crm.core.errors import PermissionDenied as DomainForbidden
from crm.core.permissions import require

# Errors a form shows to its user. NotFound is never one: it becomes the 404 page. A refusal
# (e.g. handing a customer to someone out of one's scope) is shown on the form that asked for it.
FORM_ERRORS = (Invalid, Duplicate, Conflict, DomainForbidden)


def is_partial(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


class CrmView(View):
    """Signed-in pages. Anonymous users go to the login page; htmx requests are told to."""

    action: ClassVar[str | None] = None
    template_name: ClassVar[str] = ""
    partial_name: ClassVar[str] = ""
    # the pages a user whose password an administrator set may open before changing it
    open_before_password_change: ClassVar[bool] = False

    request: HttpRequest

    @property
    def actor(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if is_partial(request):
                return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
            return redirect_to_login(request.get_full_path())
        if self.actor.must_change_password and not self.open_before_password_change:
            url = reverse("web:settings") + "#password"
            if is_partial(request):
                return HttpResponseClientRedirect(url)
            return HttpResponseRedirect(url)
        try:
            if self.action:
                require(self.actor, self.action)
            response = super().dispatch(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except DomainForbidden as exc:
            raise HttpForbidden(str(exc.message)) from exc
        patch_vary_headers(response, ["HX-Request"])
        return response

    def render(
        self, context: Mapping[str, Any], *, status: int = 200, template: str = ""
    ) -> HttpResponse:
        """The page, or only its ``partial_name`` fragment for an htmx request."""
        if not template:
            template = self.template_name
            if self.partial_name and is_partial(self.request):
                template = f"{template}#{self.partial_name}"
        return render(self.request, template, dict(context), status=status)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """The 400 page, saying what in the address or the form was wrong (a day out of range, an
    id that is not a number): a clear refusal rather than a server error."""
    return render(request, "400.html", {"message": message}, status=400)


def apply_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Put a service's error onto the form: each field's message next to its field (a duplicate
    names the existing record and its owner there), anything else at the top of the form."""
    for field, message in exc.fields.items():
        form.add_error(field if field in form.fields else None, str(message))
    if not exc.fields:
        form.add_error(None, str(exc.message))


def form_error_status(form: forms.Form) -> int:
    """422 for a form sent back with errors, so that tests and tools can tell."""
    return 422 if form.errors else 200
