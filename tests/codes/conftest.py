"""Fixtures for service-code tests: a small network with live point codes."""

from __future__ import annotations

import pytest


@pytest.fixture
def coded(db, network):
    """The network's sites, each with a live point code (committed)."""
    from server.codes.operations import ensure_point_code

    codes = {name: ensure_point_code(site) for name, site in network.items()}
    db.session.commit()
    return codes


@pytest.fixture
def district_admin(create_admin, network):
    return create_admin("district_admin", network["center"], "district")
