"""The /v2 request and response bodies (camelCase JSON, like Strapi), by route group.

``base``: what every body shares (``ApiModel``, ``Line``, ``Link``, the documentId
pattern); ``sessions``, ``uploads``, ``sync``: each route group's own bodies.
"""
