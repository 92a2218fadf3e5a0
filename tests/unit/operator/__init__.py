"""Unit tests of the operator's pure parts: status mapping, transitions, requests, placement, labels."""
