"""vCard import (名片导入): the contacts of a phone's .vcf export become the importer's customers.

Each card goes through the normal customer create service (``customers.customer_create``), so
every rule applies: the declared input, the duplicate check, the owner, the search index, the
audit trail. Before that, a card whose phone is already a customer's (its blind index, ADR 0009)
is not entered twice: the person becomes a contact of that customer when the importer may edit
it and the names differ, else the card is skipped, saying why. Cards that cannot be read as a
customer (no name) are refused with the message of the field.

``preview`` says what would happen to each card without writing anything; ``import_cards`` does
it and writes one audit event for the whole import (plus the usual event per customer).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.accounts.models import User
from crm.accounts.roles import ADD_CUSTOMER, CHANGE_CUSTOMER, IMPORT_VCARD, VIEW_CUSTOMER
from crm.core.errors import DomainError, Duplicate, Invalid, PermissionDenied
from crm.core.inputs import validate
from crm.core.permissions import allows, require
from crm.core.regions import country_code_of
from crm.core.validators import format_phone
from crm.customers import sensitive
from crm.customers import services as customers
from crm.customers.inputs import ContactInput, CustomerInput
from crm.customers.models import Contact, Customer
from crm.governance import audit

from .parser import Card, VCardError, parse

MAX_BYTES = 5 * 1024 * 1024  # a phone's whole address book with photos is a few MB
MAX_FILES = 5

CREATE, CONTACT, SKIP, INVALID = "create", "contact", "skip", "invalid"
ACTION_LABELS = {
    CREATE: gettext_lazy("新建客户"),
    CONTACT: gettext_lazy("添加为联系人"),
    SKIP: gettext_lazy("跳过"),
    INVALID: gettext_lazy("无法导入"),
}
# the customer fields a card fills, with the label its refused value is noted under
_NOTED = {
    "phone": gettext_lazy("电话"),
    "fax": gettext_lazy("传真"),
    "email": gettext_lazy("邮箱"),
    "website": gettext_lazy("网址"),
}


@dataclass
class Outcome:
    """What happens (preview) or happened (import) to one card."""

    index: int
    name: str
    phone: str  # as shown (+44 20 7946 0958); "" when the card has none
    action: str
    message: str = ""
    customer_id: int | None = None
    customer_number: str = ""
    data: dict[str, Any] = field(default_factory=dict, repr=False)  # the customer's input
    contact: dict[str, Any] = field(default_factory=dict, repr=False)  # or the contact's

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass
class Result:
    outcomes: list[Outcome]

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in (CREATE, CONTACT, SKIP, INVALID)}


# --- reading the files ------------------------------------------------------------------------


def read_files(files: Sequence[tuple[str, bytes]]) -> list[Card]:
    """The cards of the uploaded files (name, content), numbered through; ``Invalid`` naming
    the file that is too big or no vCard."""
    if not files:
        raise Invalid(fields={"files": _("请选择 .vcf 文件")})
    if len(files) > MAX_FILES:
        raise Invalid(fields={"files": _("一次最多导入 %(n)d 个文件") % {"n": MAX_FILES}})
    cards: list[Card] = []
    for name, content in files:
        if len(content) > MAX_BYTES:
            raise Invalid(fields={"files": _("%(name)s 超过 5 MB") % {"name": name}})
        try:
            found = parse(content)
        except VCardError as exc:
            message = _("%(name)s 不是 vCard 名片文件（.vcf），或其中没有名片") % {"name": name}
            raise Invalid(fields={"files": message}) from exc
        for card in found:
            card.index = len(cards) + 1
            cards.append(card)
    return cards


# --- a card as a customer ---------------------------------------------------------------------


def _primary_phone(card: Card) -> tuple[str, str, list[str]]:
    """(phone, fax, the other numbers): the preferred voice number first, else a mobile."""
    voice = [p for p in card.phones if "FAX" not in p.kinds]
    fax = next((p.number for p in card.phones if "FAX" in p.kinds), "")
    ranked = sorted(voice, key=lambda p: ("PREF" not in p.kinds, "CELL" not in p.kinds))
    phone = ranked[0].number if ranked else ""
    others = [p.number for p in voice if p.number != phone]
    return phone, fax, others


def customer_data(card: Card) -> dict[str, Any]:
    """The customer input a card gives (not validated): N/FN, TEL, EMAIL, ORG, ADR, URL; the
    title, the other numbers and the notes go into 备注."""
    phone, fax, others = _primary_phone(card)
    data: dict[str, Any] = {"name": card.name[:100]}
    if phone:
        data["phone"] = phone
    if fax:
        data["fax"] = fax
    if card.emails:
        data["email"] = card.emails[0]
    if card.organization:
        data["company"] = card.organization[:100]
    if card.addresses:
        _box, _ext, street, city, region, code, country = (card.addresses[0] + [""] * 7)[:7]
        data["address"] = " ".join(p for p in (street, region, code, country) if p)[:200]
        if city:
            data["city"] = city[:50]
            data["address"] = " ".join(p for p in (street, city, region, code, country) if p)[:200]
        if country_code_of(country):
            data["country"] = country_code_of(country)
    if card.urls:
        data["website"] = card.urls[0]
    notes = []
    if card.title:
        notes.append(_("职位：%(title)s") % {"title": card.title})
    if others:
        notes.append(_("其他电话：%(numbers)s") % {"numbers": "、".join(others)})
    notes += card.notes
    if notes:
        data["notes"] = "\n".join(notes)[:5000]
    return data


def _cleaned(card: Card) -> tuple[dict[str, Any] | None, str]:
    """The card's customer input, validated: a refused phone, fax, e-mail or website is kept in
    备注 (said in the message) rather than losing the card; no name refuses it."""
    data = customer_data(card)
    try:
        return validate(CustomerInput, data), ""
    except Invalid as exc:
        if not set(exc.fields) <= set(_NOTED):
            return None, exc.first_message
        refused = exc.fields
    dropped = "；".join(f"{_NOTED[f]} {data.pop(f)}" for f in refused)
    note = _("名片中无法识别的内容：%(items)s") % {"items": dropped}
    data["notes"] = "\n".join(p for p in (data.get("notes", ""), note) if p)[:5000]
    try:
        cleaned = validate(CustomerInput, data)
    except Invalid as exc:
        return None, exc.first_message
    return cleaned, _("未能识别，已记入备注：%(items)s") % {"items": dropped}


class _Known:
    """The customers and contacts that already have the cards' phones, read in two queries by
    their blind indexes (ADR 0009) rather than two per card."""

    def __init__(self, phones: Sequence[str]) -> None:
        keys = sensitive.phone_indexes(phones)
        customers = (
            Customer.objects.filter(deleted_at__isnull=True, phone_index__in=list(keys))
            .exclude(phone_index="")
            .select_related("owner")
        )
        self.customers = {keys[c.phone_index]: c for c in customers}
        contacts = (
            Contact.objects.filter(customer__deleted_at__isnull=True, phone_index__in=list(keys))
            .exclude(phone_index="")
            .select_related("customer")
        )
        self.contacts = {keys[c.phone_index]: c for c in contacts}

    def of(self, phone: str) -> tuple[Customer | None, Contact | None]:
        customer = self.customers.get(phone)
        return customer, None if customer is not None else self.contacts.get(phone)


def _same_person(a: str, b: str) -> bool:
    return "".join(a.split()).lower() == "".join(b.split()).lower()


def _plan_card(
    actor: User,
    card: Card,
    cleaned: tuple[dict[str, Any] | None, str],
    seen: dict[str, int],
    known: _Known,
) -> Outcome:
    data, message = cleaned
    raw_phone = _primary_phone(card)[0]
    if data is None:
        return Outcome(card.index, card.name, raw_phone, INVALID, message)
    phone = data.get("phone", "")
    shown = format_phone(phone)
    outcome = Outcome(card.index, data["name"], shown, CREATE, message, data=data)
    if not phone:
        return outcome
    if phone in seen:
        outcome.action = SKIP
        outcome.message = _("与本次导入的第 %(n)d 张名片电话相同") % {"n": seen[phone]}
        return outcome
    seen[phone] = card.index
    customer, contact = known.of(phone)
    if contact is not None:
        visible = allows(actor, VIEW_CUSTOMER, contact.customer)
        outcome.action = SKIP
        outcome.message = (
            _("已是客户 %(number)s（%(name)s）的联系人")
            % {"number": contact.customer.number, "name": contact.customer.name}
            if visible
            else _("电话已是其他同事客户的联系人")
        )
        return outcome
    if customer is None:
        return outcome
    visible = allows(actor, VIEW_CUSTOMER, customer)
    owner = customer.owner.display_name if customer.owner else _("公海")
    if not visible:
        outcome.action = SKIP
        outcome.message = _("电话与负责人 %(owner)s 名下的已有客户重复") % {"owner": owner}
        return outcome
    outcome.customer_id, outcome.customer_number = customer.pk, customer.number or ""
    if _same_person(customer.name, data["name"]):
        outcome.action = SKIP
        outcome.message = _("已是客户 %(number)s") % {"number": customer.number}
        return outcome
    if not allows(actor, CHANGE_CUSTOMER, customer):
        outcome.action = SKIP
        outcome.message = _("电话与客户 %(number)s（%(name)s）重复，您不能修改该客户") % {
            "number": customer.number,
            "name": customer.name,
        }
        return outcome
    outcome.action = CONTACT
    outcome.message = _("电话与客户 %(number)s（%(name)s）相同，添加为其联系人") % {
        "number": customer.number,
        "name": customer.name,
    }
    outcome.contact = _contact_data(card, data)
    return outcome


def _contact_data(card: Card, data: Mapping[str, Any]) -> dict[str, Any]:
    contact: dict[str, Any] = {"name": data["name"][:50], "phone": data["phone"]}
    if card.title:
        contact["title"] = card.title[:50]
    if data.get("notes"):
        contact["notes"] = str(data["notes"])[:2000]
    return validate(ContactInput, contact)


def preview(*, actor: User, cards: Sequence[Card]) -> Result:
    """What importing ``cards`` would do to each, nothing written."""
    require(actor, IMPORT_VCARD)
    require(actor, ADD_CUSTOMER)
    seen: dict[str, int] = {}
    cleaned = [_cleaned(card) for card in cards]
    known = _Known([data.get("phone", "") for data, _message in cleaned if data])
    return Result(
        [_plan_card(actor, card, c, seen, known) for card, c in zip(cards, cleaned, strict=True)]
    )


@transaction.atomic
def import_cards(*, actor: User, cards: Sequence[Card], source: str = "") -> Result:
    """Import ``cards``: each a new customer of the importer's, a contact of the customer whose
    phone it has, or skipped (why, per card). One audit event for the import."""
    result = preview(actor=actor, cards=cards)
    for outcome in result.outcomes:
        if outcome.action == CREATE:
            _create(actor, outcome)
        elif outcome.action == CONTACT and outcome.customer_id is not None:
            _add_contact(actor, outcome)
    audit.record(
        actor=actor,
        verb="vcard.imported",
        object_type="vcards.import",
        details={
            "file": source[:200],
            "cards": len(result.outcomes),
            **result.counts,
            "customers": [o.customer_id for o in result.outcomes if o.action == CREATE],
        },
    )
    return result


def _create(actor: User, outcome: Outcome) -> None:
    try:
        with transaction.atomic():
            customer = customers.customer_create(actor=actor, data=outcome.data)
    except Duplicate as exc:  # entered since the preview: the duplicate check says whose
        outcome.action, outcome.message = SKIP, exc.first_message
        return
    except (Invalid, PermissionDenied) as exc:
        outcome.action, outcome.message = INVALID, exc.first_message
        return
    outcome.customer_id, outcome.customer_number = customer.pk, customer.number or ""


def _add_contact(actor: User, outcome: Outcome) -> None:
    try:
        with transaction.atomic():
            customers.contact_create(
                actor=actor, customer_id=outcome.customer_id or 0, data=outcome.contact
            )
    except DomainError as exc:  # the customer changed since the preview
        outcome.action, outcome.message = SKIP, exc.first_message
