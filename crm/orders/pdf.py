"""The printable order form (客户订购登记表 with its 合同评审表) as a PDF. Chinese text is set in
the PDF viewer's built-in Adobe-GB1 font STSong-Light (a CID font: no font file is shipped or
embedded)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import ContractReview, Order

FONT = "STSong-Light"
_registered: list[bool] = []


def _font() -> str:
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered.append(True)
    return FONT


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    escaped = (
        str(text if text not in (None, "") else "—")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "<br/>")
    )
    return Paragraph(escaped, style)


def _grid(rows: list[list[Any]], widths: list[float], font: str) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    return table


def order_pdf(order: Order, review: ContractReview | None) -> bytes:
    """The order form of ``order`` (and its latest contract review, when it has one)."""
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    head = ParagraphStyle("head", fontName=font, fontSize=16, leading=22, alignment=1)
    sub = ParagraphStyle("sub", fontName=font, fontSize=11, leading=16, spaceBefore=8)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("客户订购登记表 %(number)s") % {"number": order.number},
    )
    customer = order.customer
    story: list[Any] = [
        _p(_("客户订购登记表"), head),
        _p(
            _("订单编号 %(number)s　状态：%(state)s　订单日期：%(day)s")
            % {
                "number": order.number,
                "state": order.get_state_display(),
                "day": order.order_date.isoformat(),
            },
            body,
        ),
        _p(_("1. 客户信息"), sub),
    ]
    pair = [32 * mm, 58 * mm, 32 * mm, 58 * mm]
    story.append(
        _grid(
            [
                [_("客户"), _p(customer.name, body), _("客户编号"), customer.number or ""],
                [
                    _("联系人"),
                    _p(order.contact_name, body),
                    _("电子邮箱"),
                    _p(order.contact_email, body),
                ],
                [_("联系电话"), order.contact_phone or "—", _("口头订单"), _yes(order.verbal)],
            ],
            pair,
            font,
        )
    )
    story.append(_p(_("2. 订购产品信息"), sub))
    lines = [[_("产品"), _("规格型号"), _("数量"), _("单价"), _("金额"), _("订单细则")]]
    for line in order.lines.select_related("product"):  # type: ignore[attr-defined]
        notes = "；".join(
            f"{label}：{value}"
            for label, value in (
                (_("尺寸"), line.size),
                (_("颜色"), line.colour),
                (_("定制"), line.customisation),
            )
            if value
        )
        lines.append(
            [
                _p(f"{line.product.code} {line.product.name}", body),
                _p(line.product.specification, body),
                f"{line.quantity} {line.product.unit}",
                str(line.unit_price),
                str(line.amount),
                _p(notes, body),
            ]
        )
    lines.append(["", "", "", _("合计"), f"{order.currency} {order.total}", ""])
    table = _grid(lines, [40 * mm, 30 * mm, 22 * mm, 22 * mm, 26 * mm, 40 * mm], font)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
    story.append(table)
    story.append(_p(_("3. 交付、付款与外贸"), sub))
    story.append(
        _grid(
            [
                [
                    _("期望交付日期"),
                    order.expected_delivery.isoformat() if order.expected_delivery else "—",
                    _("付款方式"),
                    order.get_payment_method_display()
                    + (_("（分期）") if order.by_instalments else ""),
                ],
                [
                    _("贸易术语"),
                    f"{order.incoterm} {order.port}".strip() or "—",
                    _("款号"),
                    order.style_number or "—",
                ],
                [_("币种"), order.currency, _("已寄样"), _yes(order.sample_sent)],
            ],
            pair,
            font,
        )
    )
    story.append(_p(_("4. 开票信息"), sub))
    story.append(
        _grid(
            [
                [
                    _("公司名称"),
                    _p(order.invoice_company, body),
                    _("纳税人识别号"),
                    order.invoice_tax_id or "—",
                ],
                [
                    _("公司地址"),
                    _p(order.invoice_address, body),
                    _("联系电话"),
                    order.invoice_phone or "—",
                ],
                [
                    _("开户银行"),
                    _p(order.invoice_bank, body),
                    _("银行账号"),
                    order.invoice_account or "—",
                ],
            ],
            pair,
            font,
        )
    )
    story.append(_p(_("5. 其他备注"), sub))
    story.append(_p(order.notes, body))
    if review is not None:
        story.extend(_review(review, font, body, sub))
    story.append(Spacer(1, 6 * mm))
    story.append(
        _p(
            _("打印时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            body,
        )
    )
    doc.build(story)
    return out.getvalue()


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def _review(
    review: ContractReview, font: str, body: ParagraphStyle, sub: ParagraphStyle
) -> list[Any]:
    rows = [
        [_("质量要求"), _p(review.stated_quality, body)],
        [_("可用性"), _p(review.stated_usability, body)],
        [_("交付"), _p(review.stated_delivery, body)],
        [_("运输"), _p(review.stated_transport, body)],
        [_("保修"), _p(review.stated_warranty, body)],
        [_("培训"), _p(review.stated_training, body)],
        [_("价格"), _p(review.stated_price, body)],
        [_("隐含要求"), _p(review.implied, body)],
        [
            _("法律法规要求"),
            _p(review.statutory + ("；" + _("无铅") if review.lead_free else ""), body),
        ],
        [_("公司附加要求"), _p(review.company_terms, body)],
    ]
    decisions = [[_("评审内容"), _("结论"), _("评审意见"), _("评审人"), _("时间")]]
    for row in review.rows.select_related("decided_by"):  # type: ignore[attr-defined]
        decisions.append(
            [
                _p(row.get_area_display(), body),
                row.get_state_display(),
                _p(row.note, body),
                row.decided_by.display_name if row.decided_by else "",
                timezone.localtime(row.decided_at).strftime("%Y-%m-%d") if row.decided_at else "",
            ]
        )
    signed = (
        _("%(who)s 于 %(at)s 签署")
        % {
            "who": review.signed_by.display_name,
            "at": timezone.localtime(review.signed_at).strftime("%Y-%m-%d"),
        }
        if review.signed_by and review.signed_at
        else review.get_state_display()
    )
    return [
        _p(_("合同评审表（第 %(n)d 轮）") % {"n": review.round}, sub),
        _grid(rows, [32 * mm, 148 * mm], font),
        Spacer(1, 3 * mm),
        _grid(decisions, [44 * mm, 22 * mm, 64 * mm, 26 * mm, 24 * mm], font),
        _p(_("总（副）经理签署：%(signed)s") % {"signed": signed}, sub),
    ]
