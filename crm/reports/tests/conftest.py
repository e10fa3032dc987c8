"""Fixtures of the report tests: the clock, history made through the services, the catalogue."""

from __future__ import annotations

import pytest

from .history import clock, history  # noqa: F401  (fixtures)


@pytest.fixture(scope="session", autouse=True)
def reports_catalogue():
    from .catalogue import compile_reports_catalogue

    compile_reports_catalogue()
