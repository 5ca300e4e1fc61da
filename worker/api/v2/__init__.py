"""The /v2 upload and review API (bearer-token auth, JSON bodies in camelCase).

Exception: /v2/media/{key}, whose links carry their own signature. The routes are
added by ``worker.api.v2.routes.install``; importing this package loads none of them,
so ``worker.api.deps`` can use its records and errors.
"""
