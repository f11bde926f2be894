"""Metrics shared by every benchmark: one module, so numbers are comparable across models."""
