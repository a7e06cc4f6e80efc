"""newsflow: raw news text to validated, deduplicated Parquet tables.

Pure pipeline logic lives here (no Prefect); ``tasks/`` and ``flows/`` wire it.
"""
