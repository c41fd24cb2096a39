#!/usr/bin/env python3
"""BillTracker benchmark harness (performance.md): starts the release binary on a fresh data
directory and prints figures. No test asserts on these numbers; they are for people.

    cargo build --release && python3 bench/run.py [--binary target/release/billtracker]

Figures: P4 start-up to ready, P3 idle and peak resident memory, P9 sign-in latency
(sequential and 6 concurrent), P10 binary size, the JSON tracker month for the reference data
set (150 bills, 10 years of payments, 20 000 expenses; P1/P2-style latency and throughput with
a Python client, so client overhead is included), and the machine's core count.
"""
import argparse, http.cookiejar, json, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

PASSWORD = "benchmark passphrase of the operator"


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start(binary, data_dir, port, env_extra=None):
    env = dict(os.environ, DATA_DIR=data_dir, LISTEN=f"127.0.0.1:{port}", LOG_FORMAT="json",
               TRUSTED_PROXIES="127.0.0.1", BOOTSTRAP_ADMIN_USERNAME="admin", BOOTSTRAP_ADMIN_PASSWORD=PASSWORD)
    env.update(env_extra or {})
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).read()
            return proc, (time.perf_counter() - t0) * 1000
        except Exception:
            if proc.poll() is not None:
                sys.exit("server exited during start-up")
            time.sleep(0.001)


def login(port, i):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    fwd = {"X-Forwarded-For": f"10.{i // 250}.{i % 250}.1"}
    token = json.loads(opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/csrf-token", headers=fwd)).read())["csrf_token"]
    body = json.dumps({"username": "admin", "password": PASSWORD}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/login", data=body, method="POST",
                                 headers={**fwd, "content-type": "application/json", "x-csrf-token": token})
    t0 = time.perf_counter()
    status = opener.open(req).status
    return status, (time.perf_counter() - t0) * 1000


def signed_in_opener(port, username, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    fwd = {"X-Forwarded-For": "10.99.0.1"}
    token = json.loads(opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/csrf-token", headers=fwd)).read())["csrf_token"]
    body = json.dumps({"username": username, "password": password}).encode()
    opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/api/auth/login", data=body, method="POST",
                                       headers={**fwd, "content-type": "application/json", "x-csrf-token": token}))
    return opener


def tracker_figures(binary, data_dir, port, pid):
    env = dict(os.environ, DATA_DIR=data_dir)
    password = "reference data set passphrase"
    subprocess.run([binary, "create-user", "--username", "bench"], input=password + "\n", text=True, env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    subprocess.run([binary, "demo", "--username", "bench", "--scale", "reference"], env=env, check=True, capture_output=True)
    load_s = time.perf_counter() - t0
    opener = signed_in_opener(port, "bench", password)
    url = f"http://127.0.0.1:{port}/api/tracker"
    for _ in range(5):
        opener.open(url).read()
    seq = []
    for _ in range(100):
        t = time.perf_counter(); opener.open(url).read(); seq.append((time.perf_counter() - t) * 1000)
    seq.sort()
    lat, lock, stop = [], threading.Lock(), time.perf_counter() + 5
    def worker():
        while time.perf_counter() < stop:
            t = time.perf_counter(); opener.open(url).read(); ms = (time.perf_counter() - t) * 1000
            with lock: lat.append(ms)
    threads = [threading.Thread(target=worker) for _ in range(16)]
    [t.start() for t in threads]; [t.join() for t in threads]
    lat.sort()
    pages = []
    for path in ["/", "/bills", "/expenses", "/budgets", "/analytics"]:
        page_url = f"http://127.0.0.1:{port}{path}"
        size = len(opener.open(page_url).read())
        times = []
        for _ in range(100):
            t = time.perf_counter(); opener.open(page_url).read(); times.append((time.perf_counter() - t) * 1000)
        times.sort()
        pages.append((f"GET {path} HTML page, reference data, sequential (p50 / p99, bytes)", f"{statistics.median(times):.1f} / {times[98]:.1f} ms, {size} B", "P1: p99 ≤ 20 ms" if path == "/" else ""))
    return [
        ("reference data set load (demo --scale reference)", f"{load_s:.1f} s", ""),
        *pages,
        ("GET /api/tracker, reference data, sequential (p50 / p99)", f"{statistics.median(seq):.1f} / {seq[98]:.1f} ms", "p99 ≤ 10 ms"),
        ("GET /api/tracker, 16 concurrent for 5 s (req/s, p50 / p99)", f"{len(lat) / 5:.0f}, {statistics.median(lat):.1f} / {lat[int(len(lat) * 0.99)]:.1f} ms", ""),
        ("P3 resident memory after the tracker load", f"{rss_kb(pid) / 1024:.1f} MB", "peak ≤ 60 MB"),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/billtracker")
    ap.add_argument("--logins", type=int, default=30)
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="bt-bench-")
    os.chmod(data, 0o700)
    rows = [("cores", os.cpu_count(), ""), ("P10 release binary size", f"{os.path.getsize(args.binary) / 1e6:.1f} MB", "≤ 40 MB")]
    try:
        proc, first = start(args.binary, os.path.join(data, "d"), free_port())
        proc.terminate(); proc.wait()
        starts = []
        for _ in range(5):
            port = free_port()
            proc, ms = start(args.binary, os.path.join(data, "d"), port)
            starts.append(ms)
            if _ < 4:
                proc.terminate(); proc.wait()
        rows.append(("P4 start-up to ready (existing db, median of 5)", f"{statistics.median(starts):.0f} ms", "≤ 150 ms"))
        time.sleep(0.5)
        rows.append(("P3 idle resident memory", f"{rss_kb(proc.pid) / 1024:.1f} MB", "≤ 25 MB"))
        seq = [login(port, i)[1] for i in range(args.logins)]
        rows.append(("P9 sign-in latency, sequential (median / p90)", f"{statistics.median(seq):.0f} / {sorted(seq)[int(len(seq) * 0.9) - 1]:.0f} ms", "≤ 100 ms"))
        conc, lock = [], threading.Lock()
        def worker(k):
            for j in range(5):
                _, ms = login(port, 1000 + k * 10 + j)
                with lock: conc.append(ms)
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
        [t.start() for t in threads]; [t.join() for t in threads]
        rows.append(("P9 sign-in latency, 6 concurrent (median / max)", f"{statistics.median(conc):.0f} / {max(conc):.0f} ms", ""))
        rows.append(("P3 resident memory after the sign-ins", f"{rss_kb(proc.pid) / 1024:.1f} MB", "peak ≤ 60 MB"))
        rows.extend(tracker_figures(args.binary, os.path.join(data, "d"), port, proc.pid))
        proc.terminate(); code = proc.wait()
        rows.append(("exit code after SIGTERM", code, "0"))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  {'measured':>16}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {str(value):>16}  {target}")


if __name__ == "__main__":
    main()
