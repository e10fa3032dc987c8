"""Access is decided in one place: crm/core/permissions.py.

Every model says whose its rows are in its ``policy`` (owner, department, assigned paths). A
module that filters querysets by one of those fields itself (``.filter(owner=actor)``,
``Q(department_id__in=…)``) grows a second scope engine that the role settings cannot reach. This
test reads the source of every module outside tests and migrations and fails on such a filter;
filters that are not about access (a user picking an owner in a list, a report grouped by rep)
use ``owned_by``/``in_departments`` from crm.core.permissions, so that the fields a policy names
are known there only. ``__isnull`` tests (customers without an owner, i.e. in the public pool)
are not a scope and are allowed, and so are text searches (``__icontains`` on a complainant's
name): a policy field is a user or a department, never matched as text.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

from crm.core.permissions import policy_of

ROOT = Path(__file__).resolve().parents[3]
QUERY_CALLS = {"filter", "exclude", "Q", "get"}
TEXT_LOOKUPS = ("__isnull", "__icontains", "__contains", "__istartswith", "__startswith")


def policy_fields() -> set[str]:
    """Every field name a model's policy walks through (``customer__owner`` → customer, owner)."""
    names: set[str] = set()
    for model in apps.get_models():
        policy = policy_of(model)
        for path in (policy.owner, policy.department, *policy.assigned):
            if path and path != "pk":
                names.add(path.split("__")[-1])
    return names


def scoped_filters(source: str, fields: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in QUERY_CALLS:
            continue
        for kw in node.keywords:
            if not kw.arg or kw.arg.endswith(TEXT_LOOKUPS):
                continue
            parts = {p.removesuffix("_id") for p in kw.arg.split("__")}
            if parts & fields:
                found.append((node.lineno, f"{name}({kw.arg}=…)"))
    return found


def modules() -> list[Path]:
    found = [
        p
        for p in sorted((ROOT / "crm").rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts
    ]
    assert len(found) > 50, f"no source found under {ROOT}"
    return found


def test_the_policy_fields_are_known():
    # the test would pass vacuously if it looked for nothing
    assert {"owner", "department", "assignee", "staff"} <= policy_fields()


def test_no_module_outside_core_permissions_filters_by_owner_or_department():
    fields = policy_fields()
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {call}"
        for path in modules()
        if path != ROOT / "crm" / "core" / "permissions.py"
        for line, call in scoped_filters(path.read_text(encoding="utf-8"), fields)
    ]
    assert offenders == [], "access decided outside crm/core/permissions.py:\n" + "\n".join(
        offenders
    )


def test_the_scan_catches_a_second_scope_engine():
    fields = policy_fields()
    source = (
        "def mine(qs, actor):\n"
        "    a = qs.filter(owner=actor)\n"
        "    b = qs.exclude(customer__owner_id=actor.pk)\n"
        "    c = Q(department_id__in=[1, 2])\n"
        "    d = qs.filter(owner__isnull=True)\n"
    )
    assert [line for line, _ in scoped_filters(source, fields)] == [2, 3, 4]


def test_scope_terms_say_what_restrict_filters_by(org):
    # what a search index may narrow to: the actor as owner, the department subtree, or nothing
    from crm.accounts.roles import VIEW_CUSTOMER
    from crm.core.permissions import ScopeTerms, scope_terms
    from crm.customers.models import Customer

    assert scope_terms(org.rep_a, VIEW_CUSTOMER, Customer) == ScopeTerms(owners=(org.rep_a.pk,))
    assert scope_terms(org.manager, VIEW_CUSTOMER, Customer) == ScopeTerms(
        owners=(org.manager.pk,), departments=(org.sales1.pk,)
    )
    assert (
        scope_terms(org.director, VIEW_CUSTOMER, Customer)
        == ScopeTerms(owners=(org.director.pk,), departments=tuple(org.head_office.subtree_ids()))
        or scope_terms(org.director, VIEW_CUSTOMER, Customer) is None
    )
    assert scope_terms(org.data_admin, VIEW_CUSTOMER, Customer) is None
    assert scope_terms(org.sysadmin, VIEW_CUSTOMER, Customer) == ScopeTerms()
    assert scope_terms(org.manager, VIEW_CUSTOMER, Customer, within="own") == ScopeTerms(
        owners=(org.manager.pk,)
    )
