"""Helpers shared by test suites (real servers started on loopback)."""
