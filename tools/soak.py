#!/usr/bin/env python3
"""A soak of `rerankd serve` (issue 19): mixed load for a long time, memory and descriptors
sampled every 10 s, every answer checked.

Load, from concurrent threads, all on 127.0.0.1:
  good      POST /rerank of 1..max-docs MS MARCO passages; every score is compared with the
            one-shot CLI's (`rerankd score`) for the same pair (0 wrong answers allowed)
  malformed bodies that are not JSON, not UTF-8, the wrong shape, or cut short: a 4xx each
  hang-ups   a client that sends half its body and closes; one that sends a large request and
            closes after the first bytes of the answer
  bursts    every 60 s, 40 large requests at once past server.max_queue_pairs: 200 (checked)
            or 429 with Retry-After

Required (exit 1 otherwise): no wrong answer, no unexpected status, the server alive at the
end, RSS after warm-up flat (the last 20 minutes' peak within 5% of the RSS at their start;
for shorter runs, the last two thirds), and open descriptors back to the baseline once the
load's connections are closed. Writes samples.csv, soak.svg (RSS and descriptors over time)
and report.md to --out.

usage: tools/soak.py --rerankd build/release/bin/rerankd --model DIR --data ../shared/data
                     [--minutes 30] [--out results/soak]
"""
import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

SAMPLE_S = 10


def load_pairs(data_dir, limit_queries):
    """{query: [passages]} from the MS MARCO sample."""
    groups = {}
    with open(os.path.join(data_dir, "msmarco", "dev_small_bm25top20_600q.tsv"), encoding="utf-8") as f:
        for line in f:
            _qid, _pid, _rank, _label, query, passage = line.rstrip("\n").split("\t")
            groups.setdefault(query, []).append(passage)
            if len(groups) > limit_queries:
                del groups[query]
                break
    return groups


def cli_scores(rerankd, model, pairs):
    """The one-shot CLI's score of each (query, passage), the reference for every answer."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for q, d in pairs:
            f.write(json.dumps({"query": q, "document": d}) + "\n")
        path = f.name
    out = subprocess.run([rerankd, "score", "-m", model, "-i", path], check=True,
                         capture_output=True, text=True).stdout
    os.unlink(path)
    return [json.loads(line)["score"] for line in out.splitlines()]


class Server:
    def __init__(self, rerankd, model, args):
        self.log = open(os.path.join(args.out, "server.log"), "w")
        self.proc = subprocess.Popen(
            [rerankd, "serve", "--model", model, "--port", "0", "--server.access_log", "false",
             "--server.max_queue_pairs", str(args.max_queue_pairs),
             "--server.max_client_batch_size", "200", "--server.request_timeout_ms", "20000"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.port = None
        for line in self.proc.stdout:  # "rerankd listening on http://127.0.0.1:PORT"
            if "listening on" in line:
                self.port = int(line.strip().rsplit(":", 1)[1])
                break
        if self.port is None:
            raise SystemExit("rerankd serve did not start; see server.log")
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def rss(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return -1

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def activation_bytes(self):
        """rerankd_backend_activation_bytes: the backends' workspaces, a part of the RSS."""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            conn.request("GET", "/metrics")
            for line in conn.getresponse().read().decode().splitlines():
                if line.startswith("rerankd_backend_activation_bytes "):
                    return int(float(line.split()[1]))
        except (OSError, http.client.HTTPException, ValueError):
            pass
        return -1


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.problems = []

    def add(self, key, problem=None):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            if problem and len(self.problems) < 50:
                self.problems.append(problem)


def rerank_body(query, docs):
    return json.dumps({"query": query, "texts": docs}).encode()


def check_answer(status, body, headers, query, docs, expected, tally, kind, allow_429=False):
    if status == 429 and allow_429:
        if headers.get("retry-after") is None:
            tally.add(kind + " 429 without Retry-After", "429 without Retry-After")
        else:
            tally.add(kind + " 429")
        return
    if status != 200:
        tally.add(kind + " unexpected status", f"{kind}: status {status}: {body[:200]!r}")
        return
    answer = json.loads(body)
    if len(answer) != len(docs):
        tally.add("wrong answer", f"{kind}: {len(answer)} scores for {len(docs)} documents")
        return
    for item in answer:
        want = expected[(query, docs[item["index"]])]
        if abs(item["score"] - want) > 1e-4:
            tally.add("wrong answer", f"{kind}: score {item['score']} != {want} (doc {item['index']})")
            return
    tally.add(kind + " ok")


