"""``parcel-watch serve``: the JSON API (``/api/…``, bearer tokens) and the webhook receiver for
17TRACK, AfterShip and EasyPost pushes (each provider with a secret configured), on one server."""

from __future__ import annotations

import argparse

from aiohttp import web

from parcel_watch.cli import output
from parcel_watch.cli.errors import ExitCode
from parcel_watch.cli.session import open_store, run, stop_on_signals


def webhook_secrets() -> dict[str, str]:
    """17TRACK signs with the API key; AfterShip and EasyPost with a webhook secret."""
    from carriers.credentials import load

    secrets: dict[str, str] = {}
    for provider, field in (
        ("17track", "api_key"),
        ("aftership", "webhook_secret"),
        ("easypost", "webhook_secret"),
    ):
        value = getattr(load(provider), field)
        if value is not None:
            secrets[provider] = value.get_secret_value()
    return secrets


def cmd_serve(args: argparse.Namespace) -> int:
    from parcel_watch import api
    from parcel_watch.cli.commands_notify import load_settings
    from parcel_watch.cli.commands_poll import prepare_notifications, rules_table
    from parcel_watch.notify import notifying
    from parcel_watch.webhooks import WebhookConfig, make_app

    secrets = webhook_secrets()

    settings, rules = load_settings(), rules_table()

    async def serve() -> None:
        async with (
            open_store(args.db) as store,
            notifying(store, settings, prepare=prepare_notifications(store, rules)) as notifier,
        ):
            # A push with new events has the notifier look for facts, in its own task.
            config = WebhookConfig(secrets, on_new_events=notifier.kick)
            app = make_app(store, config)
            api.install(app, store)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, args.host, args.port)
            await site.start()
            base = f"http://{args.host}:{args.port}"
            output.message(f"JSON API on {base}/api/ (OpenAPI document: {base}{api.OPENAPI_PATH})")
            if secrets:
                output.message(
                    f"receiving webhooks for {', '.join(sorted(secrets))} on {base}/webhooks/<provider>"
                )
            else:
                output.note(
                    "no webhook secret configured (PARCEL_WATCH_EASYPOST_WEBHOOK_SECRET, "
                    "PARCEL_WATCH_AFTERSHIP_WEBHOOK_SECRET or PARCEL_WATCH_17TRACK_API_KEY): no webhooks"
                )
            stop = stop_on_signals()
            await stop.wait()  # in-flight requests finish in cleanup before the store closes
            await runner.cleanup()
        output.message("stopped")

    run(serve())
    return ExitCode.OK
