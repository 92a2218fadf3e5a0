"""Unit tests: pure code, no cluster."""
