"""Extract: list and read the landing folder (``source``, ``local``), decode bytes to text (``decode``,
``markup``), skip what the ledger already holds (``ledger``, ``filters``)."""
