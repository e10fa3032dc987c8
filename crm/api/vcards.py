"""vCard import (名片导入): a phone's .vcf export as the caller's customers. ``dry_run`` says
what would happen to each card (the preview); without it the cards are imported, each through
the normal customer create service. Thin adapter over crm.vcards."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from crm.accounts.roles import IMPORT_VCARD
from crm.vcards import services
from crm.vcards.services import MAX_FILES

from .schemas import ErrorOut, Out
from .security import require_actor

router = Router(tags=["vcards"])

_WRITE: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 400: ErrorOut}
_UPLOADS = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {"properties": {"files": {"minItems": 1, "maxItems": MAX_FILES}}}
            }
        }
    }
}


class VCardOutcomeOut(Out):
    index: int = Field(description="名片在文件中的序号（从 1 起，多个文件连续编号）")
    name: str
    phone: str = Field(description="电话（显示格式，如 +44 20 7946 0958）；没有为空")
    action: str = Field(
        description="create 新建客户；contact 添加为已有客户的联系人；skip 跳过；invalid 无法导入"
    )
    action_label: str
    message: str = Field(description="原因或说明")
    customer_id: int | None = Field(description="新建的客户，或添加联系人的客户")
    customer_number: str


class VCardImportOut(Out):
    dry_run: bool
    cards: list[VCardOutcomeOut]
    counts: dict[str, int] = Field(description="按 action 计数")


class ImportOptions(Schema):
    dry_run: bool = Field(False, description="只预览每张名片的结果，不写入")


def _out(result: services.Result, dry_run: bool) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "cards": [
            {
                "index": o.index,
                "name": o.name,
                "phone": o.phone,
                "action": o.action,
                "action_label": o.action_label,
                "message": o.message,
                "customer_id": o.customer_id,
                "customer_number": o.customer_number,
            }
            for o in result.outcomes
        ],
        "counts": result.counts,
    }


@router.post(
    "vcard-imports",
    response={200: VCardImportOut, 201: VCardImportOut, **_WRITE},
    openapi_extra=_UPLOADS,
)
def vcard_import(
    request: HttpRequest,
    files: File[list[UploadedFile]],
    options: Query[ImportOptions],
) -> Status[dict[str, Any]]:
    """Import the contacts of .vcf files (vCard 2.1, 3.0 or 4.0, as phones export them; up to
    5 files of 5 MB) as the caller's customers: each card a new customer, or a contact of the
    customer that already has its phone, or skipped, with the reason per card. ``dry_run=true``
    previews (200) without writing; the import answers 201."""
    actor = require_actor(request, IMPORT_VCARD)
    cards = services.read_files([(f.name or "", f.read()) for f in files])
    if options.dry_run:
        return Status(200, _out(services.preview(actor=actor, cards=cards), True))
    names = "、".join(f.name or "" for f in files)
    result = services.import_cards(actor=actor, cards=cards, source=names)
    return Status(201, _out(result, False))
