#!/usr/bin/env python3
"""The portal under slow neighbours, measured against a real `da serve` on loopback.

  bench/portal_stall.py DA_BINARY [DA_BINARY ...]

For each binary (e.g. an older build beside the current one) it prints:
  1. /health latency (max, p99) while 20 sign-in-link requests are made at once and the mail
     relay is a tarpit (accepts, never greets), and how long those requests took;
  2. 8 parallel password sign-ins against one (Argon2 runs for each), as a ratio;
  3. out of file descriptors (ulimit -n 64, 200 idle connections for 5 s): log lines about
     accept, log bytes, CPU seconds spent, and whether /health answers once they close.
Stops by itself; everything listens on 127.0.0.1 only.
"""
import os, re, resource, socket, statistics, subprocess, sys, tempfile, threading, time
import urllib.request, urllib.parse, urllib.error
from http.cookiejar import CookieJar


def tarpit():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    held = []

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)
    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def instance(folder, smtp_port):
    os.makedirs(f"{folder}/config", exist_ok=True)
    os.makedirs(f"{folder}/docs", exist_ok=True)
    with open(f"{folder}/docs/data_description.md", "w") as f:
        f.write("# Tables\n```yaml\ntables: []\n```\n")
    with open(f"{folder}/config/instance.yaml", "w") as f:
        f.write(f"""instance: {{name: Bench}}
server: {{hostname: 127.0.0.1, base_url: 'http://127.0.0.1', listen: '127.0.0.1:0', access_log: false}}
auth:
  allowed_domain: example.com
  webapp_secret_key: 0123456789abcdef0123456789abcdef01
  email: {{enabled: true}}
  password: {{enabled: true}}
email: {{smtp_host: 127.0.0.1, smtp_port: {smtp_port}, smtp_use_tls: false}}
paths: {{data_dir: ./data, docs_dir: ./docs}}
""")


def start(da, folder, nofile=None):
    log = open(f"{folder}/portal.log", "w")

    def limit():
        if nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    process = subprocess.Popen([da, "--config", f"{folder}/config", "serve"], stdout=log,
                               stderr=subprocess.STDOUT, preexec_fn=limit, cwd=folder)
    for _ in range(200):
        text = open(f"{folder}/portal.log").read()
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
        if found:
            return process, int(found.group(1))
        time.sleep(0.05)
    process.kill()
    raise SystemExit("the portal did not start:\n" + open(f"{folder}/portal.log").read())


def form_post(port, form_path, post_path, fields, timeout=60):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}{form_path}", timeout=timeout).read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({**fields, "csrf_token": csrf}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{post_path}", data=body,
                                     headers={"Origin": "http://127.0.0.1"})
    try:
        return opener.open(request, timeout=timeout).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # no answer within the timeout


def get_ms(port, path, timeout=60):
    started = time.monotonic()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout).read()
    except urllib.error.HTTPError:
        pass
    except OSError:
        pass  # counted at its full wait
    return (time.monotonic() - started) * 1000


def in_parallel(count, work):
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def measure_stall(da):
    with tempfile.TemporaryDirectory() as folder:
        instance(folder, tarpit())
        process, port = start(da, folder)
        try:
            latencies, stop = [], threading.Event()

            def probe():
                while not stop.is_set():
                    latencies.append(get_ms(port, "/health"))
            prober = threading.Thread(target=probe)
            prober.start()
            statuses = []
            took = in_parallel(20, lambda i: statuses.append(form_post(
                port, "/login/email", "/login/email/send", {"email": f"user{i}@example.com"})))
            time.sleep(1)
            stop.set()
            prober.join()
            latencies.sort()
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(f"  1. 20 sign-in links with a tarpit relay: answered in {took:.2f} s "
                  f"({statuses.count(200)} with 200, {statuses.count(0)} without an answer in 60 s); "
                  f"/health max {latencies[-1]:.1f} ms, p99 {p99:.1f} ms over {len(latencies)} probes")

            def sign_in(i):
                form_post(port, "/login/password", "/login/password",
                          {"email": f"pw{i}@example.com", "password": "Wrong-Horse-42"})
            one = statistics.median(in_parallel(1, sign_in) for _ in range(3))
            eight = in_parallel(8, sign_in)
            print(f"  2. password sign-ins: one {one * 1000:.0f} ms, 8 at once {eight * 1000:.0f} ms "
                  f"= {eight / one:.2f}x one ({os.cpu_count()} cores)")
        finally:
            process.kill()
            process.wait()


def measure_descriptors(da):
    with tempfile.TemporaryDirectory() as folder:
        instance(folder, tarpit())
        with open(f"{folder}/config/instance.yaml") as f:
            text = f.read().replace("access_log: false", "access_log: false, max_connections_per_address: 0")
        with open(f"{folder}/config/instance.yaml", "w") as f:
            f.write(text)
        process, port = start(da, folder, nofile=64)
        try:
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
            time.sleep(0.5)
            ticks = os.sysconf("SC_CLK_TCK")

            def cpu():
                fields = open(f"/proc/{process.pid}/stat").read().rsplit(")", 1)[1].split()
                return (int(fields[11]) + int(fields[12])) / ticks
            before = cpu()
            time.sleep(5)
            spent = cpu() - before
            log = open(f"{folder}/portal.log").read()
            lines = len(re.findall(r"accept", log))
            for s in held:
                s.close()
            recovered = False
            for _ in range(50):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                    recovered = True
                    break
                except Exception:
                    time.sleep(0.1)
            print(f"  3. out of descriptors for 5 s: {lines} log lines about accept, "
                  f"{len(log)} log bytes, {spent:.2f} CPU s; /health afterwards: "
                  f"{'answers' if recovered else 'no answer'}")
        finally:
            process.kill()
            process.wait()


for binary in [os.path.abspath(b) for b in sys.argv[1:]]:
    print(binary)
    measure_stall(binary)
    measure_descriptors(binary)
