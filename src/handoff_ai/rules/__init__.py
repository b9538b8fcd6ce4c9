"""Stage 4a, the rules engine: the deterministic extraction under every record.

Rules as data (``data/rules.toml``, read by ``ruleset``) and the code that applies them:
``facts`` with their ``recognizers`` (and ``catalog``, the packaged set), ``actions``
and the blocker, ``intent`` against a taxonomy, ``signals`` (sentiment, urgency,
handoff, history), ``injection`` (customer-typed instructions), ``compose`` (summary,
next steps, expertise). :class:`handoff_ai.backends.RulesBackend` runs them in order.

Never imports: llm, backends, renderers, apps. The rules never call a model.
"""
