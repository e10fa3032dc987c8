"""The files of an order: a written confirmation (an e-mail, the countersigned contract) and its
other documents. Checked by content like a follow-up's attachments (crm.activities), plus saved
e-mails (``.eml``: text with mail headers). Stored under a random name in the data folder."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from crm.activities.services import ATTACHMENT_TYPES
from crm.core.errors import Invalid, StateConflict
from crm.core.uploads import safe_name, sniff

from .models import Order, OrderFile

FILE_MAX_BYTES = 10 * 1024 * 1024
FILES_MAX = 20
EML = "message/rfc822"
_MAIL_HEADER = re.compile(
    rb"^(From|To|Subject|Date|Received|Message-ID|MIME-Version):", re.M | re.I
)


def _kind(upload: UploadedFile) -> str:
    """The type by content (crm.core.uploads), or a saved e-mail: an .eml whose first bytes
    carry mail headers."""
    found = sniff(upload)
    if found:
        return found
    head = upload.read(8192)
    upload.seek(0)
    if (upload.name or "").lower().endswith(".eml") and _MAIL_HEADER.search(head):
        return EML
    return ""


def check(files: Sequence[UploadedFile], *, already: int) -> list[tuple[UploadedFile, str]]:
    """Each file's type by its content, or the refusal naming the first wrong one."""
    if not files:
        raise Invalid(fields={"files": _("请选择要上传的文件")})
    if already + len(files) > FILES_MAX:
        message = {"files": _("每个订单最多 %(n)d 个文件") % {"n": FILES_MAX}}
        raise (Invalid if len(files) > FILES_MAX else StateConflict)(fields=message)
    checked = []
    for upload in files:
        name = safe_name(upload.name or "")
        if (upload.size or 0) > FILE_MAX_BYTES:
            raise Invalid(fields={"files": _("%(name)s 超过 10 MB") % {"name": name}})
        kind = _kind(upload)
        if kind not in ATTACHMENT_TYPES and kind != EML:
            raise Invalid(
                fields={
                    "files": _("%(name)s 不是可接受的文件类型（邮件 .eml、PDF、图片、Word、Excel）")
                    % {"name": name}
                }
            )
        checked.append((upload, kind))
    return checked


def save(
    order: Order, checked: list[tuple[UploadedFile, str]], *, kind: str, actor: Any
) -> list[OrderFile]:
    saved = []
    for upload, content_type in checked:
        name = safe_name(upload.name or "")
        row = OrderFile(
            order=order,
            kind=kind,
            name=name,
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        row.file.save(name, upload, save=False)
        row.save()
        saved.append(row)
    return saved
