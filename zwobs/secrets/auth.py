"""Auth methods: how a token is obtained, and whether it can be obtained again (re-login).

Credentials read from files (AppRole secret_id, Kubernetes service-account JWT) are
re-read at every login: both are rotated by the platform while the service runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from zwobs.secrets.errors import SecretConfigError
from zwobs.secrets.value import SecretValue
from zwobs.yamlread import YamlInputError, read_text

if TYPE_CHECKING:
    import hvac

__all__ = ["AppRoleAuth", "Auth", "KubernetesAuth", "LoginResult", "TokenAuth"]


@dataclass(frozen=True)
class LoginResult:
    """A token and what the server said about its life."""

    token: SecretValue
    ttl: float
    """Seconds the token lives from now; 0 means it never expires (e.g. a root token)."""
    renewable: bool


class Auth(Protocol):
    """An auth method. ``can_login`` is False when a lost token cannot be replaced."""

    @property
    def can_login(self) -> bool: ...

    def describe(self) -> str: ...

    def login(self, client: hvac.Client) -> LoginResult: ...


def _from_auth_block(response: Any) -> LoginResult:
    auth = response["auth"]
    return LoginResult(
        token=SecretValue(str(auth["client_token"])),
        ttl=float(auth.get("lease_duration") or 0),
        renewable=bool(auth.get("renewable")),
    )


MAX_CREDENTIAL_BYTES = 64 * 1024
"""A secret_id or service-account JWT is a few KB; a larger file (say /dev/zero) is refused."""


def _read_credential_file(path: Path, what: str) -> SecretValue:
    try:
        text = read_text(path, max_bytes=MAX_CREDENTIAL_BYTES).strip()
    except YamlInputError as exc:  # unreadable, too large (say /dev/zero) or not UTF-8
        raise SecretConfigError(f"{what} file {path}: {exc.message}") from None
    if not text:
        raise SecretConfigError(f"{what} file {path}: expected a credential, the file is empty")
    return SecretValue(text)


@dataclass(frozen=True)
class TokenAuth:
    """A token given from outside (VAULT_TOKEN); renewable, but never replaceable by zwobs."""

    token: SecretValue
    can_login: ClassVar[bool] = False

    def describe(self) -> str:
        return "token auth (VAULT_TOKEN)"

    def login(self, client: hvac.Client) -> LoginResult:
        client.token = self.token.reveal()
        data = client.auth.token.lookup_self()["data"]
        return LoginResult(
            token=self.token, ttl=float(data.get("ttl") or 0), renewable=bool(data.get("renewable"))
        )


@dataclass(frozen=True)
class AppRoleAuth:
    """AppRole: role_id plus a secret_id given directly or read from a file at each login."""

    role_id: str
    secret_id: SecretValue | None = None
    secret_id_file: Path | None = None
    mount: str = "approle"
    can_login: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.secret_id is not None and self.secret_id_file is not None:
            raise SecretConfigError("AppRole: give secret_id or secret_id_file, not both")

    def describe(self) -> str:
        return f"AppRole login at auth/{self.mount}"

    def login(self, client: hvac.Client) -> LoginResult:
        secret_id = self.secret_id
        if self.secret_id_file is not None:
            secret_id = _read_credential_file(self.secret_id_file, "AppRole secret_id")
        response = client.auth.approle.login(
            role_id=self.role_id,
            secret_id=secret_id.reveal() if secret_id is not None else None,
            use_token=False,
            mount_point=self.mount,
        )
        return _from_auth_block(response)


@dataclass(frozen=True)
class KubernetesAuth:
    """Kubernetes: the service-account JWT is re-read at every login (projected tokens rotate)."""

    role: str
    jwt_file: Path = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")
    mount: str = "kubernetes"
    can_login: ClassVar[bool] = True
    DEFAULT_JWT_FILE: ClassVar[Path] = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")

    def describe(self) -> str:
        return f"Kubernetes login at auth/{self.mount} (role {self.role!r})"

    def login(self, client: hvac.Client) -> LoginResult:
        jwt = _read_credential_file(self.jwt_file, "Kubernetes service-account token")
        response = client.auth.kubernetes.login(
            self.role, jwt.reveal(), use_token=False, mount_point=self.mount
        )
        return _from_auth_block(response)
