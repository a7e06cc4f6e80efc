"""Load: where everything lives (``storage``), staging and atomic publishing (``publish``), the raw bytes
of quarantined files (``quarantine``), one run per output at a time (``lock``)."""
