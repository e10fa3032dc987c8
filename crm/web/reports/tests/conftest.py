"""Fixtures of the report pages' tests: signing in, English catalogues, history made through the
services with the clock under control."""

from __future__ import annotations

import pytest

from crm.reports.tests import history as made
from crm.reports.tests.catalogue import compile_reports_catalogue
from crm.web.tests.conftest import compiled_web_messages  # noqa: F401  (session fixture)

clock, history = made.clock, made.history


@pytest.fixture(scope="session", autouse=True)
def reports_catalogue(compiled_web_messages):  # noqa: F811
    compile_reports_catalogue()


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
