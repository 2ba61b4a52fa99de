"""Shift test fixtures (shared with tests/devices)."""

from tests.devices.fixtures import create_volunteer, enroll_kiosk  # noqa: F401
