"""Prefect tasks wrapping the pure steps in ``newsflow``."""
