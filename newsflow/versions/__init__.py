"""Versions of articles over time: corrections, retractions and reprocessing (rebuilding the current tables)."""
