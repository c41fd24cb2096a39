#!/usr/bin/env python3
"""Statement import figures (issue 15; not tests): a 100 000-row bank CSV previewed then
applied through the JSON API on SQLite (and on PostgreSQL when --database-url names one), set
against `sqlite3 .import` of the same file in the same run; then the transaction list (API and
HTML page) with those rows stored, p50 / p99.

    cargo build --release && python3 bench/imports.py [--binary target/release/billtracker]
        [--rows 100000] [--database-url postgres://…]
"""
import argparse, json, os, random, shutil, statistics, subprocess, sys, tempfile, time, urllib.request, uuid

sys.path.insert(0, os.path.dirname(__file__))
from run import free_port, rss_kb, signed_in_opener, start  # noqa: E402

PASSWORD = "statements through the harness, forty-two"
PAYEES = ["Coffee Corner", "Power Co", "City Water", "Grocer", "Fuel Stop", "Book Shop", "Pharmacy", "Employer"]


def make_csv(path, rows):
    rnd = random.Random(15)
    with open(path, "w") as f:
        f.write("Date,Amount,Payee,Memo,Id\n")
        for i in range(rows):
            day = 1 + (i * 3650 // rows)
            y, d = 2017 + day // 365, day % 365
            month, dom = 1 + d // 31 % 12, 1 + d % 28
            amount = rnd.randint(-50000, 20000)
            f.write(f"{y}-{month:02d}-{dom:02d},{amount / 100:.2f},{rnd.choice(PAYEES)},memo {i},T{i}\n")


def multipart(fields, file_name, data):
    boundary = uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    out.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n".encode())
    out.append(data)
    out.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def csrf(opener, port):
    return json.loads(opener.open(f"http://127.0.0.1:{port}/api/auth/csrf-token").read())["csrf_token"]


def timed(samples, fn):
    t = time.perf_counter(); fn(); samples.append((time.perf_counter() - t) * 1000)


def engine_figures(label, binary, data_dir, port_env, csv_path, rows):
    port = free_port()
    env_extra = dict(port_env)
    proc, _ = start(binary, data_dir, port, env_extra)
    env = dict(os.environ, DATA_DIR=data_dir, **env_extra)
    subprocess.run([binary, "create-user", "--username", "bench"], input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    opener = signed_in_opener(port, "bench", PASSWORD)
    token = csrf(opener, port)
    data = open(csv_path, "rb").read()
    body, ctype = multipart([("account_name", "Checking"), ("account_currency", "USD"), ("date_column", "1"), ("amount_column", "2"),
                             ("payee_column", "3"), ("memo_column", "4"), ("id_column", "5")], "bench.csv", data)
    hdr = {"content-type": ctype, "x-csrf-token": token, "X-Forwarded-For": "10.99.0.1"}
    t0 = time.perf_counter()
    preview = json.loads(opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/api/imports", data=body, method="POST", headers=hdr)).read())
    preview_s = time.perf_counter() - t0
    peak = rss_kb(proc.pid)
    iid = preview["import"]["id"]
    t0 = time.perf_counter()
    applied = json.loads(opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/api/imports/{iid}/apply", data=b"{}", method="POST",
                                                            headers={"content-type": "application/json", "x-csrf-token": token, "X-Forwarded-For": "10.99.0.1"})).read())
    apply_s = time.perf_counter() - t0
    assert applied["written"] == rows, applied
    api, page, deep = [], [], []
    base = f"http://127.0.0.1:{port}"
    for _ in range(3):
        opener.open(base + "/api/transactions").read()
    for _ in range(50):
        timed(api, lambda: opener.open(base + "/api/transactions?limit=50").read())
        timed(page, lambda: opener.open(base + "/transactions").read())
        timed(deep, lambda: opener.open(base + "/transactions?q=coffee&sort=amount&page=100").read())
    # Matching: 150 bills, then suggestions for the newest 10 000 unmatched transactions (20 pages
    # of 500, so the bills are read 20 times: an upper bound of one 10 000-row call).
    jhdr = {"content-type": "application/json", "x-csrf-token": token, "X-Forwarded-For": "10.99.0.1"}
    for i in range(150):
        bill = {"name": f"Bill {i}", "expected_amount": f"{10 + i}.00", "currency": "USD", "anchor_date": "2017-01-01", "due_day": 1 + i % 28}
        opener.open(urllib.request.Request(base + "/api/bills", data=json.dumps(bill).encode(), method="POST", headers=jhdr)).read()
    t0 = time.perf_counter()
    suggested = 0
    for k in range(20):
        page_of = json.loads(opener.open(base + f"/api/transactions/suggestions?limit=500&offset={k * 500}").read())
        suggested += sum(1 for t in page_of if t["suggestions"])
    match_s = time.perf_counter() - t0
    proc.terminate(); proc.wait()
    p = lambda xs: f"{statistics.median(xs):.1f} / {sorted(xs)[int(len(xs) * 0.99) - 1]:.1f} ms"
    return preview_s, apply_s, [
        (f"{label}: preview of {rows} CSV rows (upload, parse, label)", f"{preview_s:.2f} s", ""),
        (f"{label}: apply of {rows} rows", f"{apply_s:.2f} s", ""),
        (f"{label}: preview + apply", f"{preview_s + apply_s:.2f} s", "≤ 2 s"),
        (f"{label}: peak resident memory after the preview", f"{peak / 1024:.0f} MB", ""),
        (f"{label}: GET /api/transactions with {rows} stored (p50 / p99)", p(api), ""),
        (f"{label}: GET /transactions HTML page (p50 / p99)", p(page), ""),
        (f"{label}: GET /transactions?q=coffee&sort=amount&page=100 (p50 / p99)", p(deep), ""),
        (f"{label}: suggestions for 10 000 transactions against 150 bills (20 pages of 500)", f"{match_s:.2f} s, {suggested} with a suggestion", "≤ 1 s"),
    ]


MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "crates", "store", "migrations", "sqlite")


