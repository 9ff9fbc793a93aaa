"""Kubernetes auth against a real OpenBao whose TokenReview calls go to a stand-in.

The stand-in (not Kubernetes) is a tiny loopback HTTP server playing the TokenReview
API: it approves the service-account tokens it is told about and records each one,
so the test can see that zwobs re-reads the JWT file at every login.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from tests.secrets import seed
from tests.servers.openbao import OpenBao
from tests.servers.process import free_port
from zwobs.secrets import (
    KubernetesAuth,
    SecretConfigError,
    SecretPermissionError,
    SecretsClient,
    SecretsConfig,
)
from zwobs.secrets.vault import VaultBackend

pytestmark = pytest.mark.integration


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def service_account_jwt(serial: int) -> str:
    """A JWT shaped like a projected service-account token (its signature is not checked)."""
    header = {"alg": "RS256", "typ": "JWT"}
    claims = {
        "iss": "kubernetes/serviceaccount",
        "sub": "system:serviceaccount:shop:checkout",
        "kubernetes.io/serviceaccount/namespace": "shop",
        "kubernetes.io/serviceaccount/service-account.name": "checkout",
        "kubernetes.io/serviceaccount/service-account.uid": "uid-checkout",
        "serial": serial,
    }
    parts = [_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(b"sig")]
    return ".".join(parts)


class TokenReviewStandIn:
    """A stand-in for the Kubernetes TokenReview API (named as such)."""

    def __init__(self) -> None:
        self.valid: set[str] = set()
        self.reviewed: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                token = body["spec"]["token"]
                stand_in.reviewed.append(token)
                ok = token in stand_in.valid
                status: dict[str, object] = {"authenticated": ok}
                if ok:
                    status["user"] = {
                        "username": "system:serviceaccount:shop:checkout",
                        "uid": "uid-checkout",
                        "groups": ["system:serviceaccounts"],
                    }
                raw = json.dumps(
                    {
                        "apiVersion": "authentication.k8s.io/v1",
                        "kind": "TokenReview",
                        "status": status,
                    }
                ).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def token_review() -> Iterator[TokenReviewStandIn]:
    stand_in = TokenReviewStandIn()
    yield stand_in
    stand_in.close()


def _configure(openbao: OpenBao, token_review: TokenReviewStandIn) -> None:
    root = openbao.root()
    if "kubernetes/" not in root.sys.list_auth_methods()["data"]:
        root.sys.enable_auth_method("kubernetes")
    seed.pki(root)  # any CA will do for the config: the stand-in speaks plain HTTP
    ca = root.read("pki/cert/ca")["data"]["certificate"]
    root.write(
        "auth/kubernetes/config",
        kubernetes_host=token_review.url,
        kubernetes_ca_cert=ca,
        disable_local_ca_jwt=True,
    )
    root.sys.create_or_update_policy(name="checkout", policy=seed.READ_ONLY_POLICY)
    root.write(
        "auth/kubernetes/role/checkout",
        bound_service_account_names="checkout",
        bound_service_account_namespaces="shop",
        token_policies="checkout",
        token_ttl="1h",
    )
    seed.kv_put(root, "ro/checkout", {"api_key": "k-1"})


def test_kubernetes_login_rereads_the_rotated_service_account_token(
    openbao: OpenBao, token_review: TokenReviewStandIn, tmp_path: Path
) -> None:
    _configure(openbao, token_review)
    jwt_file = tmp_path / "token"
    first, second = service_account_jwt(1), service_account_jwt(2)
    token_review.valid = {first}
    jwt_file.write_text(first)
    config = SecretsConfig(addr=openbao.addr, auth=KubernetesAuth("checkout", jwt_file=jwt_file))
    with SecretsClient(config, registry=CollectorRegistry()) as client:
        assert client.get("ro/checkout", "api_key").reveal() == "k-1"
        # The kubelet rotates the projected token; the old one stops being valid.
        token_review.valid = {second}
        jwt_file.write_text(second)
        backend = client.backend
        assert isinstance(backend, VaultBackend)
        backend._logged_in = False  # next request logs in again, as at token expiry
        assert client.get("ro/checkout", "api_key", version=1).reveal() == "k-1"
    assert token_review.reviewed[-1] == second
    assert first in token_review.reviewed


def test_kubernetes_login_rejected_is_a_clear_permission_error(
    openbao: OpenBao, token_review: TokenReviewStandIn, tmp_path: Path
) -> None:
    _configure(openbao, token_review)
    jwt_file = tmp_path / "token"
    jwt_file.write_text(service_account_jwt(3))  # not approved by the stand-in
    config = SecretsConfig(addr=openbao.addr, auth=KubernetesAuth("checkout", jwt_file=jwt_file))
    with (
        SecretsClient(config, registry=CollectorRegistry()) as client,
        pytest.raises(SecretPermissionError, match="Kubernetes login at auth/kubernetes"),
    ):
        client.get("ro/checkout")


def test_missing_service_account_token_file_is_a_config_error(
    openbao: OpenBao, tmp_path: Path
) -> None:
    config = SecretsConfig(
        addr=openbao.addr, auth=KubernetesAuth("checkout", jwt_file=tmp_path / "absent")
    )
    with (
        SecretsClient(config, registry=CollectorRegistry()) as client,
        pytest.raises(SecretConfigError, match=r"service-account token file .*absent"),
    ):
        client.get("ro/checkout")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "larger than 65536 bytes"), (b"\xff\xfe", "expected UTF-8 text"), (b"  \n", "empty")],
    ids=["endless-file", "not-text", "blank"],
)
def test_a_credential_file_that_is_no_credential_is_a_config_error_read_bounded(
    openbao: OpenBao, tmp_path: Path, content: bytes | None, message: str
) -> None:
    jwt_file = Path("/dev/zero") if content is None else tmp_path / "jwt"
    if content is not None:
        jwt_file.write_bytes(content)
    config = SecretsConfig(addr=openbao.addr, auth=KubernetesAuth("checkout", jwt_file=jwt_file))
    with (
        SecretsClient(config, registry=CollectorRegistry()) as client,
        pytest.raises(SecretConfigError, match=message),
    ):
        client.get("ro/checkout")
