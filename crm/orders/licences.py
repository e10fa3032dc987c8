"""Writes of distributors' medical-device business licences (医疗器械经营许可证, 5.1.5): part of
the customer's file, kept by whoever may edit the customer (``CHANGE_CUSTOMER`` over it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crm.accounts.models import User
from crm.accounts.roles import CHANGE_CUSTOMER, VIEW_CUSTOMER
from crm.core.errors import Conflict, Invalid, NotFound
from crm.core.inputs import validate
from crm.core.permissions import allows, require, restrict
from crm.customers.models import Customer
from crm.governance import audit

from .inputs import LicenceInput, LicencePatch
from .models import MedicalLicence

_FIELDS = ("kind", "number", "classes", "codes", "issued_on", "expires_on")


def _check(licence: MedicalLicence) -> None:
    if licence.issued_on and licence.expires_on < licence.issued_on:
        raise Invalid(fields={"expires_on": _("有效期不能早于发证日期")})
    licence.classes = sorted(set(licence.classes), key=["I", "II", "III"].index)
    licence.codes = list(dict.fromkeys(licence.codes))


def _locked(actor: User, licence_id: int) -> MedicalLicence:
    require(actor, CHANGE_CUSTOMER)
    found = (
        restrict(MedicalLicence.objects.all(), actor, CHANGE_CUSTOMER)
        .select_for_update(of=("self",))
        .select_related("customer")
        .filter(pk=licence_id, customer__deleted_at__isnull=True)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def licence_create(*, actor: User, data: Mapping[str, Any]) -> MedicalLicence:
    require(actor, CHANGE_CUSTOMER)
    cleaned = validate(LicenceInput, data)
    customer = (
        restrict(Customer.objects.alive(), actor, VIEW_CUSTOMER)
        .filter(pk=cleaned["customer"])
        .first()
    )
    if customer is None or not allows(actor, CHANGE_CUSTOMER, customer):
        raise Invalid(fields={"customer": _("客户不存在或不在您的范围内")})
    licence = MedicalLicence(customer=customer, created_by=actor)
    for f in _FIELDS:
        if f in cleaned:
            setattr(licence, f, cleaned[f])
    _check(licence)
    licence.save()
    audit.record(actor=actor, verb="licence.created", obj=licence, after=licence.snapshot())
    return licence


@transaction.atomic
def licence_update(*, actor: User, licence_id: int, data: Mapping[str, Any]) -> MedicalLicence:
    cleaned = validate(LicencePatch, data)
    licence = _locked(actor, licence_id)
    if licence.version != cleaned.pop("version"):
        raise Conflict(extra={"current_version": licence.version})
    before = licence.snapshot()
    for f in _FIELDS:
        if f in cleaned and (cleaned[f] is not None or f == "issued_on"):
            setattr(licence, f, cleaned[f])
    _check(licence)
    if licence.snapshot() == before:
        return licence
    licence.version += 1
    licence.save()
    audit.record(
        actor=actor, verb="licence.updated", obj=licence, before=before, after=licence.snapshot()
    )
    return licence


@transaction.atomic
def licence_delete(*, actor: User, licence_id: int) -> None:
    licence = _locked(actor, licence_id)
    before = licence.snapshot()
    audit.record(actor=actor, verb="licence.deleted", obj=licence, before=before)
    licence.delete()
