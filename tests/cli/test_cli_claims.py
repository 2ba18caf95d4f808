"""`parcel-watch claims …` and `evidence verify`: facts, drafts, lifecycle, evidence packs (subprocess, SQLite)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.cli.conftest import Cli

UPS = "1Z5R89390357567127"


def late_parcel(cli: Cli) -> date:
    """A UPS parcel inside Germany, promised ten days ago and not delivered: late. Returns the promise."""
    today = datetime.now(UTC).date()
    added = cli(
        "add", UPS, "--ship-date", str(today - timedelta(days=14)), "--promised", str(today - timedelta(days=10)),
        "--origin", "DE", "--destination", "DE",
    )  # fmt: skip
    assert added.code == 0, added.err
    facts = cli(
        "claims", "facts", UPS, "--value", "120.00", "--currency", "EUR", "--shipping", "9.90",
        "--role", "recipient", "--paid", "card", "--seller", "Shop GmbH", "--have", "invoice,tracking",
        "--tz", "Europe/Berlin", "--json",
    )  # fmt: skip
    assert facts.code == 0, facts.err
    stored = facts.json()
    assert stored["item_value"] == {"amount": "120.00", "currency": "EUR"}
    assert (stored["seller"], stored["documents_on_hand"]) == ("Shop GmbH", ["invoice", "tracking"])
    return today - timedelta(days=10)


def test_facts_are_kept_and_bad_ones_refused(cli: Cli) -> None:
    late_parcel(cli)
    again = cli("claims", "facts", UPS, "--lang", "zh", "--json")  # other facts stay
    assert again.code == 0 and again.json()["language"] == "zh" and again.json()["seller"] == "Shop GmbH"
    no_currency, bad_doc, bad_zone, unknown = cli.many(
        ("claims", "facts", UPS, "--shipping", "5"),
        ("claims", "facts", UPS, "--have", "invoice,../etc"),
        ("claims", "facts", UPS, "--tz", "Mars/Olympus"),
        ("claims", "facts", "1Z5R89390357567128", "--value", "1", "--currency", "EUR"),
    )
    assert no_currency.code == 4 and "--shipping" in no_currency.err and "currency" in no_currency.err
    assert bad_doc.code == 4 and "--have" in bad_doc.err
    assert bad_zone.code == 4 and "Mars/Olympus" in bad_zone.err
    assert unknown.code == 3


def test_draft_list_show_and_the_lifecycle_of_a_claim(cli: Cli) -> None:
    promised = late_parcel(cli)
    drafted = cli("claims", "draft", "--by", "alice", "--json")
    assert drafted.code == 0, drafted.err
    claims = {c["policy"]: c for c in drafted.json()}
    # The seller owes the goods (EU Consumer Rights Directive Art. 18): price + postage back.
    seller = claims["eu.crd.art18"]
    assert (seller["respondent"], seller["respondent_name"], seller["status"]) == (
        "seller",
        "Shop GmbH",
        "draft",
    )
    assert (seller["amount"], seller["currency"]) == ("129.90", "EUR")
    assert claims["ups.non_us"]["respondent"] == "carrier"

    listed, table, shown, zh, due_soon, due_later = cli.many(
        ("claims", "list", "--json"),
        ("claims", "list"),
        ("claims", "show", str(seller["id"])),
        ("claims", "show", str(seller["id"]), "--lang", "zh", "--markdown"),
        ("claims", "list", "--due-within", "30", "--json"),
        ("claims", "list", "--due-within", "200", "--json"),
    )
    assert {c["id"] for c in listed.json()} == {c["id"] for c in drafted.json()}
    # A chargeback for goods not received: 120 days from the expected delivery (in Berlin).
    chargeback = claims["card.chargeback"]
    berlin_today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    assert chargeback["days_left"] == (promised + timedelta(days=120) - berlin_today).days
    assert chargeback["id"] not in {c["id"] for c in due_soon.json()}
    assert chargeback["id"] in {c["id"] for c in due_later.json()}
    assert "Shop GmbH" in table.out and "eu.crd.art18" in table.out
    assert "Dear Shop GmbH," in shown.out and "full refund of 129.90 EUR" in shown.out
    assert "Status: draft" in shown.out and "by alice: drafted" in shown.out
    assert "尊敬的Shop GmbH：" in zh.out and "## 函件" in zh.out

    sid = str(seller["id"])
    refused = cli("claims", "set-status", sid, "filed", "--by", "bob")
    assert refused.code == 4 and "cannot go from draft to filed" in refused.err
    for status, note in (("ready", "checked"), ("filed", "sent by e-mail"), ("acknowledged", "case 4711")):
        moved = cli("claims", "set-status", sid, status, "--by", "bob", "--note", note)
        assert moved.code == 0, moved.err
    history = cli("claims", "show", sid, "--json").json()["history"]
    assert [(h["to"], h["by"], h["note"]) for h in history] == [
        ("draft", "alice", "drafted"),
        ("ready", "bob", "checked"),
        ("filed", "bob", "sent by e-mail"),
        ("acknowledged", "bob", "case 4711"),
    ]
    filed_only = cli("claims", "list", "--status", "acknowledged", "--json")
    assert [c["id"] for c in filed_only.json()] == [seller["id"]]
    # Drafting again leaves a filed claim as it was filed.
    redrafted = {c["id"]: c for c in cli("claims", "draft", "--by", "alice", "--json").json()}
    assert redrafted[seller["id"]]["status"] == "acknowledged"

    missing, bad_status = cli.many(
        ("claims", "show", "999"), ("claims", "set-status", sid, "lost", "--by", "x")
    )
    assert missing.code == 3 and "no claim 999" in missing.err
    assert bad_status.code == 4 and "unknown claim status" in bad_status.err


def test_export_then_verify_and_any_edit_fails_naming_the_file(cli: Cli, tmp_path: Path) -> None:
    late_parcel(cli)
    [first, *_] = cli("claims", "draft", "--by", "alice", "--json").json()
    pack = tmp_path / "pack"
    exported = cli("claims", "export", str(first["id"]), "--out", str(pack))
    assert exported.code == 0, exported.err
    assert "chain head:" in exported.out and "personal data redacted" in exported.err
    assert {p.name for p in pack.iterdir()} >= {"manifest.json", "draft.en.md", "draft.zh.txt", "claim.json"}

    ok = cli("evidence", "verify", str(pack), "--json")
    assert ok.code == 0 and ok.json()["ok"] is True

    again = cli("claims", "export", str(first["id"]), "--out", str(pack))
    assert again.code == 4 and "not an empty directory" in again.err

    claim_json = pack / "claim.json"
    claim_json.write_bytes(claim_json.read_bytes().replace(b'"draft"', b'"paid!"', 1))
    (pack / "extra.txt").write_text("added later")
    failed = cli("evidence", "verify", str(pack))
    assert failed.code == 4
    assert "edited: claim.json:" in failed.out and "added: extra.txt:" in failed.out
    assert "does not verify" in failed.err

    not_a_pack = cli("evidence", "verify", str(tmp_path))
    assert not_a_pack.code == 4 and "manifest.json" in not_a_pack.out
