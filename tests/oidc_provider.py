"""A minimal OpenID Connect provider for the tests, on 127.0.0.1 in a thread: discovery,
authorize (a login form, or auto-approve), token (code + PKCE S256 + client secret, an
RS256-signed ID token), JWKS and userinfo. Signed with joserfc (what authlib uses).

Knobs: ``person`` is who signs in next (its claims); ``id_token_override`` replaces claims
of the next ID token (a wrong ``nonce`` or ``aud``); ``auto_approve`` skips the form."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "motcua-test"
CLIENT_SECRET = "test-secret"

_KEY = RSAKey.generate_key(2048, parameters={"kid": "test-1", "use": "sig", "alg": "RS256"})


class Provider:
    def __init__(self) -> None:
        self.issuer = ""
        self.person: dict[str, Any] = {"sub": "vneid-sub-1"}
        self.id_token_override: dict[str, Any] = {}
        self.auto_approve = False
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.token_requests = 0

    # -- endpoints -------------------------------------------------------------------------
    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def approve(self, query: dict[str, str]) -> str:
        """The redirect back to the client, with a fresh code for ``query``'s request."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "person": dict(self.person)}
        back = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests += 1
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant.get("redirect_uri") != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if grant.get("code_challenge_method") != "S256" or challenge != grant.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        person = grant["person"]
        claims = {
            **person,
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.get("nonce", ""),
            **self.id_token_override,
        }
        id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, claims, _KEY)
        access = secrets.token_urlsafe(16)
        self.tokens[access] = person
        body = {"access_token": access, "token_type": "Bearer", "expires_in": 300}
        return 200, {**body, "id_token": id_token}


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, url: str) -> None:
            self.send_response(302)
            self.send_header("Location", url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, {"keys": [_KEY.as_dict(private=False)]})
            elif url.path == "/authorize":
                if query.get("client_id") != CLIENT_ID:
                    self._json(400, {"error": "unauthorized_client"})
                elif provider.auto_approve:
                    self._redirect(provider.approve(query))
                else:
                    self._login_page(query)
            elif url.path == "/userinfo":
                auth = self.headers.get("Authorization", "")
                person = provider.tokens.get(auth.removeprefix("Bearer "))
                if person is None:
                    self._json(401, {"error": "invalid_token"})
                else:
                    self._json(200, person)
            else:
                self._json(404, {"error": "not_found"})

        def _login_page(self, query: dict[str, str]) -> None:
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in query.items()
            )
            name = html.escape(str(provider.person.get("name", "")))
            page = (
                '<!doctype html><html lang="vi"><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width">'
                "<title>VNeID (thử nghiệm)</title><body><h1>VNeID (thử nghiệm)</h1>"
                f"<p>Đăng nhập với tư cách {name}</p>"
                f'<form method="post" action="/authorize">{hidden}'
                '<button type="submit">Xác nhận đăng nhập</button></form></body></html>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            form = self._form()
            if url.path == "/authorize":
                self._redirect(provider.approve(form))
            elif url.path == "/token":
                status, body = provider.token(form, self.headers.get("Authorization", ""))
                self._json(status, body)
            else:
                self._json(404, {"error": "not_found"})

    return Handler


@contextmanager
def oidc_provider() -> Iterator[Provider]:
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def provider_settings(provider: Provider, **extra: str) -> dict[str, str]:
    """The ``MOTCUA["OIDC"]``-shaped settings pointing at ``provider``."""
    return {
        "DISCOVERY_URL": f"{provider.issuer}/.well-known/openid-configuration",
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "SCOPES": "openid profile email phone",
        "USERINFO": "",
        "CLAIM_ID_NUMBER": "id_number",
        "CLAIM_NAME": "name",
        "CLAIM_PHONE": "phone_number",
        "CLAIM_EMAIL": "email",
        "CLAIM_USERNAME": "preferred_username",
        "MATCH": "username",
        **extra,
    }
