"""Transform: text to article parts (``parse``), their display and canonical forms (``normalize``), and
the articles and paragraphs of a shard with the rules that quarantine a document (``articles``, ``rules``)."""
