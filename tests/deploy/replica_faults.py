#!/usr/bin/env python3
"""Three `rerankd serve` replicas behind Debian's HAProxy on 127.0.0.1, under closed-loop load,
with faults: kill -9 of one replica, a rolling restart (SIGTERM, then start again) of another,
and an overload that fills the replicas' queues (429).

    replica_faults.py --rerankd PATH --model DIR [--haproxy /usr/sbin/haproxy] [--json OUT]

Asserts what must hold whatever the timing: every 200 carries the scores `rerankd score` gives
for the same pairs; every request gets an HTTP answer (no reset or hang reaches the client);
every 429 has Retry-After; the overload does produce 429s; requests succeed after each fault.
Prints per phase the requests, their outcomes by status and the pairs/s (a measurement, not an
assertion). Standard library only; no network but 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

DOCS = [f"passage {i}: " + " ".join(["rust", "memory", "safety", "cats", "iron", "oxide"][j % 6]
                                    for j in range(i, i + 12)) for i in range(20)]
QUERIES = ["what is rust", "is rust memory safe", "do cats like iron", "oxide layers on iron"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/ready")
            if c.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


SHUTDOWN_DELAY_MS = 1500


class Replica:
    def __init__(self, args, port, log_dir, index):
        self.args, self.port, self.index = args, port, index
        self.log = open(os.path.join(log_dir, f"replica{index}.log"), "ab")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.args.rerankd, "serve", "--model", self.args.model, "--port", str(self.port),
             "--server.max_concurrency", "1", "--server.max_queue_pairs", "200",
             "--server.max_client_batch_size", "100",
             # Longer than HAProxy's check needs to take a server out (inter 300ms x fall 2).
             "--server.shutdown_delay_ms", str(SHUTDOWN_DELAY_MS),
             "--server.access_log", "false"],
            stdout=self.log, stderr=self.log)
        if not wait_ready(self.port):
            raise RuntimeError(f"replica {self.index} did not become ready")

    def signal(self, number):
        self.proc.send_signal(number)
        self.proc.wait(timeout=60)


def haproxy_config(front, ports):
    servers = "\n".join(f"  server r{i} 127.0.0.1:{p} check inter 300ms fall 2 rise 2"
                        for i, p in enumerate(ports))
    return f"""global
  maxconn 1024
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
frontend rerank
  bind 127.0.0.1:{front}
  default_backend rerankd
