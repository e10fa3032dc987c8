from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorDetail


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str


class Ref(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    phone: str
    role: str
    role_label: str
    department: Ref | None
    data_scope: str
    actions: list[str]


class CustomerIn(Schema):
    kind: str = "person"
    name: str
    phone: str = ""
    email: str = ""
    id_number: str = ""
    credit_code: str = ""
    company: str = ""
    address: str = ""
    city: str = ""
    staff_count: int | None = None
    annual_revenue: Decimal | None = None
    main_business: str = ""
    needs: str = ""
    feedback: str = ""
    source: str = ""
    category: str = "potential"
    grade: str = ""
    owner: int | None = None
    tags: list[str] = []
    notes: str = ""


class CustomerPatch(Schema):
    version: int
    kind: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    credit_code: str | None = None
    company: str | None = None
    address: str | None = None
    city: str | None = None
    staff_count: int | None = None
    annual_revenue: Decimal | None = None
    main_business: str | None = None
    needs: str | None = None
    feedback: str | None = None
    source: str | None = None
    category: str | None = None
    grade: str | None = None
    owner: int | None = None
    tags: list[str] | None = None
    notes: str | None = None


class CustomerOut(Schema):
    id: int
    number: str | None
    kind: str
    name: str
    phone: str
    email: str
    id_number: str
    credit_code: str
    company: str
    address: str
    city: str
    staff_count: int | None
    annual_revenue: Decimal | None
    main_business: str
    needs: str
    feedback: str
    source: str
    category: str
    grade: str
    owner: Ref | None
    department: Ref | None
    tags: list[str]
    notes: str
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.owner_id, "name": obj.owner.display_name} if obj.owner_id else None

    @staticmethod
    def resolve_department(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.department_id, "name": obj.department.name} if obj.department_id else None

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class ContactIn(Schema):
    name: str
    role: str = "other"
    title: str = ""
    phone: str = ""
    age: int | None = None
    gender: str = ""
    hobbies: str = ""
    notes: str = ""


class ContactOut(Schema):
    id: int
    name: str
    role: str
    title: str
    phone: str
    age: int | None
    gender: str
    hobbies: str
    notes: str
    created_at: datetime
    updated_at: datetime


class HistoryOut(Schema):
    id: int
    created_at: datetime
    actor: str
    verb: str
    changes: dict[str, Any]
    reason: str
    request_id: str
    ip: str | None

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_name)
