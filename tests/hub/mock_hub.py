"""A Hugging Face Hub of our own on 127.0.0.1, for tests (stdlib only).

Two servers: the "hub" (API and resolve routes) and a "CDN" on another port that LFS files
redirect to, as huggingface.co redirects to its CDN. Routes, as huggingface_hub uses them:

    GET  /api/models/{org}/{name}/revision/{rev}    {"id", "sha", "siblings": [{"rfilename"}]}
    GET  /api/models/{org}/{name}/tree/{rev}        the file list huggingface_hub 2's
                                                   snapshot_download reads (one page)
    HEAD|GET /{org}/{name}/resolve/{rev}/{path}    small file: 200, ETag = git blob id
                                                   LFS file: 302 to the CDN, X-Linked-Etag =
                                                   sha256, X-Linked-Size
    GET  (CDN) /{org}/{name}/blobs/{sha256}                      the bytes; Range supported (206)

Errors carry X-Error-Code as the Hub's do (RepoNotFound, RevisionNotFound, EntryNotFound,
GatedRepo). Per-repo behaviours for the failure tests: gated (needs the token), drop (close the
connection halfway through an LFS body, this many times), stall (first CDN answers wait this many
seconds before any byte), throttle (seconds between 64 KiB chunks), wrong_sha (advertise a
different sha256 than the bytes have). Every request is logged in `MockHub.log`.
"""

import hashlib
import http.server
import json
import threading
import time
import urllib.parse

LFS_FILES = (".safetensors", ".bin")  # what the Hub stores in LFS here


