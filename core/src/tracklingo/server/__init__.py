"""The push (webhook) server: ``tracklingo serve``. Needs the ``server`` extra
(``pip install 'tracklingo[server]'``: Starlette and uvicorn).

- `create_app` (in `tracklingo.server.app`): the ASGI app, ``POST /webhooks/<source>`` for
  ``fedex``, ``dhl``, ``usps``, ``aftership``, ``easypost``, and ``GET /health``.
- `renormalize` (in `tracklingo.server.ingest`): replay stored deliveries into the store.
- `SOURCES` (in `tracklingo.server.sources`): how each source is authenticated and deduplicated.

`renormalize`, `sources`, `signatures` and `deliveries` use the standard library only; importing
`tracklingo.server.app` needs Starlette.
"""

from __future__ import annotations

from tracklingo.server.ingest import ReplayStats, renormalize
from tracklingo.server.sources import SOURCES, Source, configured_secrets

__all__ = ["SOURCES", "ReplayStats", "Source", "configured_secrets", "renormalize"]
