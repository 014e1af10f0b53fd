"""Helpers shared by the test suites (real servers started from the test binaries)."""
