"""The apps on top of the engine: the ``handoff`` command (``cli``, with its ``batch`` and
``serve`` commands), the HTTP service (``service``), notebook helpers (``notebook``) and
the Ray Data integration (``ray``).

Apps call the public API (``summarize``, ``Summarizer``, ``load``, ``render``); nothing in
the engine imports an app. Each module imports nothing heavy at import time: the
service needs starlette only when an app is created, and ``handoff_ai.apps.ray`` works
on plain dict batches without Ray installed.
"""
