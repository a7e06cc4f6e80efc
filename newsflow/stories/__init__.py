"""Stories: articles that report one event in their own words share a ``story_id``.

``terms`` (evidence: TF-IDF vectors, quoted 6-grams; worked out per shard by ``evidence``) →
``links`` (which pairs tell one story, with ``sparse`` products) → ``assign`` (story ids, the
``stories`` table).
"""
