"""Prefect flows: wiring of ``tasks``."""
