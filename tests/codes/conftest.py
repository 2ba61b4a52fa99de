"""Fixtures for service-code tests (`coded` is the plugin tests/fixtures/codes.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def district_admin(create_admin, network):
    return create_admin("district_admin", network["center"], "district")
