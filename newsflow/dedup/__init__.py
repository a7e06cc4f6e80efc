"""Deduplication: repeated paragraphs inside an article and boilerplate across articles (``paragraphs``),
exact copies (``exact``), near copies (``near``, with ``minhash``; each article's fingerprint worked out per shard
by ``fingerprint``)."""
