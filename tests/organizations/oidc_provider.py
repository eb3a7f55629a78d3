"""A small OpenID Connect provider for the tests, standing in for ProConnect / Pro Santé Connect.

It runs in a thread on 127.0.0.1 (no internet) and serves what the platform uses: discovery,
authorize (the person is taken as already signed in at the provider: `provider.signed_in`),
token (client secret, one-use code, redirect URI and PKCE checked), JWKS and userinfo. ID tokens
are RS256-signed with a key generated at start-up.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "segur-test-client"
CLIENT_SECRET = "secret-du-client-de-test"


class LocalOidcProvider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.accounts: dict[str, dict] = {}
        self.signed_in: str | None = None  # the e-mail of the person signed in at the provider
        self.audience = CLIENT_ID  # what the ID token says it is for (tests change it)
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, str] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LocalOidcProvider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def person(self, email: str, **claims: object) -> None:
        """A person with an account at the provider, signed in there."""
        self.accounts[email] = {"sub": hashlib.sha256(email.encode()).hexdigest(), "email": email, **claims}
        self.signed_in = email

    def jwk(self) -> dict:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def id_token(self, claims: dict, nonce: str) -> str:
        now = int(time.time())
        payload = {
            "iss": self.url,
            "aud": self.audience,
            "sub": claims["sub"],
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet test output
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                provider.requests.append(url.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(
                        200,
                        {
                            "issuer": provider.url,
                            "authorization_endpoint": f"{provider.url}/authorize",
                            "token_endpoint": f"{provider.url}/token",
                            "userinfo_endpoint": f"{provider.url}/userinfo",
                            "jwks_uri": f"{provider.url}/jwks",
                            "response_types_supported": ["code"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "code_challenge_methods_supported": ["S256"],
                        },
                    )
                if url.path == "/jwks":
                    return self._json(200, {"keys": [provider.jwk()]})
                if url.path == "/authorize":
                    return self._authorize(query)
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    email = provider.access_tokens.get(token)
                    if email is None:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, provider.accounts[email])
                return self._json(404, {"error": "not_found"})

            def _authorize(self, query: dict) -> None:
                if (
                    query.get("client_id") != CLIENT_ID
                    or query.get("response_type") != "code"
                    or "openid" not in query.get("scope", "").split()
                    or query.get("code_challenge_method") != "S256"
                ):
                    return self._json(400, {"error": "invalid_request"})
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "email": provider.signed_in,
                    "nonce": query.get("nonce", ""),
                    "redirect_uri": query["redirect_uri"],
                    "challenge": query["code_challenge"],
                }
                self.send_response(302)
                back = urlencode({"code": code, "state": query["state"]})
                self.send_header("Location", f"{query['redirect_uri']}?{back}")
                self.end_headers()

            def do_POST(self) -> None:
                provider.requests.append(self.path)
                if self.path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                grant = provider.codes.pop(form.get("code", ""), None)  # a code is used once
                if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                    return self._json(401, {"error": "invalid_client"})
                verifier = form.get("code_verifier", "").encode()
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
                if (
                    grant is None
                    or form.get("grant_type") != "authorization_code"
                    or form.get("redirect_uri") != grant["redirect_uri"]
                    or challenge != grant["challenge"]
                ):
                    return self._json(400, {"error": "invalid_grant"})
                access_token = secrets.token_urlsafe(24)
                provider.access_tokens[access_token] = grant["email"]
                claims = provider.accounts[grant["email"]]
                return self._json(
                    200,
                    {
                        "access_token": access_token,
                        "token_type": "Bearer",
                        "expires_in": 60,
                        "id_token": provider.id_token(claims, grant["nonce"]),
                    },
                )

        return Handler


@pytest.fixture
def oidc_provider(settings):
    """The local provider, and the platform configured to use it (as the SEGUR_OIDC_* variables do)."""
    provider = LocalOidcProvider().start()
    settings.SEGUR_OIDC_ISSUER = provider.url
    settings.SEGUR_OIDC_CLIENT_ID = CLIENT_ID
    settings.SEGUR_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.SEGUR_OIDC_PROVIDER_NAME = "ProConnect"
    yield provider
    provider.stop()
