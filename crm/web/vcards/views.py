"""名片导入: upload a phone's .vcf export, see what becomes of each card, import. Thin: the rules
are crm.vcards'. Between the preview and the import the parsed cards travel in the page,
signed (nothing is stored, the file holds personal data), and are planned again on import."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from crm.accounts.roles import IMPORT_VCARD
from crm.core.errors import DomainError, Invalid
from crm.vcards import services
from crm.vcards.parser import card_from_dict, card_to_dict
from crm.web.base import CrmView

_SALT = "crm.vcards.cards"
_MAX_AGE = 3600  # a preview older than an hour is read again


class VCardImportView(CrmView):
    action = IMPORT_VCARD
    template_name = "web/vcards/import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render({"max_files": services.MAX_FILES})

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("cards"):
            return self._import(request.POST["cards"], request.POST.get("source", ""))
        uploads = request.FILES.getlist("files")
        try:
            cards = services.read_files([(f.name or "", f.read()) for f in uploads])
            result = services.preview(actor=self.actor, cards=cards)
        except Invalid as exc:
            return self.render(
                {"error": exc.first_message, "max_files": services.MAX_FILES}, status=422
            )
        token = signing.dumps(
            {"cards": [card_to_dict(c) for c in cards]}, salt=_SALT, compress=True
        )
        source = "、".join(f.name or "" for f in uploads)[:200]
        return self.render(
            {"result": result, "cards": token, "source": source, "tally": result.counts}
        )

    def _import(self, token: str, source: str) -> HttpResponse:
        try:
            data: dict[str, Any] = signing.loads(token, salt=_SALT, max_age=_MAX_AGE)
            cards = [card_from_dict(c) for c in data["cards"]]
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return self.render(
                {"error": _("预览已过期，请重新选择文件"), "max_files": services.MAX_FILES},
                status=422,
            )
        try:
            result = services.import_cards(actor=self.actor, cards=cards, source=source[:200])
        except DomainError as exc:
            return self.render(
                {"error": exc.first_message, "max_files": services.MAX_FILES}, status=422
            )
        return self.render({"result": result, "done": True, "tally": result.counts})
