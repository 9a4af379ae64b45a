"""The shared fixture world (tests/world.py) for the tests of core."""

from tests.world import world  # noqa: F401
