"""A small local stand-in for the Hugging Face Hub: just the calls `publish` makes, recorded."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "hf_testtoken_DO_NOT_LEAK_1234567890"


def no_token_anywhere(capsys, *roots):
    """The captured output, after checking that the token is nowhere in it or in `roots`."""
    cap = capsys.readouterr()
    assert TOKEN not in cap.out and TOKEN not in cap.err
    for root in roots:
        for f in root.rglob("*"):
            if f.is_file():
                assert TOKEN.encode() not in f.read_bytes(), f
    return cap


class FakeHub:
    def __init__(self, token: str):
        self.token = token
        self.calls: list[dict] = []
        self.repos: dict[str, dict] = {}
        self.fail: dict[str, int] = {}  # step name -> HTTP status to answer, every time
        self.fail_next: dict[str, list[int]] = {}  # step name -> statuses for its next calls
        self.move_head_before_commit = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def repo(self, repo_id: str) -> dict:
        return self.repos[repo_id]

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _route(self, method: str):
                raw = self._body()
                path = self.path.split("?")[0]
                call = {"method": method, "path": path,
                        "auth": self.headers.get("authorization", "")}
                hub.calls.append(call)
                parts = path.strip("/").split("/")
                step = _step(method, parts)
                call["step"] = step
                if step in hub.fail:
                    return self._send(hub.fail[step], {"error": f"{step} refused"})
                if hub.fail_next.get(step):
                    return self._send(hub.fail_next[step].pop(0), {"error": f"{step} refused"})
                if step not in ("harness", "validate") and self.headers.get("authorization") != f"Bearer {hub.token}":
                    return self._send(401, {"error": "Invalid credentials"})
                if step == "harness":
                    return self._send(200, {})
                if step == "create":
                    body = json.loads(raw)
                    repo_id = f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
                    call["json"] = body
                    url = f"{hub.url}/datasets/{repo_id}"
                    if repo_id in hub.repos:
                        return self._send(409, {"error": "repo exists", "url": url})
                    init = hashlib.sha1(repo_id.encode()).hexdigest()
                    hub.repos[repo_id] = {"head": init, "files": {}, "tags": {}, "commits": [],
                                          "trees": {init: {}},
                                          "private": bool(body.get("private")) or body.get("visibility") == "private"}
                    return self._send(200, {"url": url, "name": repo_id})
                if step == "validate":
                    errors = card_yaml_errors(json.loads(raw).get("content", ""))
                    if errors:  # the Hub answers 400 with the problems
                        return self._send(400, {"error": "; ".join(errors)})
                    return self._send(200, {"errors": [], "warnings": []})
                repo_id = "/".join(parts[2:4])
                if repo_id not in hub.repos:
                    return self._send(404, {"error": "Repository not found"})
                repo = hub.repos[repo_id]
                if step == "info":
                    return self._send(200, {"id": repo_id, "_id": "1", "sha": repo["head"],
                                            "private": bool(repo["private"]), "siblings": [],
                                            "tags": [], "downloads": 0, "likes": 0})
                if step == "refs":
                    return self._send(200, {
                        "branches": [{"name": "main", "ref": "refs/heads/main", "targetCommit": repo["head"]}],
                        "converts": [], "pullRequests": [],
                        "tags": [{"name": t, "ref": f"refs/tags/{t}", "targetCommit": c}
                                 for t, c in repo["tags"].items()]})
                if step == "preupload":
                    body = json.loads(raw)
                    if hub.move_head_before_commit:
                        repo["head"] = hashlib.sha1(b"someone else").hexdigest()
                    return self._send(200, {"files": [
                        {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False, "oid": None}
                        for f in body["files"]]})
                if step == "commit":
                    items = [json.loads(line) for line in raw.splitlines() if line.strip()]
                    header = items[0]["value"]
                    call["header"] = header
                    if header.get("parentCommit") and header["parentCommit"] != repo["head"]:
                        return self._send(412, {"error": "A commit has happened since. Please refresh and try again."})
                    files = {i["value"]["path"]: base64.b64decode(i["value"]["content"])
                             for i in items[1:] if i["key"] == "file"}
                    deleted = [i["value"]["path"] for i in items[1:] if i["key"] == "deletedFile"]
                    call["files"] = sorted(files)
                    call["deleted"] = sorted(deleted)
                    oid = hashlib.sha1(repr(sorted(files.items())).encode() + repo["head"].encode()).hexdigest()
                    repo["commits"].append({"oid": oid, "parent": repo["head"], "header": header,
                                            "files": files, "deleted": deleted})
                    tree = {**repo["trees"][repo["head"]], **files}
                    for path in deleted:
                        tree.pop(path, None)
                    repo["trees"][oid] = tree
                    repo["files"] = tree
                    repo["head"] = oid
                    return self._send(200, {"commitUrl": f"{hub.url}/datasets/{repo_id}/commit/{oid}",
                                            "commitOid": oid, "pullRequestUrl": None})
                if step == "tree":
                    tree = repo["trees"].get(parts[5] if len(parts) > 5 else repo["head"])
                    if tree is None:
                        return self._send(404, {"error": "Revision not found"})
                    return self._send(200, [
                        {"type": "file", "path": path, "size": len(data),
                         "oid": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()}
                        for path, data in sorted(tree.items())])
                if step == "tag":
                    body = json.loads(raw)
                    call["json"] = body
                    if body["tag"] in repo["tags"]:
                        return self._send(409, {"error": "Tag already exists"})
                    repo["tags"][body["tag"]] = parts[-1]
                    repo.setdefault("tag_messages", {})[body["tag"]] = body.get("message")
                    return self._send(200, {})
                return self._send(404, {"error": f"no route {method} {path}"})

            def do_GET(self):
                self._route("GET")

            def do_POST(self):
                self._route("POST")

        return Handler


def _step(method: str, parts: list[str]) -> str:
    if parts[:2] == ["api", "agent-harnesses"]:
        return "harness"
    if parts[:3] == ["api", "repos", "create"]:
        return "create"
    if parts[:2] == ["api", "validate-yaml"]:
        return "validate"
    if len(parts) >= 5 and parts[4] in ("preupload", "commit", "tag", "refs", "tree"):
        return parts[4]
    if len(parts) >= 4 and parts[1] == "datasets":
        return "info"
    return "unknown"


SIZE_CATEGORIES = {"n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M",
                   "100M<n<1B", "1B<n<10B", "10B<n<100B", "100B<n<1T", "n>1T"}
TASK_CATEGORIES = {"translation", "text-generation", "text-classification", "fill-mask",
                   "summarization", "question-answering", "sentence-similarity"}


def card_yaml_errors(content: str) -> list[str]:
    """The dataset-card metadata rules the Hub documents (hub-docs datasetcard.md), as far
    as our cards use them: the YAML parses to a mapping; `license: other` comes with
    license_name and license_link; known task and size categories; ISO 639 language codes;
    configs with data_files and a split per file pattern."""
    import re

    import yaml

    if not content.startswith("---\n"):
        return ["no YAML metadata block"]
    try:
        meta = yaml.safe_load(content.split("---\n", 2)[1])
    except yaml.YAMLError as err:
        return [f"YAML does not parse: {err}"]
    if not isinstance(meta, dict):
        return ["metadata is not a mapping"]
    errors = []
    if meta.get("license") == "other" and not (meta.get("license_name") and meta.get("license_link")):
        errors.append("license 'other' requires license_name and license_link")
    if meta.get("license_name") and not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", meta["license_name"]):
        errors.append("license_name must be lowercase letters, digits, '.' and '-'")
    errors += [f"unknown task category {t!r}" for t in meta.get("task_categories", [])
               if t not in TASK_CATEGORIES]
    errors += [f"unknown size category {t!r}" for t in meta.get("size_categories", [])
               if t not in SIZE_CATEGORIES]
    errors += [f"language {lang!r} is not an ISO 639 code" for lang in meta.get("language", [])
               if not re.fullmatch(r"[a-z]{2,3}", lang)]
    for config in meta.get("configs", []):
        for item in config.get("data_files", []):
            if not (isinstance(item, dict) and item.get("split") and item.get("path")):
                errors.append(f"config {config.get('config_name')}: data_files need split and path")
    return errors
