"""API family package."""
