"""Differential test of BillTracker's OFX reader against ofxparse, an independent parser.

Reads the JSON lines of `bankfile`'s `statement_json` example (stdin) and parses the same
files with ofxparse; for every file both read, the accounts and each transaction's date,
amount (exact decimal), bank id and payee must agree. A file one of them refuses is reported;
it fails the run only when ofxparse reads bank or card transactions from it that we refuse.
Exit status 1 on any disagreement.
"""

import json
import sys
from decimal import Decimal

import ofxparse


def theirs(path):
    with open(path, "rb") as f:
        ofx = ofxparse.OfxParser.parse(f)
    accounts = []
    for account in ofx.accounts:
        statement = getattr(account, "statement", None)
        rows = []
        for t in getattr(statement, "transactions", []) or []:
            amount = getattr(t, "amount", None)
            if amount is None:  # an investment transaction
                continue
            rows.append({
                "date": t.date.date().isoformat(),
                "amount": Decimal(amount),
                "id": t.id or None,
                "payee": (t.payee or "").strip(),
            })
        accounts.append({"account": account.account_id or None, "rows": rows})
    return accounts


def ours(statement):
    return {
        "account": statement["account"],
        "rows": [
            {"date": r["date"], "amount": Decimal(r["amount"]), "id": r["id"] or None, "payee": r["payee"].strip()}
            for r in statement["rows"]
        ],
    }


def utc_shifted(mine, theirs):
    """How many rows differ only in a date one day apart (ofxparse converts `DTPOSTED` with an
    offset such as `[-4:EST]` to UTC, so 20:20 on the 15th becomes the 16th; we keep the bank's
    written day). 0 when any other difference exists."""
    if len(mine) != len(theirs):
        return 0
    shifted = 0
    for a, b in zip(sorted(mine, key=lambda r: r[1:]), sorted(theirs, key=lambda r: r[1:])):
        if a[1:] != b[1:]:
            return 0
        if a[0] != b[0]:
            from datetime import date
            if abs((date.fromisoformat(a[0]) - date.fromisoformat(b[0])).days) != 1:
                return 0
            shifted += 1
    return shifted


def main():
    failures = 0
    compared = 0
    for line in sys.stdin:
        got = json.loads(line)
        path = got["file"]
        name = path.rsplit("/", 1)[-1]
        try:
            expected = theirs(path)
        except Exception as err:  # ofxparse refuses it
            expected = None
            their_error = f"{type(err).__name__}: {err}"
        if "error" in got:
            if expected and any(a["rows"] for a in expected):
                print(f"DIFF {name}: we refuse ({got['error']}) but ofxparse reads {sum(len(a['rows']) for a in expected)} rows")
                failures += 1
            else:
                print(f"both refuse or find nothing: {name} (ours: {got['error']})")
            continue
        mine = [ours(s) for s in got["statements"]]
        if expected is None:
            print(f"ofxparse refuses {name} ({their_error}); we read {sum(len(s['rows']) for s in mine)} rows")
            continue
        mine_rows = sorted((r["date"], r["amount"], r["id"] or "", r["payee"]) for s in mine for r in s["rows"])
        their_rows = sorted((r["date"], r["amount"], r["id"] or "", r["payee"]) for a in expected for r in a["rows"])
        mine_accounts = sorted(str(s["account"]) for s in mine if s["rows"])
        their_accounts = sorted(str(a["account"]) for a in expected if a["rows"])
        shifted = utc_shifted(mine_rows, their_rows)
        if shifted:
            print(f"note {name}: ofxparse moves {shifted} posted dates to the UTC day; we keep the day the bank wrote")
            their_rows = mine_rows
        if mine_rows != their_rows or mine_accounts != their_accounts:
            failures += 1
            print(f"DIFF {name}:\n  ours   {mine_accounts} {mine_rows}\n  theirs {their_accounts} {their_rows}")
        else:
            compared += 1
            print(f"same: {name} ({len(mine_rows)} rows)")
    print(f"ofx differential: {compared} files agree, {failures} disagree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
