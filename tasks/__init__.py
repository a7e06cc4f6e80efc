"""Prefect tasks, one module per stage: thin wrappers that give each pipeline step a name, retries and logs.

Every task handles a whole shard or a whole window, never one article: a task run
costs tens of milliseconds of orchestration. No task caches its inputs
(``NO_CACHE``): hashing large frames for a cache key would cost more than the work.
"""