backend rerankd
  balance leastconn
  option http-buffer-request
  option httpchk GET /ready
  http-check expect status 200
  retry-on conn-failure empty-response 503
  retries 3
  option redispatch 1
{servers}
"""


def expected_scores(args, tmp):
    pairs = os.path.join(tmp, "pairs.jsonl")
    with open(pairs, "w") as f:
        for q in QUERIES:
            for d in DOCS:
                f.write(json.dumps({"query": q, "document": d}) + "\n")
    out = subprocess.run([args.rerankd, "score", "--model", args.model, "--input", pairs],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    scores = [json.loads(line)["score"] for line in out if line]
    return {q: scores[i * len(DOCS):(i + 1) * len(DOCS)] for i, q in enumerate(QUERIES)}


class Load:
    """Closed-loop clients, each with its own keep-alive connection to the balancer."""

    def __init__(self, port, expected):
        self.port, self.expected = port, expected
        self.records = []  # (time, status or "transport", retry_after, correct)
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def client(self, number, until=None):
        conn = None
        i = number
        while not self.stop.is_set() and (until is None or not until.is_set()):
            query = QUERIES[i % len(QUERIES)]
            i += 1
            body = json.dumps({"query": query, "texts": DOCS, "raw_scores": False})
            started = time.time()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("POST", "/rerank", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                status, retry_after = response.status, response.getheader("Retry-After")
                correct = None
                if status == 200:
                    got = {r["index"]: r["score"] for r in json.loads(data)}
                    want = self.expected[query]
                    correct = len(got) == len(want) and all(
                        abs(got[k] - want[k]) <= 1e-5 * max(1.0, abs(want[k])) for k in got)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                status, retry_after, correct = "transport: " + type(e).__name__, None, None
                conn = None
            with self.lock:
                self.records.append((started, status, retry_after, correct))

    def start(self, clients, until=None):
        threads = [threading.Thread(target=self.client, args=(n, until), daemon=True)
                   for n in range(clients)]
        for t in threads:
            t.start()
        return threads


def summarize(records, phases):
    rows = []
    for name, begin, end in phases:
        inside = [r for r in records if begin <= r[0] < end]
        by_status = {}
        for r in inside:
            by_status[str(r[1])] = by_status.get(str(r[1]), 0) + 1
        ok = by_status.get("200", 0)
        rows.append({"phase": name, "seconds": round(end - begin, 1), "requests": len(inside),
                     "by_status": by_status, "pairs_per_s": round(ok * len(DOCS) / (end - begin), 1)})
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rerankd", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--haproxy", default="/usr/sbin/haproxy")
    parser.add_argument("--phase-seconds", type=float, default=4.0)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    if not os.path.exists(args.haproxy):
        print(f"replica_faults: {args.haproxy} is missing (scripts/install-deps.sh test installs haproxy)")
        return 1
    tmp = tempfile.mkdtemp(prefix="rerankd-replicas-")
    expected = expected_scores(args, tmp)
    ports = [free_port() for _ in range(3)]
    front = free_port()
    replicas = [Replica(args, p, tmp, i) for i, p in enumerate(ports)]
    haproxy = None
    failures = []
    try:
        for r in replicas:
            r.start()
        cfg = os.path.join(tmp, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(haproxy_config(front, ports))
        haproxy = subprocess.Popen([args.haproxy, "-f", cfg, "-db"], stdout=subprocess.DEVNULL,
                                   stderr=open(os.path.join(tmp, "haproxy.log"), "wb"))
        if not wait_ready(front):
            raise RuntimeError("HAProxy did not pass /ready through")
        load = Load(front, expected)
        threads = load.start(4)
        phase = args.phase_seconds
        marks = [("baseline", time.time())]
        time.sleep(phase)
        marks.append(("kill -9 replica 0", time.time()))
        replicas[0].signal(signal.SIGKILL)
        time.sleep(phase)
        marks.append(("replica 0 restarted", time.time()))
        replicas[0].start()
        time.sleep(phase)
        marks.append(("rolling restart of replica 1", time.time()))
        replicas[1].signal(signal.SIGTERM)
        replicas[1].start()
        time.sleep(phase)
        marks.append(("after the restarts", time.time()))
        time.sleep(phase)
        marks.append(("overload: 48 more clients", time.time()))
        overload_done = threading.Event()
        extra = load.start(48, until=overload_done)
        time.sleep(phase)
        overload_done.set()
        for t in extra:
            t.join(timeout=60)
        marks.append(("recovered", time.time()))
        time.sleep(phase)
        load.stop.set()
        for t in threads:
            t.join(timeout=60)
        end = time.time()
        phases = [(name, start, marks[i + 1][1] if i + 1 < len(marks) else end)
                  for i, (name, start) in enumerate(marks)]
        rows = summarize(load.records, phases)
        for row in rows:
            print(f"{row['phase']:<30} {row['seconds']:>5} s {row['requests']:>6} requests "
                  f"{row['pairs_per_s']:>9} pairs/s  {row['by_status']}")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(rows, f, indent=1)
        records = load.records
        wrong = [r for r in records if r[1] == 200 and not r[3]]
        transport = [r for r in records if str(r[1]).startswith("transport")]
        no_retry_after = [r for r in records if r[1] == 429 and not r[2]]
        if wrong:
            failures.append(f"{len(wrong)} answers with scores unlike rerankd score's")
        if transport:
            failures.append(f"{len(transport)} requests ended without an HTTP answer: "
                            f"{sorted(set(r[1] for r in transport))}")
        if no_retry_after:
            failures.append(f"{len(no_retry_after)} 429s without Retry-After")
        overload = next(r for r in rows if r["phase"].startswith("overload"))
        # The rolling restart drained: HAProxy took replica 1 out on its 503 from /ready while
        # it still listened, rather than finding its port closed.
        with open(os.path.join(tmp, "haproxy.log"), errors="replace") as f:
            haproxy_log = f.read()
        if not re.search(r"r1 is DOWN, reason: Layer7 wrong status, code: 503", haproxy_log):
            failures.append("HAProxy did not see replica 1's /ready turn 503 when it drained")
        if overload["by_status"].get("429", 0) == 0:
            failures.append("the overload produced no 429: the test did not exercise it")
        for row in rows:
            if row["by_status"].get("200", 0) == 0:
                failures.append(f"no request succeeded during '{row['phase']}'")
    finally:
        if haproxy:
            haproxy.terminate()
            haproxy.wait(timeout=10)
        for r in replicas:
            if r.proc and r.proc.poll() is None:
                r.proc.terminate()
                r.proc.wait(timeout=60)
    for failure in failures:
        print("FAIL:", failure)
    print("replica_faults:", "ok" if not failures else f"{len(failures)} failures", f"(logs in {tmp})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