def sqlite_import_into_schema(work, csv_path):
    """The floor on SQLite: the sqlite3 CLI loads the same file into our real `transactions`
    table (every migration applied, so its indexes, checks and foreign keys, enforced), with
    time-ordered ids like the server's UUIDv7 and the key columns the server fills; no parsing
    of dates or amounts beyond a cast, no labelling, no HTTP. Seconds for the .import and the
    INSERT together (the schema is made before the clock starts)."""
    db = os.path.join(work, "schema.sqlite")
    schema = "".join(open(os.path.join(MIGRATIONS, f)).read() + "\n" for f in sorted(os.listdir(MIGRATIONS)) if f.endswith(".sql"))
    setup = schema + (
        "INSERT INTO users (id, username, display_name, role, created_at, updated_at) VALUES ('u', 'bench', 'bench', 'user', 0, 0);\n"
        "INSERT INTO bank_accounts (id, user_id, name, currency, source, created_at, updated_at) VALUES ('a', 'u', 'Checking', 'USD', 'file', 0, 0);\n"
        "INSERT INTO imports (id, user_id, account_id, file_name, format, state, rows_in_file, expires_at, created_at) VALUES ('i', 'u', 'a', 'bench.csv', 'csv', 'applied', 0, 0, 0);\n")
    subprocess.run(["sqlite3", db], input=setup, text=True, check=True)
    load = (
        "PRAGMA foreign_keys = ON;\nPRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n.mode csv\n"
        f".import {csv_path} raw\n"
        "INSERT INTO transactions (id, user_id, account_id, posted_on, amount_minor, currency, payee, memo, pending, source, source_id, import_id, dedupe_key, created_at, updated_at) "
        "SELECT printf('0190%012x-0000-7000-8000-%012x', rowid, rowid), 'u', 'a', Date, CAST(ROUND(Amount * 100) AS INTEGER), 'USD', Payee, Memo, 0, 'file', Id, 'i', "
        "Date || '|' || CAST(ROUND(Amount * 100) AS INTEGER) || '|' || lower(Payee) || '#1', 0, 0 FROM raw;\n")
    t0 = time.perf_counter()
    subprocess.run(["sqlite3", db], input=load, text=True, check=True, capture_output=True)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/billtracker")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--database-url")
    ap.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL figures only (while iterating)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bt-bench-imports-")
    os.chmod(work, 0o700)
    rows = []
    try:
        csv_path = os.path.join(work, "bench.csv")
        make_csv(csv_path, args.rows)
        rows.append(("CSV file", f"{os.path.getsize(csv_path) / 1e6:.1f} MB, {args.rows} rows", ""))
        db = os.path.join(work, "plain.sqlite")
        t0 = time.perf_counter()
        subprocess.run(["sqlite3", db], input=f".mode csv\n.import {csv_path} t\n", text=True, check=True)
        sqlite_s = time.perf_counter() - t0
        rows.append(("sqlite3 .import of the same file", f"{sqlite_s:.2f} s", ""))
        schema_s = sqlite_import_into_schema(work, csv_path)
        rows.append(("sqlite3 .import of it into our transactions schema (indexes, FKs)", f"{schema_s:.2f} s", ""))
        if not args.skip_sqlite:
            total, _, figures = (lambda r: (r[0] + r[1], None, r[2]))(engine_figures("SQLite", args.binary, os.path.join(work, "d1"), {}, csv_path, args.rows))
            rows.extend(figures)
            rows.append(("SQLite: preview + apply ÷ sqlite3 .import", f"{total / sqlite_s:.1f}×", "≤ 4×"))
            rows.append(("SQLite: preview + apply ÷ sqlite3 .import into our schema", f"{total / schema_s:.1f}×", ""))
        if args.database_url:
            p, a, figures = engine_figures("PostgreSQL", args.binary, os.path.join(work, "d2"), {"DATABASE_URL": args.database_url}, csv_path, args.rows)
            rows.extend(figures)
            rows.append(("PostgreSQL: preview + apply ÷ sqlite3 .import", f"{(p + a) / sqlite_s:.1f}×", "≤ 4×"))
            rows.append(("PostgreSQL: preview + apply ÷ sqlite3 .import into our schema", f"{(p + a) / schema_s:.1f}×", ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {str(value):>22}  {target}")


if __name__ == "__main__":
    main()
