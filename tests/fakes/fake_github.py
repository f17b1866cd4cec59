"""A local stand-in for the parts of GitHub's REST API platformctl uses (no network).

Issue comments (list with per_page/page and Link headers, create, update) and issues (list by state and label,
create, update/close). Every request is recorded; tests queue faults (401/403/404/5xx, rate limits with
Retry-After) that are answered instead of the real thing.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "ghs_test_token_not_real_0123456789"
REPOSITORY = "octo/platform"
OIDC_REQUEST_TOKEN = "oidc_request_token_not_real"  # what a job's ACTIONS_ID_TOKEN_REQUEST_TOKEN stands for
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class Fault:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None
    path_regex: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_regex is None or re.search(self.path_regex, path) is not None
        )


class FakeGitHub:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[Fault] = []
        self.issues: dict[int, dict] = {}
        self.comments: dict[int, dict] = {}
        self.run_approvals: dict[int, list[dict]] = {}
        self._issuer: Any = None  # the OIDC issuer, made on first use (an RSA key takes a moment)
        self._next_comment_id = 1000
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-github", daemon=True
        )

    # -- test helpers ------------------------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def environ(self, **extra: str) -> dict[str, str]:
        return {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPOSITORY, "GITHUB_API_URL": self.base_url, **extra}

    def actions_environ(self, actor: str, run_id: int, *, id_token: bool = True) -> dict[str, str]:
        """A GitHub Actions job run by `actor`: with id_token, the job may fetch its OIDC token (id-token: write)
        from this fake, which signs it as GitHub's issuer would and publishes the keys to verify it."""
        env = self.environ(GITHUB_ACTIONS="true", GITHUB_ACTOR=actor, GITHUB_RUN_ID=str(run_id))
        if id_token:
            env.update(
                ACTIONS_ID_TOKEN_REQUEST_URL=f"{self.base_url}/_oidc/token?{urlencode({'actor': actor, 'run_id': run_id})}",
                ACTIONS_ID_TOKEN_REQUEST_TOKEN=OIDC_REQUEST_TOKEN,
                PLATFORMCTL_GITHUB_OIDC_JWKS_URL=f"{self.base_url}/_oidc/jwks",
            )
        return env

    def _oidc(self, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        """GitHub's OIDC issuer for a job: the token endpoint (bearer: the job's request token) and the JWKS."""
        import time

        from platform_cli.sandbox.oidc.claims import WorkflowRun, build_claims
        from platform_cli.sandbox.oidc.issuer import Issuer

        if self._issuer is None:
            self._issuer = Issuer()
        if path == "/_oidc/jwks":
            return 200, self._issuer.jwks(), {}
        if headers.get("authorization") != f"Bearer {OIDC_REQUEST_TOKEN}":
            return 401, {"message": "Bad credentials"}, {}
        run = WorkflowRun(REPOSITORY, actor=query["actor"], run_id=query["run_id"], audience=query.get("audience", ""))
        return 200, {"value": self._issuer.mint(build_claims(run, int(time.time())))}, {}

    def add_pull_request(self, number: int, title: str = "Change the platform") -> dict:
        issue = {
            "number": number,
            "title": title,
            "body": "",
            "state": "open",
            "labels": [],
            "pull_request": {"url": f"{self.base_url}/repos/{REPOSITORY}/pulls/{number}"},
        }
        self.issues[number] = issue
        return issue

    def add_comment(self, number: int, body: str) -> dict:
        with self._lock:
            return self._create_comment(number, body)

    def fail(
        self,
        status: int,
        message: str = "",
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        method: str | None = None,
        path_regex: str | None = None,
    ) -> None:
        body = {
            "message": message
            or {401: "Bad credentials", 403: "Resource not accessible by integration", 404: "Not Found"}.get(
                status, "Server Error"
            ),
            "documentation_url": "https://docs.github.com/rest",
        }
        for _ in range(times):
            self.faults.append(Fault(status, body, headers or {}, method, path_regex))

    def rate_limit(self, *, status: int = 403, retry_after: int = 7, method: str | None = None) -> None:
        self.fail(
            status,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            headers={"Retry-After": str(retry_after)},
            method=method,
        )

    def add_run_approval(self, run_id: int, login: str, environment: str, state: str = "approved") -> None:
        """A review of a deployment to a protected environment, as GET .../actions/runs/{id}/approvals lists it."""
        self.run_approvals.setdefault(run_id, []).append(
            {
                "state": state,
                "comment": "",
                "user": {"login": login, "id": abs(hash(login)) % 10**6},
                "environments": [{"name": environment}],
            }
        )

    def comments_on(self, number: int) -> list[dict]:
        return [c for c in self.comments.values() if c["issue_number"] == number]

    def calls(self, method: str | None = None, path_regex: str = "") -> list[Request]:
        return [r for r in self.requests if (method is None or r.method == method) and re.search(path_regex, r.path)]

    # -- the API ----------------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _comment_json(self, c: dict) -> dict:
        return {
            "id": c["id"],
            "body": c["body"],
            "user": BOT,
            "node_id": f"IC_{c['id']}",
            "url": self._url(f"/repos/{REPOSITORY}/issues/comments/{c['id']}"),
            "html_url": f"https://github.example/{REPOSITORY}/pull/{c['issue_number']}#issuecomment-{c['id']}",
            "issue_url": self._url(f"/repos/{REPOSITORY}/issues/{c['issue_number']}"),
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        }

    def _issue_json(self, i: dict) -> dict:
        data = {
            "number": i["number"],
            "id": 5000 + i["number"],
            "title": i["title"],
            "body": i["body"],
            "state": i["state"],
            "labels": [{"name": n} for n in i["labels"]],
            "user": BOT,
            "url": self._url(f"/repos/{REPOSITORY}/issues/{i['number']}"),
            "html_url": f"https://github.example/{REPOSITORY}/issues/{i['number']}",
        }
        if i.get("pull_request"):
            data["pull_request"] = i["pull_request"]
        return data

    def _create_comment(self, number: int, body: str) -> dict:
        self._next_comment_id += 1
        comment = {"id": self._next_comment_id, "issue_number": number, "body": body}
        self.comments[comment["id"]] = comment
        return comment

    def _page(self, path: str, query: dict[str, str], items: list[dict]) -> tuple[list[dict], dict[str, str]]:
        per_page = max(1, min(int(query.get("per_page", 30)), 100))
        page = max(1, int(query.get("page", 1)))
        last = max(1, -(-len(items) // per_page))
        links = []
        for rel, n in (("prev", page - 1), ("next", page + 1), ("first", 1), ("last", last)):
            if 1 <= n <= last and (rel not in ("first", "last") or page != n):
                links.append(f'<{self._url(path)}?{urlencode({**query, "page": n})}>; rel="{rel}"')
        return items[(page - 1) * per_page : page * per_page], ({"Link": ", ".join(links)} if links else {})

    def handle(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.requests.append(Request(method, path, query, headers, body))
            for fault in self.faults:
                if fault.matches(method, path):
                    self.faults.remove(fault)
                    return fault.status, fault.body, fault.headers
            if path.startswith("/_oidc/"):
                return self._oidc(path, query, headers)
            auth = headers.get("authorization", "")
            if auth not in (f"token {TOKEN}", f"Bearer {TOKEN}"):
                return 401, {"message": "Bad credentials"}, {}
            prefix = f"/repos/{REPOSITORY}"
            if not path.startswith(prefix):
                return 404, {"message": "Not Found"}, {}
            rest = path[len(prefix) :]
            if rest == "" and method == "GET":
                return 200, {"full_name": REPOSITORY, "name": REPOSITORY.split("/")[1], "url": self._url(prefix)}, {}
            if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
                number = int(m.group(1))
                if number not in self.issues:
                    return 404, {"message": "Not Found"}, {}
                if method == "GET":
                    items = sorted(self.comments_on(number), key=lambda c: c["id"])
                    page, link = self._page(path, query, [self._comment_json(c) for c in items])
                    return 200, page, link
                if method == "POST":
                    return 201, self._comment_json(self._create_comment(number, body["body"])), {}
            if m := re.fullmatch(r"/issues/comments/(\d+)", rest):
                comment = self.comments.get(int(m.group(1)))
                if comment is None:
                    return 404, {"message": "Not Found"}, {}
                if method == "PATCH":
                    comment["body"] = body["body"]
                return 200, self._comment_json(comment), {}
            if m := re.fullmatch(r"/actions/runs/(\d+)/approvals", rest):
                if method == "GET":
                    return 200, list(self.run_approvals.get(int(m.group(1)), [])), {}
            if rest == "/issues":
                if method == "GET":
                    state, labels = query.get("state", "open"), [x for x in query.get("labels", "").split(",") if x]
                    items = [
                        i
                        for n, i in sorted(self.issues.items(), reverse=True)
                        if (state == "all" or i["state"] == state) and all(x in i["labels"] for x in labels)
                    ]
                    page, link = self._page(path, query, [self._issue_json(i) for i in items])
                    return 200, page, link
                if method == "POST":
                    number = max(self.issues, default=0) + 1
                    self.issues[number] = {
                        "number": number,
                        "title": body["title"],
                        "body": body.get("body", ""),
                        "state": "open",
                        "labels": list(body.get("labels", [])),
                    }
                    return 201, self._issue_json(self.issues[number]), {}
            if m := re.fullmatch(r"/issues/(\d+)", rest):
                issue = self.issues.get(int(m.group(1)))
                if issue is None:
                    return 404, {"message": "Not Found"}, {}
                if method == "PATCH":
                    for key in ("title", "body", "state"):
                        if key in body:
                            issue[key] = body[key]
                    if "labels" in body:
                        issue["labels"] = list(body["labels"])
                return 200, self._issue_json(issue), {}
            return 404, {"message": "Not Found"}, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this, Nagle + delayed ACK add ~40 ms a request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _serve(self) -> None:
                split = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(split.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, extra = fake.handle(self.command, split.path, query, headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _serve

        return Handler