class Repo:
    def __init__(self, repo_id, files, revisions=None, gated=False, drop=0, stall=0.0, stall_count=0,
                 throttle=0.0, wrong_sha=False):
        self.id = repo_id
        self.files = dict(files)  # path -> bytes
        self.commit = hashlib.sha1(repo_id.encode() + b"".join(
            hashlib.sha1(p.encode() + b).digest() for p, b in sorted(self.files.items()))).hexdigest()
        self.revisions = {"main": self.commit}
        for name in revisions or []:
            self.revisions[name] = self.commit
        self.gated = gated
        self.drops_left = drop
        self.stall = stall
        self.stalls_left = stall_count
        self.throttle = throttle
        self.wrong_sha = wrong_sha

    def is_lfs(self, path):
        return path.endswith(LFS_FILES)


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class MockHub:
    def __init__(self, repos, token="hf_mock_good_token"):
        self.repos = {r.id: r for r in repos}
        self.token = token
        self.log = []
        self.lock = threading.Lock()
        self.blobs = {}  # (repo id, sha256) -> bytes
        for repo in repos:
            for data in repo.files.values():
                self.blobs[(repo.id, hashlib.sha256(data).hexdigest())] = data
        self.hub = self._serve(self._hub_handler())
        self.cdn = self._serve(self._cdn_handler())
        self.endpoint = f"http://127.0.0.1:{self.hub.server_address[1]}"
        self.cdn_url = f"http://127.0.0.1:{self.cdn.server_address[1]}"

    def _serve(self, handler):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.handle_error = lambda request, address: None  # clients that hang up mid-body
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def close(self):
        for server in (self.hub, self.cdn):
            server.shutdown()
            server.server_close()

    def requests(self, server=None, method=None, contains=""):
        with self.lock:
            return [e for e in self.log if (server is None or e["server"] == server)
                    and (method is None or e["method"] == method) and contains in e["path"]]

    def _record(self, server, handler):
        with self.lock:
            self.log.append({"server": server, "method": handler.command, "path": handler.path,
                             "range": handler.headers.get("Range"),
                             "authorization": handler.headers.get("Authorization")})

    def _hub_handler(self):
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _error(self, status, code, message):
                body = json.dumps({"error": message}).encode()
                self.send_response(status)
                self.send_header("X-Error-Code", code)
                self.send_header("X-Error-Message", message)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _repo(self, org, name):
                repo = hub.repos.get(f"{org}/{name}")
                if repo is None:
                    self._error(404, "RepoNotFound", "Repository not found")
                    return None
                if repo.gated and self.headers.get("Authorization") != f"Bearer {hub.token}":
                    self._error(401, "GatedRepo", "Access to this model is restricted")
                    return None
                return repo

            def do_GET(self):
                self._handle()

            def do_HEAD(self):
                self._handle()

            def _handle(self):
                hub._record("hub", self)
                parts = [urllib.parse.unquote(p) for p in urllib.parse.urlsplit(self.path).path.split("/")[1:]]
                if len(parts) == 6 and parts[:2] == ["api", "models"] and parts[4] == "revision":
                    return self._revision(parts[2], parts[3], parts[5])
                if len(parts) >= 6 and parts[:2] == ["api", "models"] and parts[4] == "tree":
                    return self._tree(parts[2], parts[3], parts[5])
                if len(parts) >= 5 and parts[2] == "resolve":
                    return self._resolve(parts[0], parts[1], parts[3], "/".join(parts[4:]))
                self._error(404, "EntryNotFound", "no route")

            def _revision(self, org, name, rev):
                repo = self._repo(org, name)
                if repo is None:
                    return
                if rev not in repo.revisions and rev != repo.commit:
                    return self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
                body = json.dumps({"id": repo.id, "modelId": repo.id, "sha": repo.commit,
                                   "private": False, "gated": "auto" if repo.gated else False,
                                   "siblings": [{"rfilename": p} for p in sorted(repo.files)]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _tree(self, org, name, rev):
                repo = self._repo(org, name)
                if repo is None:
                    return
                if rev not in repo.revisions and rev != repo.commit:
                    return self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
                entries = []
                for path in sorted(repo.files):
                    data = repo.files[path]
                    entry = {"type": "file", "path": path, "size": len(data), "oid": git_blob_id(data)}
                    if repo.is_lfs(path):
                        entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data),
                                        "pointerSize": 134}
                    entries.append(entry)
                body = json.dumps(entries).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _resolve(self, org, name, rev, path):
                repo = self._repo(org, name)
                if repo is None:
                    return
                if rev not in repo.revisions and rev != repo.commit:
                    return self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
                if path not in repo.files:
                    return self._error(404, "EntryNotFound", f"{path} does not exist")
                data = repo.files[path]
                if repo.is_lfs(path):
                    sha = hashlib.sha256(data).hexdigest()
                    advertised = hashlib.sha256(data + b"tampered").hexdigest() if repo.wrong_sha else sha
                    self.send_response(302)
                    self.send_header("Location", f"{hub.cdn_url}/{repo.id}/blobs/{sha}?expires=1")
                    self.send_header("X-Repo-Commit", repo.commit)
                    self.send_header("X-Linked-Etag", f'"{advertised}"')
                    self.send_header("X-Linked-Size", str(len(data)))
                    self.send_header("ETag", f'"{git_blob_id(data)}"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("X-Repo-Commit", repo.commit)
                self.send_header("ETag", f'"{git_blob_id(data)}"')
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

        return Handler

    def _cdn_handler(self):
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                hub._record("cdn", self)
                repo_id, _, sha = urllib.parse.urlsplit(self.path).path[1:].rpartition("/blobs/")
                if (repo_id, sha) not in hub.blobs:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                repo, data = hub.repos[repo_id], hub.blobs[(repo_id, sha)]
                start = 0
                if self.headers.get("Range", "").startswith("bytes="):
                    start = int(self.headers["Range"][6:].split("-")[0])
                if start >= len(data):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(data)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with hub.lock:
                    stall = repo.stall if repo.stalls_left > 0 else 0
                    repo.stalls_left -= 1 if stall else 0
                    drop = repo.drops_left > 0
                    repo.drops_left -= 1 if drop else 0
                if stall:
                    time.sleep(stall)
                body = data[start:]
                self.send_response(206 if start else 200)
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                if drop:
                    # Half of what is left, then the connection goes away.
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                for at in range(0, len(body), 65536):
                    self.wfile.write(body[at:at + 65536])
                    if repo.throttle:
                        time.sleep(repo.throttle)
        return Handler
