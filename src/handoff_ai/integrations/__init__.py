"""Integrations with engines that run handoff_ai at scale.

Each submodule imports nothing heavy at import time: ``handoff_ai.integrations.ray``
works on plain dict batches without Ray installed.
"""
