"""The scope matrix: every endpoint against every persona, in one table.

anonymous → 401; a role without the action → 403 (the system administrator has no customer
actions); outside the data scope → 404 and nothing of the record; in scope → success. The
customer ``x`` belongs to rep_a in 销售一部: rep_b (same department, own records only), rep_c
and manager2 (销售二部) are outsiders; the manager of 销售一部, the data administrator and the
general manager see it.
"""

from __future__ import annotations

from typing import Any

import pytest

from crm.accounts import selectors as accounts_selectors
from crm.accounts import services as accounts
from crm.customers import services
from crm.customers.tests.factories import make_customer

PERSONAS = (
    "anonymous",
    "rep_a",
    "rep_b",
    "rep_c",
    "manager",
    "manager2",
    "data_admin",
    "gm",
    "sysadmin",
)
OK = "ok"  # the endpoint's success status

# Expected status per persona, by kind of endpoint.
# fmt: off
PROFILES: dict[str, tuple[int | str, ...]] = {
    #              anonymous rep_a rep_b rep_c manager manager2 data_admin gm  sysadmin
    "record":      (401,     OK,   404,  404,  OK,     404,     OK,        OK,  403),  # x's own
    "customers":   (401,     OK,   OK,   OK,   OK,     OK,      OK,        OK,  403),  # no record
    "recycle_bin": (401,     403,  403,  403,  403,    403,     OK,        403, 403),
    "signed_in":   (401,     OK,   OK,   OK,   OK,     OK,      OK,        OK,  OK),
}

# endpoint: (method, path, body, success status, profile); {x} {ct} {gone} {tok} filled in.
ENDPOINTS: dict[str, tuple[str, str, Any, int, str]] = {
    "me":               ("GET",    "me",                          None, 200, "signed_in"),
    "token_revoke":     ("DELETE", "auth/token",                  None, 204, "signed_in"),
    "token_list":       ("GET",    "auth/tokens",                 None, 200, "signed_in"),
    "token_revoke_id":  ("DELETE", "auth/tokens/{tok}",           None, 204, "signed_in"),
    "tags":             ("GET",    "tags",                        None, 200, "customers"),
    "customer_list":    ("GET",    "customers",                   None, 200, "customers"),
    "customer_create":  ("POST",   "customers",
                         {"name": "新客户", "phone": "13700000001"},     201, "customers"),
    "recycle_bin":      ("GET",    "customers?deleted=true",      None, 200, "recycle_bin"),
    "customer_restore": ("POST",   "customers/{gone}/restore",    None, 200, "recycle_bin"),
    "customer_detail":  ("GET",    "customers/{x}",               None, 200, "record"),
    "customer_update":  ("PATCH",  "customers/{x}", {"version": 1, "city": "杭州"}, 200, "record"),
    "customer_delete":  ("DELETE", "customers/{x}",               None, 204, "record"),
    "customer_history": ("GET",    "customers/{x}/history",       None, 200, "record"),
    "contact_list":     ("GET",    "customers/{x}/contacts",      None, 200, "record"),
    "contact_create":   ("POST",   "customers/{x}/contacts",
                         {"name": "刘总", "role": "chairman"},            201, "record"),
    "contact_update":   ("PATCH",  "customers/{x}/contacts/{ct}",
                         {"hobbies": "钓鱼"},                             200, "record"),
    "contact_delete":   ("DELETE", "customers/{x}/contacts/{ct}", None, 204, "record"),
}
# fmt: on

MATRIX = [
    pytest.param(endpoint, persona, expected, id=f"{endpoint}-{persona}")
    for endpoint, spec in ENDPOINTS.items()
    for persona, expected in zip(PERSONAS, PROFILES[spec[4]], strict=True)
]

WRITES = {"POST", "PATCH", "DELETE"}


@pytest.fixture
def world(org):
    x = make_customer(org.rep_a, name="星河机械有限公司", kind="organization", city="宁波")
    ct = services.contact_create(
        actor=org.rep_a, customer_id=x.pk, data={"name": "王总", "role": "general_manager"}
    )
    gone = make_customer(org.rep_a, name="已删除客户")
    services.customer_delete(actor=org.rep_a, customer_id=gone.pk)
    accounts.token_issue(actor=org.rep_a, name="rep_a's script")
    token = accounts_selectors.token_list(actor=org.rep_a).get().pk
    return {"x": x, "ct": ct, "gone": gone, "token": token}


