"""Stage 4b, the model path: everything between a conversation and a model's grounded answer.

``prompting`` renders the versioned templates of ``prompts/`` with the transcript as
delimited data; ``tokens`` counts, ``budget`` selects and chunks what fits; ``plan``
decides one call or map-then-merge; ``answer_schema`` is the JSON Schema the model fills
(closed to the taxonomy); ``transport`` and ``exchange`` talk to an OpenAI-compatible
server (retries, typed errors, re-asks); ``grounding`` (with ``grounding_check``) drops
what the conversation does not support and merges the answer over the rules record;
``record_redaction`` maps records to and from redaction placeholders.

The backends in :mod:`handoff_ai.backends` wire these pieces together. This package
may read the rules engine (the net under every model call) and privacy.

Never imports: backends, renderers, apps.
"""
