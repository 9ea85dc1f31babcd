#!/usr/bin/env python3
"""Server overhead of one /rerank request beyond inference, measured from the client.

Starts `rerankd serve` on a free port with batching that closes at once (timeout_ms 0) and a
batch large enough for the whole request, then sends the same D-document /rerank request N
times on one keep-alive connection and reports, per request, the client round trip, the
server's x-inference-time, and their difference (tokenization + queue + JSON + HTTP).

  python3 tools/measure_server_overhead.py --rerankd build/release/bin/rerankd \
      --model build/release/test-models/tiny-random --documents 100 --requests 200
"""
import argparse
import http.client
import json
import re
import statistics
import subprocess
import time
from pathlib import Path


def msmarco_documents(data_dir: Path, count: int):
    rows = (data_dir / "msmarco" / "dev_small_bm25top20_600q.tsv").read_text().split("\n")
    fields = [row.split("\t") for row in rows if row]
    return fields[0][4], [f[5] for f in fields[:count]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rerankd", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    server = subprocess.Popen(
        [args.rerankd, "serve", "--model", args.model, "--port", "0",
         "--batching.timeout_ms", "0", "--batching.max_batch_size", str(max(64, args.documents)),
         "--server.max_concurrency", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in server.stdout:
            match = re.search(r"listening on http://[^:]+:(\d+)", line)
            if match:
                port = int(match.group(1))
                break
        query, documents = msmarco_documents(Path(args.data_dir), args.documents)
        body = json.dumps({"query": query, "texts": documents})
        connection = http.client.HTTPConnection("127.0.0.1", port)
        round_trips, inference, overhead, tokenization, queue = [], [], [], [], []
        server_total, server_overhead = [], []
        for i in range(args.requests + 10):
            start = time.perf_counter()
            connection.request("POST", "/rerank", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            elapsed_ms = (time.perf_counter() - start) * 1000
            assert response.status == 200, response.status
            if i < 10:
                continue  # warm-up
            server_inference = float(response.getheader("x-inference-time"))
            round_trips.append(elapsed_ms)
            tokenization.append(float(response.getheader("x-tokenization-time")))
            queue.append(float(response.getheader("x-queue-time")))
            inference.append(server_inference)
            total = float(response.getheader("x-total-time"))
            server_total.append(total)
            server_overhead.append(total - server_inference)
            overhead.append(elapsed_ms - server_inference)
        print(f"{args.requests} requests of {args.documents} documents, model {args.model}")
        for name, values in (("client round trip", round_trips), ("server inference", inference),
                             ("overhead (round trip - inference)", overhead),
                             ("  of which tokenization", tokenization),
                             ("server total (arrival to answer)", server_total),
                             ("server overhead (total - inference)", server_overhead),
                             ("queue (overlaps inference)", queue)):
            values.sort()
            print(f"  {name:36s} p50 {statistics.median(values):8.3f} ms   "
                  f"p90 {values[int(len(values) * 0.9)]:8.3f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