@pytest.mark.parametrize(("endpoint", "persona", "expected"), MATRIX)
def test_scope_matrix(org, call, world, endpoint, persona, expected):
    # given the endpoint and the persona
    method, path, body, success, _profile = ENDPOINTS[endpoint]
    x, ct, gone = world["x"], world["ct"], world["gone"]
    path = path.format(x=x.pk, ct=ct.pk, gone=gone.pk, tok=world["token"])
    actor = None if persona == "anonymous" else getattr(org, persona)

    # when it is called
    response = call(actor, method, path, body)

    # then the status is the table's, refusals follow the error contract and leak nothing
    want = success if expected == OK else expected
    assert response.status_code == want, response.content.decode()
    if want >= 400:
        error = response.json()["error"]
        assert error["code"] == {401: "not_authenticated", 403: "forbidden", 404: "not_found"}[want]
        assert error["message"]
        assert x.name not in response.content.decode()
        assert "王总" not in response.content.decode()
    if want >= 400 and method in WRITES:
        x.refresh_from_db()
        gone.refresh_from_db()
        assert x.version == 1
        assert x.deleted_at is None
        assert x.city == "宁波"
        assert gone.deleted_at is not None
        assert [c.name for c in x.contacts.all()] == ["王总"]


def test_matrix_covers_every_endpoint_of_the_api():
    # Given the routes the API exposes, when compared with the matrix, none is left untested.
    from crm.api.api import api

    schema = api.get_openapi_schema()
    routes = {
        (method.upper(), path.removeprefix("/api/v1/"))
        for path, ops in schema["paths"].items()
        for method in ops
    }
    tested = {
        (
            m,
            p.split("?")[0]
            .replace("{x}", "{customer_id}")
            .replace("{gone}", "{customer_id}")
            .replace("{ct}", "{contact_id}")
            .replace("{tok}", "{token_id}"),
        )
        for m, p, *_rest in ENDPOINTS.values()
    }
    untested = routes - tested - {("POST", "auth/token")}  # sign-in: tests in test_auth.py
    assert not untested


# --- constrained scopes see only their rows -----------------------------------------------------


@pytest.fixture
def book(org):
    return {
        "甲": make_customer(org.rep_a, name="甲方客户"),
        "乙": make_customer(org.rep_b, name="乙方客户"),
        "丙": make_customer(org.rep_c, name="丙方客户"),
    }


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("rep_a", ["甲方客户"]),
        ("rep_b", ["乙方客户"]),
        ("rep_c", ["丙方客户"]),
        ("manager", ["乙方客户", "甲方客户"]),
        ("manager2", ["丙方客户"]),
        ("data_admin", ["丙方客户", "乙方客户", "甲方客户"]),
        ("gm", ["丙方客户", "乙方客户", "甲方客户"]),
    ],
)
def test_list_shows_only_rows_in_scope(org, call, book, persona, names):
    response = call(getattr(org, persona), "GET", "customers")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["items"]] == names


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("rep_a", ["甲方客户"]),
        ("manager", ["乙方客户", "甲方客户"]),
        ("manager2", ["丙方客户"]),
        ("gm", ["丙方客户", "乙方客户", "甲方客户"]),
    ],
)
def test_search_shows_only_rows_in_scope(org, call, book, persona, names):
    response = call(getattr(org, persona), "GET", "customers?q=方客户")
    assert [c["name"] for c in response.json()["items"]] == names


def test_filtering_by_another_reps_owner_id_reveals_nothing(org, call, book):
    response = call(org.rep_a, "GET", f"customers?owner={org.rep_c.pk}")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_recycle_bin_lists_deleted_customers_for_the_data_admin(org, call, world):
    response = call(org.data_admin, "GET", "customers?deleted=true")
    assert [c["name"] for c in response.json()["items"]] == ["已删除客户"]
    assert response.json()["items"][0]["deleted_at"] is not None


def test_restoring_a_live_customer_is_not_found(org, call, world):
    response = call(org.data_admin, "POST", f"customers/{world['x'].pk}/restore")
    assert response.status_code == 404


def test_contact_of_another_customer_is_not_found(org, call, world):
    # given rep_a's second customer with its own contact
    other = make_customer(org.rep_a, name="另一家公司", kind="organization")
    # when the contact of x is addressed under the other customer
    path = f"customers/{other.pk}/contacts/{world['ct'].pk}"
    # then it is not found, whether read-modified or deleted
    assert call(org.rep_a, "PATCH", path, {"hobbies": "x"}).status_code == 404
    assert call(org.rep_a, "DELETE", path).status_code == 404
    world["ct"].refresh_from_db()
    assert world["ct"].hobbies == ""


def test_a_missing_customer_is_not_found_like_one_out_of_scope(org, call, world):
    missing = call(org.rep_c, "GET", "customers/999999")
    hidden = call(org.rep_c, "GET", f"customers/{world['x'].pk}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


def test_a_deleted_customer_is_not_found(org, call, world):
    assert call(org.rep_a, "GET", f"customers/{world['gone'].pk}").status_code == 404
    assert call(org.data_admin, "GET", f"customers/{world['gone'].pk}").status_code == 404
