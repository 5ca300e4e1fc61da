"""Operator review of a sync result: approve the computed offsets or correct them.

The same rules and the same writes serve both ways in: the /v2 HTTP API and an
operator editing the sync-result in the Strapi admin (applied by the
``apply_review`` job). ``validate``, ``marks``, ``reviewer`` (who signs a /v2 review)
and ``listen`` (the stereo clip an operator hears before approving) are pure;
``apply`` writes.
"""
