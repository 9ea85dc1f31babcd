#!/usr/bin/env python3
"""rerankd and the Hugging Face Hub, against the mock Hub in mock_hub.py (127.0.0.1 only).

    run_hub_tests.py --rerankd PATH --model DIR

DIR is a model directory (config.json, model.safetensors, tokenizer files); the mock serves its
files as several repos. Needs huggingface_hub (the client venv of tests/clients) for the interop
tests: rerankd's cache must be the one huggingface_hub reads, and the other way round.
Prints one line per test; exits non-zero on any failure.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mock_hub import MockHub, Repo  # noqa: E402

ARGS = None
HUB = None
TOKEN = "hf_mock_good_token"


def model_files():
    files = {}
    for name in sorted(os.listdir(ARGS.model)):
        with open(os.path.join(ARGS.model, name), "rb") as f:
            files[name] = f.read()
    return files


def shard(safetensors, parts=2):
    """model.safetensors split as transformers shards it: model-0000i-of-0000n.safetensors files
    holding whole tensors, and model.safetensors.index.json's weight_map naming each one's file."""
    header_size = int.from_bytes(safetensors[:8], "little")
    header = json.loads(safetensors[8:8 + header_size])
    data = safetensors[8 + header_size:]
    names = sorted(k for k in header if k != "__metadata__")
    files, weight_map = {}, {}
    for i in range(parts):
        file_name = f"model-{i + 1:05d}-of-{parts:05d}.safetensors"
        chunk, offset, blobs = {}, 0, []
        for name in names[i::parts]:
            begin, end = header[name]["data_offsets"]
            chunk[name] = dict(header[name], data_offsets=[offset, offset + end - begin])
            blobs.append(data[begin:end])
            offset += end - begin
            weight_map[name] = file_name
        encoded = json.dumps(chunk).encode()
        encoded += b" " * (-len(encoded) % 8)
        files[file_name] = len(encoded).to_bytes(8, "little") + encoded + b"".join(blobs)
    files["model.safetensors.index.json"] = json.dumps(
        {"metadata": {"total_size": len(data)}, "weight_map": weight_map}).encode()
    return files


def clean_env(cache, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env.pop(name, None)
    env.update({"HF_ENDPOINT": HUB.endpoint, "HF_HUB_CACHE": cache, "HF_HOME": cache + "-home",
                "NO_PROXY": "127.0.0.1", "HF_HUB_DISABLE_TELEMETRY": "1"})
    env.update(extra)
    return env


def rerankd(args, env, timeout=120):
    return subprocess.run([ARGS.rerankd, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def python_hf(code, env):
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


class HubTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="rerankd-hub-")
        self.cache = os.path.join(self.dir.name, "hub")

    def tearDown(self):
        self.dir.cleanup()

    def documents(self):
        path = os.path.join(self.dir.name, "documents.txt")
        with open(path, "w") as f:
            f.write("Rust is a language\na cat\n")
        return path

    def repo_dir(self, repo_id):
        return os.path.join(self.cache, "models--" + repo_id.replace("/", "--"))

    def download(self, repo_id, **env):
        return rerankd(["download", repo_id], clean_env(self.cache, **env))

    def assert_ok(self, result):
        self.assertEqual(result.returncode, 0, result.stderr)

    def assert_fails(self, result, *phrases):
        self.assertNotEqual(result.returncode, 0, result.stdout)
        for phrase in phrases:
            self.assertIn(phrase, result.stderr)

    def assert_intact(self, repo_id, snapshot):
        repo = HUB.repos[repo_id]
        self.assertEqual(os.path.realpath(snapshot),
                         os.path.realpath(os.path.join(self.repo_dir(repo_id), "snapshots", repo.commit)))
        for name in ("config.json", "model.safetensors", "tokenizer.json"):
            path = os.path.join(snapshot, name)
            self.assertTrue(os.path.islink(path), path)
            with open(path, "rb") as f:
                self.assertEqual(f.read(), repo.files[name], name)
        sha = hashlib.sha256(repo.files["model.safetensors"]).hexdigest()
        self.assertEqual(os.readlink(os.path.join(snapshot, "model.safetensors")),
                         os.path.join("..", "..", "blobs", sha))
        blobs = os.listdir(os.path.join(self.repo_dir(repo_id), "blobs"))
        self.assertFalse([b for b in blobs if b.endswith(".incomplete")], blobs)

    # --- downloads and the cache -----------------------------------------------------------
    def test_download_writes_the_huggingface_hub_cache_layout(self):
        result = self.download("acme/tiny")
        self.assert_ok(result)
        snapshot = result.stdout.strip()
        self.assert_intact("acme/tiny", snapshot)
        with open(os.path.join(self.repo_dir("acme/tiny"), "refs", "main")) as f:
            self.assertEqual(f.read().strip(), HUB.repos["acme/tiny"].commit)
        self.assertIn("downloading acme/tiny@main model.safetensors", result.stderr)
        # Only what rerankd loads: the extra file in the repo is not fetched.
        self.assertFalse(os.path.exists(os.path.join(snapshot, "README.md")))
        # huggingface_hub finds the same snapshot without a request.
        found = python_hf("from huggingface_hub import snapshot_download\n"
                          "print(snapshot_download('acme/tiny', local_files_only=True))",
                          clean_env(self.cache, HF_HUB_OFFLINE="1"))
        self.assertEqual(found.returncode, 0, found.stderr)
        self.assertEqual(os.path.realpath(found.stdout.strip()), os.path.realpath(snapshot))

    def test_cdn_gets_no_token(self):
        before = len(HUB.requests("cdn"))
        self.assert_ok(self.download("acme/tiny", HF_TOKEN=TOKEN))
        cdn = HUB.requests("cdn")[before:]
        self.assertEqual(len(cdn), 1, cdn)
        self.assertIsNone(cdn[0]["authorization"])
        hub = [e for e in HUB.requests("hub", contains="/acme/tiny")]
        self.assertTrue(all(e["authorization"] == f"Bearer {TOKEN}" for e in hub[-3:]), hub[-3:])

    def test_second_run_and_other_commands_use_the_cache_without_a_request(self):
        self.assert_ok(self.download("acme/tiny"))
        before = len(HUB.log)
        again = self.download("acme/tiny")
        self.assert_ok(again)
        ranked = rerankd(["rank", "--model", "acme/tiny", "--query", "what is rust",
                          "--documents", self.documents()],
                         clean_env(self.cache))
        self.assert_ok(ranked)
        self.assertEqual(len(HUB.log), before, HUB.log[before:])

    def test_huggingface_hub_download_loads_offline_in_rerankd(self):
        got = python_hf("from huggingface_hub import snapshot_download\n"
                        "print(snapshot_download('acme/tiny'))", clean_env(self.cache))
        self.assertEqual(got.returncode, 0, got.stderr)
        before = len(HUB.log)
        for env in ({"HF_HUB_OFFLINE": "1"}, {}):
            ranked = rerankd(["rank", "--model", "acme/tiny", "--query", "q", "--documents", self.documents()],
                             clean_env(self.cache, **env))
            self.assert_ok(ranked)
        self.assertEqual(len(HUB.log), before, HUB.log[before:])

    def test_a_tag_revision(self):
        result = rerankd(["download", "acme/tiny@v1.0"], clean_env(self.cache))
        self.assert_ok(result)
        self.assert_intact("acme/tiny", result.stdout.strip())
        with open(os.path.join(self.repo_dir("acme/tiny"), "refs", "v1.0")) as f:
            self.assertEqual(f.read().strip(), HUB.repos["acme/tiny"].commit)
        self.assertTrue(HUB.requests("hub", "GET", "/api/models/acme/tiny/revision/v1.0"))
        flag = rerankd(["download", "acme/tiny", "--revision", "v1.0", "--offline"], clean_env(self.cache))
        self.assert_ok(flag)
        self.assertEqual(flag.stdout, result.stdout)
        clash = rerankd(["download", "acme/tiny@v1.0", "--revision", "main"], clean_env(self.cache))
        self.assert_fails(clash, "--revision")

    def test_sharded_weights(self):
        result = self.download("acme/sharded")
        self.assert_ok(result)
        snapshot = result.stdout.strip()
        for name in ("model.safetensors.index.json", "model-00001-of-00002.safetensors",
                     "model-00002-of-00002.safetensors"):
            with open(os.path.join(snapshot, name), "rb") as f:
                self.assertEqual(f.read(), HUB.repos["acme/sharded"].files[name], name)
        whole = rerankd(["rank", "--model", ARGS.model, "--query", "what is rust", "--documents",
                         self.documents(), "--json", "--raw-scores"], clean_env(self.cache))
        sharded = rerankd(["rank", "--model", "acme/sharded", "--query", "what is rust", "--documents",
                           self.documents(), "--json", "--raw-scores", "--offline"], clean_env(self.cache))
        self.assert_ok(whole)
        self.assert_ok(sharded)
        self.assertEqual(whole.stdout, sharded.stdout)

    # --- errors ----------------------------------------------------------------------------
    def test_gated_repo_needs_a_token(self):
        self.assert_fails(self.download("acme/gated"), "acme/gated@main", "gated or private",
                          "HF_TOKEN", HUB.endpoint + "/api/models/acme/gated/revision/main")
        self.assert_fails(self.download("acme/gated", HF_TOKEN="hf_wrong"), "was refused")
        self.assert_ok(self.download("acme/gated", HF_TOKEN=TOKEN))

    def test_token_file_under_hf_home(self):
        home = self.cache + "-home"
        os.makedirs(home, exist_ok=True)
        with open(os.path.join(home, "token"), "w") as f:
            f.write(TOKEN + "\n")
        self.assert_ok(self.download("acme/gated"))

    def test_pytorch_only_repo_is_refused_without_downloading_it(self):
        before = len(HUB.log)
        self.assert_fails(self.download("acme/torch-only"), "pytorch_model.bin", "safetensors",
                          "save_pretrained")
        self.assertFalse([e for e in HUB.log[before:] if "pytorch_model.bin" in e["path"]])

    def test_unknown_repo_revision(self):
        self.assert_fails(self.download("acme/nope"), "acme/nope@main", "no such repo")
        self.assert_fails(rerankd(["download", "acme/tiny@v9"], clean_env(self.cache)),
                          "no revision \"v9\"")

    def test_wrong_checksum_deletes_the_download(self):
        result = self.download("acme/tampered")
        self.assert_fails(result, "sha256", "was deleted", HUB.cdn_url)
        blobs = os.path.join(self.repo_dir("acme/tampered"), "blobs")
        self.assertFalse([b for b in os.listdir(blobs) if len(b.split(".")[0]) == 64], os.listdir(blobs))
        snapshots = os.path.join(self.repo_dir("acme/tampered"), "snapshots")
        self.assertFalse(os.path.exists(os.path.join(snapshots, HUB.repos["acme/tampered"].commit,
                                                     "config.json")))

    def test_offline_with_an_empty_cache_names_what_is_missing(self):
        before = len(HUB.log)
        result = self.download("acme/tiny", HF_HUB_OFFLINE="1")
        self.assert_fails(result, "acme/tiny@main", "offline", self.repo_dir("acme/tiny"))
        self.assertEqual(len(HUB.log), before)
        flag = rerankd(["download", "acme/tiny", "--offline"], clean_env(self.cache))
        self.assert_fails(flag, "offline")

    def test_unreachable_hub_fails_after_retries(self):
        result = rerankd(["download", "acme/tiny"], clean_env(self.cache, HF_ENDPOINT="http://127.0.0.1:9"))
        self.assert_fails(result, "acme/tiny@main", "http://127.0.0.1:9/api/models/acme/tiny/revision/main",
                          "after 5 attempts")

    # --- interrupted, slow and concurrent downloads -----------------------------------------
    def test_dropped_connection_resumes_with_range(self):
        HUB.repos["acme/flaky"].drops_left = 1
        before = len(HUB.requests("cdn"))
        result = self.download("acme/flaky")
        self.assert_ok(result)
        self.assert_intact("acme/flaky", result.stdout.strip())
        cdn = HUB.requests("cdn")[before:]
        self.assertEqual(len(cdn), 2, cdn)
        size = len(HUB.repos["acme/flaky"].files["model.safetensors"])
        self.assertEqual(cdn[1]["range"], f"bytes={size // 2}-")

    def test_next_run_resumes_what_a_failed_run_left(self):
        HUB.repos["acme/flaky"].drops_left = 5  # every attempt of the first run
        first = self.download("acme/flaky")
        self.assert_fails(first, "after 5 attempts", "run again to resume")
        blobs = os.path.join(self.repo_dir("acme/flaky"), "blobs")
        partial = [b for b in os.listdir(blobs) if b.endswith(".incomplete")]
        self.assertEqual(len(partial), 1, os.listdir(blobs))
        kept = os.path.getsize(os.path.join(blobs, partial[0]))
        self.assertGreater(kept, 0)
        commit = HUB.repos["acme/flaky"].commit
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir("acme/flaky"), "snapshots", commit,
                                                     "config.json")))
        before = len(HUB.requests("cdn"))
        second = self.download("acme/flaky")
        self.assert_ok(second)
        self.assert_intact("acme/flaky", second.stdout.strip())
        self.assertEqual(HUB.requests("cdn")[before]["range"], f"bytes={kept}-")

    def test_stalled_server_times_out_and_is_retried(self):
        HUB.repos["acme/stalls"].stalls_left = 1
        result = self.download("acme/stalls", HF_HUB_DOWNLOAD_TIMEOUT="1")
        self.assert_ok(result)
        self.assertIn("retrying", result.stderr)
        self.assert_intact("acme/stalls", result.stdout.strip())

    def test_two_processes_end_with_one_intact_blob(self):
        env = clean_env(self.cache)
        before = len(HUB.requests("cdn", contains="/blobs/"))
        procs = [subprocess.Popen([ARGS.rerankd, "download", "acme/slow"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err)
        self.assertEqual(outs[0][0], outs[1][0])
        self.assert_intact("acme/slow", outs[0][0].strip())
        self.assertEqual(len(HUB.requests("cdn", contains="/blobs/")) - before, 1)

    def test_serve_is_live_but_not_ready_while_it_downloads(self):
        HUB.repos["acme/stalls"].stalls_left = 1  # the weights wait 5 s before their first byte
        env = clean_env(self.cache)
        proc = subprocess.Popen([ARGS.rerankd, "serve", "--model", "acme/stalls", "--port", "0"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stderr.readline()
            self.assertIn("/health is up on http://", line)
            url = line.split("/health is up on ")[1].split(";")[0]

            def status(path, body=None):
                request = urllib.request.Request(url + path, data=body,
                                                 headers={"Content-Type": "application/json"})
                try:
                    return urllib.request.urlopen(request, timeout=10).status
                except urllib.error.HTTPError as e:
                    return e.code

            body = json.dumps({"query": "rust", "texts": ["Rust is a language", "cats"]}).encode()
            self.assertEqual(status("/health"), 200)
            self.assertEqual(status("/ready"), 503)
            self.assertEqual(status("/rerank", body), 503)
            listening = proc.stdout.readline()  # printed once the model is loaded
            self.assertIn("listening on " + url, listening)
            self.assertEqual(status("/ready"), 200)
            request = urllib.request.Request(url + "/rerank", data=body,
                                             headers={"Content-Type": "application/json"})
            ranked = json.loads(urllib.request.urlopen(request, timeout=10).read())
            self.assertEqual(sorted(r["index"] for r in ranked), [0, 1])
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    def test_serve_on_a_repo_it_cannot_load_exits_with_the_reason(self):
        result = rerankd(["serve", "--model", "acme/torch-only", "--port", "0"], clean_env(self.cache))
        self.assert_fails(result, "pytorch_model.bin")

    def test_a_write_failure_is_an_error_not_a_crash(self):
        import resource
        import signal

        def small_files():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

        result = subprocess.run([ARGS.rerankd, "download", "acme/tiny"], env=clean_env(self.cache),
                                capture_output=True, text=True, timeout=120, preexec_fn=small_files)
        self.assert_fails(result, "cannot write", "model.safetensors")
        self.assertFalse(os.path.exists(os.path.join(self.repo_dir("acme/tiny"), "snapshots",
                                                     HUB.repos["acme/tiny"].commit, "config.json")))

    def test_progress_bar_on_a_terminal(self):
        import pty
        leader, follower = pty.openpty()
        proc = subprocess.Popen([ARGS.rerankd, "download", "acme/slow"], env=clean_env(self.cache),
                                stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        proc.wait(timeout=60)
        os.close(leader)
        self.assertEqual(proc.returncode, 0, seen)
        self.assertRegex(seen.decode(errors="replace"), r"\r  model\.safetensors +\d+% of \d+\.\d MB")


def main():
    global ARGS, HUB
    parser = argparse.ArgumentParser()
    parser.add_argument("--rerankd", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--only", default="", help="run the tests whose name holds this")
    ARGS = parser.parse_args()
    files = model_files()
    files["README.md"] = b"# a model card rerankd does not need\n"
    sharded = {k: v for k, v in files.items() if k != "model.safetensors"}
    sharded.update(shard(files["model.safetensors"]))
    torch_only = {k: v for k, v in files.items() if k != "model.safetensors"}
    torch_only["pytorch_model.bin"] = files["model.safetensors"]
    HUB = MockHub([
        Repo("acme/tiny", files, revisions=["v1.0"]),
        Repo("acme/gated", files, gated=True),
        Repo("acme/sharded", sharded),
        Repo("acme/torch-only", torch_only),
        Repo("acme/tampered", files, wrong_sha=True),
        Repo("acme/flaky", dict(files, **{"marker.txt": b"flaky"})),
        Repo("acme/stalls", dict(files, **{"marker.txt": b"stalls"}), stall=5.0),  # > the 1 s timeout of one test, < the default 10 s
        Repo("acme/slow", dict(files, **{"marker.txt": b"slow"}), throttle=0.01),
    ], token=TOKEN)
    try:
        suite = unittest.TestSuite(t for t in unittest.defaultTestLoader.loadTestsFromTestCase(HubTests)
                                   if ARGS.only in t.id())
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    finally:
        HUB.close()
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
