"""Unit tests of the custom resource models and the Nova state table."""
