"""The /v2 upload and review API (bearer-token auth, JSON bodies in camelCase).

Exception: /v2/media/{key}, whose links carry their own signature.

* ``routes/``  one module per route group; ``routes.install`` adds them all
* ``models/``  the request and response bodies (``base`` shared, then per group)
* the rest     what several groups share: parameters, the stored result or 404,
               bearer and admin-user checks, scopes, signed links, upload records

Importing this package loads no route, so ``worker.api.deps`` can use its records.
"""
