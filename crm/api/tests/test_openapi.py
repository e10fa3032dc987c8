"""OpenAPI 3 at /api/openapi.json and Swagger UI at /api/docs, served without any CDN."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_describes_the_contract(client):
    # when the OpenAPI document is fetched without signing in
    response = client.get("/api/openapi.json")

    # then it is OpenAPI 3 and lists every endpoint of the contract
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "客户管理系统 API"
    paths = doc["paths"]
    assert set(paths["/api/v1/auth/token"]) == {"post", "delete"}
    assert set(paths["/api/v1/me"]) == {"get"}
    assert set(paths["/api/v1/customers"]) == {"get", "post"}
    assert set(paths["/api/v1/customers/{customer_id}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/customers/{customer_id}/history"]) == {"get"}
    assert set(paths["/api/v1/customers/{customer_id}/contacts"]) == {"get", "post"}
    assert set(paths["/api/v1/customers/{customer_id}/contacts/{contact_id}"]) == {
        "patch",
        "delete",
    }
    assert set(paths["/api/v1/customers/{customer_id}/restore"]) == {"post"}
    assert set(paths["/api/v1/tags"]) == {"get"}


def test_openapi_schemas_carry_the_field_names_and_errors(client):
    doc = client.get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]
    customer = set(schemas["CustomerOut"]["properties"])
    assert {
        "id", "number", "kind", "name", "phone", "email", "id_number", "credit_code", "company",
        "address", "city", "source", "category", "grade", "owner", "department", "tags", "notes",
        "version", "created_at", "updated_at",
    } <= customer  # fmt: skip
    assert "version" in schemas["CustomerPatch"]["required"]
    assert schemas["CustomerIn"]["properties"]["category"]["enum"][0] == "potential"
    list_params = {p["name"] for p in doc["paths"]["/api/v1/customers"]["get"]["parameters"]}
    assert {"q", "category", "grade", "owner", "tag", "cursor", "limit"} <= list_params
    responses = doc["paths"]["/api/v1/customers/{customer_id}"]["patch"]["responses"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(responses)
    assert "existing" in schemas["ErrorDetail"]["properties"]


def test_openapi_declares_both_ways_to_sign_in(client):
    doc = client.get("/api/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "security" not in doc["paths"]["/api/v1/auth/token"]["post"]  # sign-in is open


def test_docs_page_loads_swagger_from_static_not_a_cdn(client):
    # when the interactive documentation is opened
    response = client.get("/api/docs")

    # then it is served, and every script and stylesheet comes from /static/
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in html.lower()
    assert '"/api/openapi.json"' in html


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/static/ninja/swagger-ui-bundle.js", "javascript"),
        ("/static/ninja/swagger-ui-init.js", "javascript"),
        ("/static/ninja/swagger-ui.css", "css"),
    ],
)
def test_docs_assets_are_served_locally(client, path, kind):
    response = client.get(path)
    assert response.status_code == 200
    assert kind in response["Content-Type"]
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_docs_page_allows_only_own_scripts(client):
    policy = client.get("/api/docs")["Content-Security-Policy"]
    match = re.search(r"script-src ([^;]+)", policy)
    assert match
    script_src = match.group(1).split()
    assert "'self'" in script_src
    assert not [s for s in script_src if s.startswith("http") or s == "'unsafe-inline'"]
    assert "'nonce'" not in script_src  # not a valid source: browsers ignore it


def test_no_two_body_or_response_schemas_share_a_name():
    """The OpenAPI document names its schemas by class name: two classes of one name (a
    ``CountsOut`` in two domains) silently become one, and clients read the wrong fields."""
    import collections

    import pydantic

    import crm.api.api  # noqa: F401  (every router's schemas imported)

    modules: dict[str, set[str]] = collections.defaultdict(set)

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("crm.api.") and not sub.__name__.endswith("Params"):
                modules[sub.__name__].add(sub.__module__)
            walk(sub)

    walk(pydantic.BaseModel)
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}
