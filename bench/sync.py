#!/usr/bin/env python3
"""Bank sync figures (issue 16, performance.md P6; not tests): a SimpleFIN connection whose
account holds 10 000 transactions over 44 days (the local Bridge, `testkit`'s
`simplefin_bridge` example, as the provider), synced through the JSON API into an account of a
user with 150 bills, 12 of them with a merchant rule (one of the Bridge's payees and an
amount range around the bill's, as people write them) —
de-duplication, pending rows and rule matching included. Then a second sync of the same
answer (everything known), suggestions for the new rows, and the server's peak memory.

    cargo build --release -p billtracker && cargo build --release -p testkit --example simplefin_bridge
    python3 bench/sync.py [--binary target/release/billtracker]
        [--bridge target/release/examples/simplefin_bridge] [--transactions 10000]
        [--database-url postgres://…]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from run import free_port, signed_in_opener, start  # noqa: E402

PASSWORD = "statements through the harness, forty-two"
RULED = ["City Power", "Water Utility", "Netflix", "Spotify", "Comcast", "State Farm", "Oak Street",
         "Verizon", "Gym Membership", "Grocery Mart", "Coffee House", "Gas Station"]


def peak_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def call(opener, port, method, path, body, token):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"content-type": "application/json", "x-csrf-token": token, "X-Forwarded-For": "10.99.0.1"})
    return json.loads(opener.open(req).read() or b"null")


def figures(label, binary, bridge, data_dir, env_extra, transactions):
    bridge_proc = subprocess.Popen([bridge, "--port", "0", "--accounts", "1", "--transactions", str(transactions), "--seed", "16"],
                                   stdout=subprocess.PIPE, text=True)
    first = json.loads(bridge_proc.stdout.readline())
    port = free_port()
    env_extra = dict(env_extra, BANK_SYNC_ENABLED="true", OUTBOUND_ALLOW_HOSTS="127.0.0.1", OUTBOUND_ALLOW_HTTP_HOSTS="127.0.0.1")
    proc, _ = start(binary, data_dir, port, env_extra)
    try:
        env = dict(os.environ, DATA_DIR=data_dir, **env_extra)
        subprocess.run([binary, "create-user", "--username", "bench"], input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
        opener = signed_in_opener(port, "bench", PASSWORD)
        token = json.loads(opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/csrf-token", headers={"X-Forwarded-For": "10.99.0.1"})).read())["csrf_token"]
        for i in range(150):
            bill = call(opener, port, "POST", "/api/bills", {"name": f"Bill {i}", "expected_amount": f"{10 + i}.00", "currency": "USD", "anchor_date": "2026-01-01", "due_day": 1 + i % 28}, token)
            if i < len(RULED):
                # As people write them: the payee and a range around the bill's amount.
                call(opener, port, "POST", "/api/merchant-rules", {"bill_id": bill["id"], "payee_match": "contains", "payee_text": RULED[i],
                                                                   "min_amount": f"{9 + i}.00", "max_amount": f"{11 + i}.00"}, token)
        connection = call(opener, port, "POST", "/api/sync/connections", {"setup_token": first["setup_token"]}, token)
        account = connection["accounts"][0]
        call(opener, port, "PATCH", f"/api/sync/accounts/{account['id']}", {"monitored": True, "bank_account_id": "new", "version": account["version"]}, token)
        idle = peak_kb(proc.pid)
        t0 = time.perf_counter()
        report = call(opener, port, "POST", f"/api/sync/connections/{connection['id']}/sync", None, token)
        sync_s = time.perf_counter() - t0
        peak = peak_kb(proc.pid)
        t0 = time.perf_counter()
        again = call(opener, port, "POST", f"/api/sync/connections/{connection['id']}/sync", None, token)
        again_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        suggested = 0
        for k in range(20):
            page = call(opener, port, "GET", f"/api/transactions/suggestions?limit=500&offset={k * 500}", None, token)
            suggested += sum(1 for t in page if t["suggestions"])
        suggest_s = time.perf_counter() - t0
    finally:
        proc.terminate(); proc.wait()
        bridge_proc.terminate(); bridge_proc.wait()
    return [
        (f"{label}: first sync of {transactions} transactions (fetch, dedupe, write, {len(RULED)} rules × 150 bills)", f"{sync_s:.2f} s, {report['new']} new, {report['matched_by_rules']} matched by rules", "≤ 1 s"),
        (f"{label}: the same answer again (all known)", f"{again_s:.2f} s, {again['new']} new", ""),
        (f"{label}: suggestions for the new rows against 150 bills (20 pages of 500)", f"{suggest_s:.2f} s, {suggested} with a suggestion", ""),
        (f"{label}: peak resident memory (before the sync → after)", f"{idle / 1024:.0f} → {peak / 1024:.0f} MB", ""),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/billtracker")
    ap.add_argument("--bridge", default="target/release/examples/simplefin_bridge")
    ap.add_argument("--transactions", type=int, default=10_000)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bt-bench-sync-")
    os.chmod(work, 0o700)
    rows = [("cores", str(os.cpu_count()), "")]
    try:
        rows.extend(figures("SQLite", args.binary, args.bridge, os.path.join(work, "d1"), {}, args.transactions))
        if args.database_url:
            rows.extend(figures("PostgreSQL", args.binary, args.bridge, os.path.join(work, "d2"), {"DATABASE_URL": args.database_url}, args.transactions))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {str(value):>44}  {target}")


if __name__ == "__main__":
    main()
