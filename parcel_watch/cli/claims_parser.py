"""The command line of ``parcel-watch claims …`` and ``parcel-watch evidence verify``.

Only argument definitions live here (cheap to import: the parser is built on every call);
the handlers are in ``commands_claims`` (``claims sweep``: ``commands_sweep``) and are imported
when a command runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from parcel_watch.cli.errors import EXIT_CODES_HELP

Handler = Callable[[argparse.Namespace], int]
CommandFactory = Callable[..., argparse.ArgumentParser]
HandlerFactory = Callable[[str, str], Handler]
GlobalOptions = Callable[..., None]

STATUSES = "draft, ready, filed, acknowledged, paid, partially_paid, denied, expired"


def add_claims_commands(
    command: CommandFactory, handler: HandlerFactory, global_options: GlobalOptions
) -> None:
    """Add ``claims`` (with its actions) and ``evidence`` to the top-level subcommands."""

    def actions(parent: argparse.ArgumentParser, dest: str) -> Callable[..., argparse.ArgumentParser]:
        sub = parent.add_subparsers(dest=dest, metavar="ACTION", required=True)

        def action(
            name: str, func: str, help: str, description: str | None = None, module: str = "commands_claims"
        ) -> argparse.ArgumentParser:
            p = sub.add_parser(
                name,
                help=help,
                description=description or help,
                epilog=EXIT_CODES_HELP,
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            global_options(p, sub=True)
            p.set_defaults(handler=handler(module, func))
            return p

        return action

    # An ACTION is required: its handler replaces the one given to the group here.
    claims = command(
        "claims",
        handler("commands_claims", "cmd_claims_list"),
        "draft, follow and export logistics claims",
        "Claims against carriers, sellers and payment providers, drafted from the anomalies the "
        "rules find, with their amount, deadline, missing documents and escalation channel.",
    )
    action = actions(claims, "claims_action")

    facts = action(
        "facts",
        "cmd_claims_facts",
        "set what a claim needs that tracking does not tell (value, role, seller, documents)",
        "Set the facts of a shipment that its claims need; options not given keep their stored "
        "value. Money is AMOUNT with --currency (ISO 4217).",
    )
    facts.add_argument("number", metavar="NUMBER")
    facts.add_argument("--carrier", metavar="SLUG", help="which carrier's shipment (when several)")
    facts.add_argument("--value", metavar="AMOUNT", help="what the goods cost (the proven loss)")
    facts.add_argument("--shipping", metavar="AMOUNT", help="shipping cost / postage paid")
    facts.add_argument("--declared", metavar="AMOUNT", help="declared value or insurance bought")
    facts.add_argument("--currency", metavar="CUR", help="currency of the amounts (ISO 4217)")
    facts.add_argument(
        "--insured", action=argparse.BooleanOptionalAction, default=None, help="insurance bought"
    )
    facts.add_argument("--weight", metavar="KG", help="gross weight in kg (for per-kg limits)")
    facts.add_argument("--role", choices=("shipper", "recipient"), help="you sent it, or you receive it")
    facts.add_argument(
        "--paid", choices=("card", "paypal", "alipay", "wechat", "bank", "other"), help="how it was paid"
    )
    facts.add_argument("--purchased", metavar="YYYY-MM-DD", help="date of the purchase")
    facts.add_argument("--seller", metavar="NAME", help="who sold it")
    facts.add_argument("--platform", metavar="NAME", help="the marketplace it was bought on")
    facts.add_argument("--country", metavar="CC", help="the buyer's country (default: the destination)")
    facts.add_argument("--tz", metavar="ZONE", help="your time zone for deadlines (e.g. Europe/Berlin)")
    facts.add_argument("--lang", choices=("en", "zh"), help="language of the drafts")
    facts.add_argument(
        "--have",
        metavar="DOCS",
        help="documents you hold, comma-separated (invoice,photos,proof_of_posting...)",
    )
    facts.add_argument(
        "--consumer-chose-carrier",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="you chose a carrier the seller did not offer (the transit risk is then yours)",
    )
    facts.add_argument("--json", action="store_true", help="print the stored facts as JSON")

    draft = action(
        "draft",
        "cmd_claims_draft",
        "evaluate the anomaly rules and draft every claim they give",
        "Evaluate the anomaly rules, expire claims whose window closed, and draft the claims of every "
        "open anomaly (of NUMBER, or of all shipments). Claims not yet filed are refreshed; filed ones "
        "are left as filed.",
    )
    draft.add_argument("number", nargs="?", metavar="NUMBER")
    draft.add_argument("--carrier", metavar="SLUG", help="which carrier's shipment (when several)")
    draft.add_argument("--by", metavar="NAME", help="who drafts (default: $USER)")
    draft.add_argument("--json", action="store_true", help="the drafted claims as a JSON array")

    lst = action("list", "cmd_claims_list", "list the claims")
    lst.add_argument("--status", metavar="STATUS", help=f"only this status ({STATUSES})")
    lst.add_argument(
        "--due-within", metavar="DAYS", type=int, help="only unfiled claims due within DAYS days"
    )
    lst.add_argument("--json", action="store_true", help="a JSON array of claims")

    show = action("show", "cmd_claims_show", "show a claim: the letter, its fields and its history")
    show.add_argument("claim_id", metavar="ID", type=int)
    show.add_argument("--lang", choices=("en", "zh"), help="language (default: the one in the facts)")
    show.add_argument("--markdown", action="store_true", help="Markdown instead of plain text")
    show.add_argument("--json", action="store_true", help="the claim, its history and its document as JSON")

    status = action(
        "set-status",
        "cmd_claims_set_status",
        "move a claim on: ready, filed, acknowledged, paid, partially_paid, denied, expired",
        f"Change a claim's status ({STATUSES}); the change is recorded with who made it, when, and "
        "the note. Only the lifecycle's transitions are allowed (draft -> ready -> filed -> ...).",
    )
    status.add_argument("claim_id", metavar="ID", type=int)
    status.add_argument("status", metavar="STATUS")
    status.add_argument("--by", metavar="NAME", help="who made the change (default: $USER)")
    status.add_argument("--note", metavar="TEXT", help="e.g. how it was filed, the case number")
    status.add_argument("--json", action="store_true", help="the claim after the change as JSON")

    export = action(
        "export",
        "cmd_claims_export",
        "write a claim's evidence pack to a directory",
        "Write the draft (Markdown and text, English and Chinese), the claim (JSON), the timeline "
        "(CSV) and the raw carrier payloads, with a manifest of SHA-256 hashes chained per "
        "shipment. Personal data is redacted unless --include-personal-data.",
    )
    export.add_argument("claim_id", metavar="ID", type=int)
    export.add_argument("--out", metavar="DIR", required=True, help="a new or empty directory")
    export.add_argument("--include-personal-data", action="store_true", help="keep names, addresses, phones")
    export.add_argument("--json", action="store_true", help="print the manifest as JSON")

    sweep = action(
        "sweep",
        "cmd_claims_sweep",
        "list late deliveries whose money-back guarantee can still be asked, and draft the batch",
        "Draft the claims of the open anomalies, then list every delivered-late shipment whose "
        "guarantee was in force on its ship date (suspensions known to the policy data) and whose "
        "refund-request window is still open. With --out, write one refund-request CSV per carrier "
        "and each claim's evidence pack there (personal data redacted unless "
        "--include-personal-data); running it again adds nothing twice.",
        module="commands_sweep",
    )
    sweep.add_argument("--since", metavar="YYYY-MM-DD", help="only deliveries on or after this day (UTC)")
    sweep.add_argument(
        "--out", metavar="DIR", help="write the batch here (CSV per carrier, packs, sweep.json)"
    )
    sweep.add_argument("--by", metavar="NAME", help="who drafts (default: $USER)")
    sweep.add_argument("--include-personal-data", action="store_true", help="keep names, addresses, phones")
    sweep.add_argument("--json", action="store_true", help="the list (and the batch written) as JSON")

    evidence = command(
        "evidence",
        handler("commands_claims", "cmd_evidence_verify"),
        "check an evidence pack",
        "Check an evidence pack written by 'parcel-watch claims export'.",
    )
    verify = actions(evidence, "evidence_action")(
        "verify",
        "cmd_evidence_verify",
        "check that no file of an evidence pack was edited, removed, added or reordered",
        "Recompute every file's SHA-256 and the manifest's hash chain; each problem is named with "
        "its file. Exit code 4 when the pack does not verify.",
    )
    verify.add_argument("directory", metavar="DIR")
    verify.add_argument("--json", action="store_true", help='{"ok": ..., "problems": [...]}')
