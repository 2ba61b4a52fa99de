"""Device test fixtures (shared with tests/shifts)."""

from tests.devices.fixtures import create_volunteer, enroll_kiosk  # noqa: F401
