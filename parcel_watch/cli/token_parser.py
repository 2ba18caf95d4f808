"""The command line of ``parcel-watch token create|list|revoke`` (argument definitions only;
the handlers are in ``commands_token``)."""

from __future__ import annotations

import argparse

from parcel_watch.cli.errors import EXIT_CODES_HELP
from parcel_watch.cli.notify_parser import CommandFactory, GlobalOptions, HandlerFactory


def add_token_commands(
    command: CommandFactory, handler: HandlerFactory, global_options: GlobalOptions
) -> None:
    token = command(
        "token",
        handler("commands_token", "cmd_token_list"),
        "tokens of the JSON API (parcel-watch serve): create, list, revoke",
        "A client of the JSON API sends 'Authorization: Bearer <token>'. A read token may only "
        "read (GET); a write token may also add shipments and change claims. The store keeps a "
        "hash of each token, never the token: it is shown once, when created.",
    )
    sub = token.add_subparsers(dest="token_action", metavar="ACTION", required=True)

    def action(name: str, func: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        global_options(p, sub=True)
        p.set_defaults(handler=handler("commands_token", func))
        return p

    create = action("create", "cmd_token_create", "create a token and print it (once)")
    create.add_argument("--scope", choices=("read", "write"), required=True, help="what the token may do")
    create.add_argument(
        "--name", default="", metavar="TEXT", help="who or what uses it (shown in claim histories)"
    )
    lst = action("list", "cmd_token_list", "list the tokens (their ids and names, never the tokens)")
    lst.add_argument("--json", action="store_true", help="a JSON array of tokens")
    revoke = action("revoke", "cmd_token_revoke", "revoke a token by its id (or the token itself)")
    revoke.add_argument("token_id", metavar="ID")
