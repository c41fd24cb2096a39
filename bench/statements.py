#!/usr/bin/env python3
"""How many SQL statements one request runs (issue 12's measure for a tracker pay click).

Starts the binary on a fresh SQLite data directory with sqlx's statement log on, signs a user
in, adds a bill through the JSON API, then sends the requests a person's browser sends and
counts the `sqlx::query` log lines each one produced:

    cargo build -p billtracker && python3 bench/statements.py [--binary target/debug/billtracker]
"""
import argparse, http.cookiejar, json, os, re, shutil, socket, subprocess, sys, tempfile, threading, time, urllib.parse, urllib.request

PASSWORD = "statement counting passphrase"


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/debug/billtracker")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="bt-stmts-")
    os.chmod(data, 0o700)
    port = free_port()
    env = dict(os.environ, DATA_DIR=os.path.join(data, "d"), LISTEN=f"127.0.0.1:{port}", LOG_FORMAT="json",
               LOG_LEVEL="warn,sqlx::query=debug", BOOTSTRAP_ADMIN_USERNAME="admin", BOOTSTRAP_ADMIN_PASSWORD=PASSWORD)
    subprocess.run([args.binary, "create-user", "--username", "pat"], input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    proc = subprocess.Popen([args.binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, lock = [], threading.Lock()
    def read():
        for line in proc.stdout:
            with lock: lines.append(line)
    threading.Thread(target=read, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/readyz", timeout=1).read(); break
            except Exception:
                time.sleep(0.05)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        token = json.loads(opener.open(f"{base}/api/auth/csrf-token").read())["csrf_token"]
        def api(method, path, body):
            req = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(), method=method,
                                         headers={"content-type": "application/json", "x-csrf-token": token})
            return json.loads(opener.open(req).read() or b"null")
        api("POST", "/api/auth/login", {"username": "pat", "password": PASSWORD})
        token = json.loads(opener.open(f"{base}/api/auth/csrf-token").read())["csrf_token"]
        api("PATCH", "/api/profile/settings", {"currency": "USD", "time_zone": "UTC", "locale": "en-US"})
        today = time.strftime("%Y-%m-01")
        bill = api("POST", "/api/bills", {"name": "Rent", "expected_amount": "950.00", "anchor_date": today, "due_day": 1})
        html = opener.open(f"{base}/").read().decode()
        form_token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

        def count(label, send):
            time.sleep(0.3)
            with lock: start = len(lines)
            send()
            time.sleep(0.3)
            with lock: got = [l for l in lines[start:] if "sqlx::query" in l]
            print(f"{label:<58} {len(got):>3} statements")
            return got

        form = urllib.parse.urlencode({"csrf_token": form_token, "bill_id": bill["id"], "due_date": today, "return_to": "/"}).encode()
        def pay(htmx):
            headers = {"content-type": "application/x-www-form-urlencoded", "origin": base}
            if htmx: headers.update({"hx-request": "true"})
            req = urllib.request.Request(f"{base}/tracker/pay", data=form, method="POST", headers=headers)
            try:
                opener.open(req).read()
            except urllib.error.HTTPError as e:
                sys.exit(f"pay answered {e.code}: {e.read()[:300]}")
        def unpay():
            req = urllib.request.Request(f"{base}/tracker/unpay", data=form, method="POST",
                                         headers={"content-type": "application/x-www-form-urlencoded", "origin": base})
            opener.open(req).read()
        count("GET / (tracker page, one bill)", lambda: opener.open(f"{base}/").read())
        # A form POST without JavaScript is followed by the tracker page it redirects to.
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k): return None
        plain = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        def pay_plain():
            req = urllib.request.Request(f"{base}/tracker/pay", data=form, method="POST",
                                         headers={"content-type": "application/x-www-form-urlencoded", "origin": base})
            try:
                plain.open(req).read()
            except urllib.error.HTTPError as e:
                if e.code != 303: sys.exit(f"pay answered {e.code}")
        count("POST /tracker/pay without JavaScript (the 303 only)", pay_plain)
        unpay()
        count("POST /tracker/pay with htmx (row, header, cards in place)", lambda: pay(True))
    finally:
        proc.terminate(); proc.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
