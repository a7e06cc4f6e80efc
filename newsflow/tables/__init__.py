"""What a table is: its schema with column docs (``schemas``), its key, partitioning and writes
(``registry``), and what is derived from them (``dictionary``)."""
