"""`tracklingo serve` (the push server) and `tracklingo renormalize` (replay stored deliveries)."""

from __future__ import annotations

import logging
import sys

import click

from tracklingo.cli._common import _json_out, _registry, handle_errors, main
from tracklingo.errors import ConfigError

DEFAULT_DB = "tracklingo.db"

_db_option = click.option(
    "--db",
    "db",
    envvar="TRACKLINGO_DB",
    default=DEFAULT_DB,
    show_default=True,
    show_envvar=True,
    help="The store (an SQLite file); deliveries are kept in it too.",
)


def _log_to_stderr(quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    server_log = logging.getLogger("tracklingo.server")
    server_log.addHandler(handler)
    server_log.setLevel(logging.WARNING if quiet else logging.INFO)
    server_log.propagate = False


@main.command("serve")
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.option(
    "--max-body",
    default=2 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body accepted, in bytes (413 above).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@handle_errors
def serve_cmd(db: str, host: str, port: int, max_body: int, quiet: bool) -> None:
    """Receive carriers' and peers' tracking webhooks at POST /webhooks/SOURCE (fedex, dhl, usps,
    aftership, easypost), store each delivery, then normalize it into the store.

    A source is enabled by its secret in TRACKLINGO_<SOURCE>_WEBHOOK_SECRET; GET /health answers
    when the server can store. Needs the server extra: pip install 'tracklingo[server]'."""
    try:
        import uvicorn

        from tracklingo.server.app import create_app
    except ImportError:
        raise ConfigError(
            "tracklingo serve needs the server extra: pip install 'tracklingo[server]'"
        ) from None
    from tracklingo.server.sources import configured_secrets

    enabled = configured_secrets()
    if not enabled:
        raise ConfigError(
            "no webhook source enabled: set TRACKLINGO_<SOURCE>_WEBHOOK_SECRET for at least one of"
            " fedex, dhl, usps, aftership, easypost"
        )
    _log_to_stderr(quiet)
    app = create_app(db, secrets=enabled, registry=_registry(), max_body=max_body)
    # uvicorn's own access log would print request paths with their query strings (the USPS
    # token lives there); the app logs each delivery itself, without them.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning" if quiet else "info")


@main.command("renormalize")
@_db_option
@click.option(
    "--all", "every", is_flag=True, help="Replay every delivery, not only those not yet normalized."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@handle_errors
def renormalize_cmd(db: str, every: bool, as_json: bool, quiet: bool) -> None:
    """Replay the webhook deliveries stored by `tracklingo serve` through the normalizer into the
    store: those pending, partly or not normalized (or --all). Idempotent."""
    import os

    from tracklingo.server.ingest import renormalize

    if db != ":memory:" and not os.path.isfile(db):
        raise ConfigError(f"no store at {db}")
    stats = renormalize(db, _registry(), every=every)
    if as_json:
        _json_out(
            {
                "deliveries": stats.deliveries,
                "states": stats.states,
                "events": stats.events,
                "added": stats.added,
                "retired": stats.retired,
            }
        )
    if not quiet:
        click.echo(stats.summary(), err=True)