def good_client(port, groups, expected, max_docs, stop, tally, seed):
    rng = random.Random(seed)
    queries = list(groups)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop.is_set():
        q = rng.choice(queries)
        docs = [rng.choice(groups[q]) for _ in range(rng.randint(1, max_docs))]
        try:
            conn.request("POST", "/rerank", rerank_body(q, docs), {"Content-Type": "application/json"})
            r = conn.getresponse()
            body = r.read()
            check_answer(r.status, body, {k.lower(): v for k, v in r.getheaders()}, q, docs,
                         expected, tally, "good", allow_429=True)
            if r.getheader("connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as e:
            tally.add("good transport error", f"good: {e!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)


MALFORMED = [
    b"{", b"not json", b'{"query": "q", "texts": "not a list"}', b'{"query": 7, "texts": ["a"]}',
    b'{"query": "q"}', b'{"query": "\xff\xfe", "texts": ["a"]}', b"[]", b'{"query":"q","texts":[]}',
    b'{"query":"q","texts":[' + b"[" * 2000 + b"]" * 2000 + b"]}",
]


def malformed_client(port, stop, tally, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        body = rng.choice(MALFORMED)
        if rng.random() < 0.3:
            body = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", rng.choice(["/rerank", "/v1/rerank", "/score"]), body,
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            conn.close()
            if 400 <= r.status < 500:
                tally.add("malformed 4xx")
            else:
                tally.add("malformed unexpected status", f"malformed: status {r.status} for {body[:80]!r}")
        except (OSError, http.client.HTTPException) as e:
            tally.add("malformed transport error", f"malformed: {e!r}")
        time.sleep(0.01)


def hangup_client(port, groups, stop, tally, seed):
    rng = random.Random(seed)
    queries = list(groups)
    while not stop.is_set():
        q = rng.choice(queries)
        body = rerank_body(q, groups[q] * 5)
        head = (f"POST /rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            if rng.random() < 0.5:
                s.sendall(head + body[: len(body) // 2])  # mid-request
                tally.add("hang-up mid-request")
            else:
                s.sendall(head + body)
                s.recv(16)  # the first bytes of the answer, then away: mid-response
                tally.add("hang-up mid-response")
            s.close()
        except OSError as e:
            tally.add("hang-up transport error", f"hang-up: {e!r}")
        time.sleep(0.05)


def burst(port, groups, expected, tally, rng, size=40):
    queries = list(groups)
    threads = []

    def one():
        q = rng.choice(queries)
        docs = list(groups[q])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", "/rerank", rerank_body(q, docs), {"Content-Type": "application/json"})
            r = conn.getresponse()
            body = r.read()
            check_answer(r.status, body, {k.lower(): v for k, v in r.getheaders()}, q, docs,
                         expected, tally, "burst", allow_429=True)
            conn.close()
        except (OSError, http.client.HTTPException) as e:
            tally.add("burst transport error", f"burst: {e!r}")

    for _ in range(size):
        threads.append(threading.Thread(target=one))
        threads[-1].start()
    for t in threads:
        t.join()


def svg_plot(samples, path):
    """RSS (MiB) and open descriptors against minutes, as a small standalone SVG."""
    w, h, pad = 720, 300, 50
    t = [s[0] / 60 for s in samples]
    series = [("RSS MiB", [s[1] / 2**20 for s in samples], "#1f77b4"),
              ("open fds", [s[2] for s in samples], "#d62728"),
              ("backend activation MiB", [max(s[3], 0) / 2**20 for s in samples], "#2ca02c")]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h * len(series)}" font-family="sans-serif" font-size="12">']
    for k, (name, ys, color) in enumerate(series):
        top = k * h
        lo, hi = 0, max(ys) * 1.1 or 1
        tmax = max(t) or 1
        pts = " ".join(f"{pad + (x / tmax) * (w - 2 * pad):.1f},{top + h - pad - (y - lo) / (hi - lo) * (h - 2 * pad):.1f}"
                       for x, y in zip(t, ys))
        out.append(f'<rect x="{pad}" y="{top + pad}" width="{w - 2 * pad}" height="{h - 2 * pad}" fill="none" stroke="#999"/>')
        out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        out.append(f'<text x="{pad}" y="{top + pad - 8}">{name} (0 .. {hi:.0f}) over {tmax:.1f} minutes</text>')
        out.append(f'<text x="{w - pad}" y="{top + h - pad + 16}" text-anchor="end">minutes</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rerankd", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True, help="the shared data folder (msmarco/)")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--out", default="results/soak")
    ap.add_argument("--good-clients", type=int, default=4)
    ap.add_argument("--max-docs", type=int, default=100)
    ap.add_argument("--max-queue-pairs", type=int, default=400)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    groups = load_pairs(args.data, 60)
    pairs = sorted({(q, d) for q, ds in groups.items() for d in ds})
    scores = cli_scores(args.rerankd, args.model, pairs)
    expected = dict(zip(pairs, scores))

    server = Server(args.rerankd, args.model, args)
    tally = Tally()
    stop = threading.Event()
    baseline_fds = server.fds()
    threads = [threading.Thread(target=good_client, args=(server.port, groups, expected, args.max_docs, stop, tally, i))
               for i in range(args.good_clients)]
    threads += [threading.Thread(target=malformed_client, args=(server.port, stop, tally, 100 + i)) for i in range(2)]
    threads += [threading.Thread(target=hangup_client, args=(server.port, groups, stop, tally, 200 + i)) for i in range(2)]
    for t in threads:
        t.start()

    rng = random.Random(7)
    start = time.monotonic()
    end = start + args.minutes * 60
    samples = []  # (seconds, rss bytes, fds)
    next_sample, next_burst = start, start + 60
    with open(os.path.join(args.out, "samples.csv"), "w") as csv:
        csv.write("seconds,rss_bytes,open_fds,activation_bytes\n")
        while time.monotonic() < end and server.proc.poll() is None:
            now = time.monotonic()
            if now >= next_sample:
                samples.append((now - start, server.rss(), server.fds(), server.activation_bytes()))
                csv.write("%.0f,%d,%d,%d\n" % samples[-1])
                csv.flush()
                next_sample += SAMPLE_S
            if now >= next_burst:
                burst(server.port, groups, expected, tally, rng)
                next_burst += 60
            time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join()
    alive = server.proc.poll() is None
    # Descriptors back to the baseline once the load's connections are gone (closing is
    # asynchronous on the server's side: wait a little, nothing is asserted on time).
    final_fds = -1
    for _ in range(100):
        if not alive:
            break
        final_fds = server.fds()
        if final_fds <= baseline_fds:
            break
        time.sleep(0.1)
    if alive:
        samples.append((time.monotonic() - start, server.rss(), final_fds, server.activation_bytes()))
        server.proc.terminate()
        server.proc.wait(timeout=60)

    # RSS flat after warm-up: the last 20 minutes (or last two thirds of a shorter run).
    total = samples[-1][0] if samples else 0
    window_start = max(total - 20 * 60, total / 3)
    tail = [s for s in samples if s[0] >= window_start]
    growth = (max(s[1] for s in tail) / tail[0][1] - 1) if tail else float("nan")
    wrong = tally.counts.get("wrong answer", 0)
    unexpected = sum(v for k, v in tally.counts.items() if "unexpected" in k or "without Retry" in k)
    checks = {
        "0 wrong answers": wrong == 0,
        "no unexpected status": unexpected == 0,
        "no crash (server alive at the end)": alive,
        "RSS growth over the window <= 5%": growth <= 0.05,
        "descriptors back to baseline": alive and final_fds <= baseline_fds,
    }
    svg_plot(samples, os.path.join(args.out, "soak.svg"))
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write(f"# Soak: {args.minutes:g} minutes of mixed load\n\n")
        f.write(f"`{' '.join(sys.argv)}`\n\n![RSS and descriptors](soak.svg)\n\n")
        f.write(f"RSS: {samples[0][1] / 2**20:.1f} MiB at start, {tail[0][1] / 2**20:.1f} MiB at "
                f"{window_start / 60:.1f} min, peak {max(s[1] for s in tail) / 2**20:.1f} MiB after it "
                f"({growth * 100:+.2f}%); descriptors {baseline_fds} at start, {final_fds} at the end; "
                f"backend activation memory {tail[0][3] / 2**20:.1f} MiB at {window_start / 60:.1f} min, "
                f"{samples[-1][3] / 2**20:.1f} MiB at the end, so RSS less it grew "
                f"{((max(s[1] - s[3] for s in tail)) / (tail[0][1] - tail[0][3]) - 1) * 100:+.2f}%.\n\n")
        f.write("| check | result |\n| --- | --- |\n")
        for name, ok in checks.items():
            f.write(f"| {name} | {'pass' if ok else 'FAIL'} |\n")
        f.write("\n| outcome | count |\n| --- | --- |\n")
        for k in sorted(tally.counts):
            f.write(f"| {k} | {tally.counts[k]} |\n")
        if tally.problems:
            f.write("\nFirst problems:\n\n" + "\n".join(f"- {p}" for p in tally.problems) + "\n")
    print(open(os.path.join(args.out, "report.md")).read())
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
