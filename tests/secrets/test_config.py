from __future__ import annotations

from pathlib import Path

import pytest

from zwobs.secrets import (
    AppRoleAuth,
    KubernetesAuth,
    SecretConfigError,
    SecretsConfig,
    TokenAuth,
)


def test_no_vault_addr_selects_the_file_provider_with_the_given_default_file() -> None:
    config = SecretsConfig.from_env({}, file=Path("examples/secrets.yaml"))
    assert config.addr is None and config.auth is None
    assert config.file == Path("examples/secrets.yaml")


def test_zwobs_secrets_file_overrides_the_default_file() -> None:
    config = SecretsConfig.from_env({"ZWOBS_SECRETS_FILE": "/etc/app/secrets.yaml"}, file=Path("x"))
    assert config.file == Path("/etc/app/secrets.yaml")


def test_standard_vault_variables_configure_address_token_namespace_and_tls() -> None:
    config = SecretsConfig.from_env(
        {
            "VAULT_ADDR": "https://vault.internal:8200",
            "VAULT_TOKEN": "tok",
            "VAULT_NAMESPACE": "team-a",
            "VAULT_CACERT": "/etc/ca.pem",
            "VAULT_CLIENT_CERT": "/etc/c.pem",
            "VAULT_CLIENT_KEY": "/etc/k.pem",
            "ZWOBS_SECRETS_KV_MOUNT": "kv",
            "ZWOBS_SECRETS_TTL": "30s",
            "ZWOBS_SECRETS_MAX_STALENESS": "600",
        }
    )
    assert config.addr == "https://vault.internal:8200"
    assert isinstance(config.auth, TokenAuth) and config.auth.token.reveal() == "tok"
    assert config.namespace == "team-a"
    assert config.verify == "/etc/ca.pem"
    assert config.client_cert == ("/etc/c.pem", "/etc/k.pem")
    assert (config.kv_mount, config.ttl, config.max_staleness) == ("kv", 30.0, 600.0)


def test_vault_skip_verify_disables_tls_verification() -> None:
    env = {"VAULT_ADDR": "https://v:8200", "VAULT_TOKEN": "t", "VAULT_SKIP_VERIFY": "true"}
    assert SecretsConfig.from_env(env).verify is False


def test_approle_from_env_takes_secret_id_from_a_file() -> None:
    config = SecretsConfig.from_env(
        {
            "VAULT_ADDR": "http://127.0.0.1:8200",
            "ZWOBS_VAULT_ROLE_ID": "role-1",
            "ZWOBS_VAULT_SECRET_ID_FILE": "/run/secret-id",
            "ZWOBS_VAULT_AUTH_MOUNT": "ar",
        }
    )
    assert config.auth == AppRoleAuth("role-1", secret_id_file=Path("/run/secret-id"), mount="ar")


def test_kubernetes_from_env_defaults_to_the_service_account_token_file() -> None:
    config = SecretsConfig.from_env({"VAULT_ADDR": "http://v:1", "ZWOBS_VAULT_K8S_ROLE": "app"})
    assert isinstance(config.auth, KubernetesAuth)
    assert config.auth.jwt_file == Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


_TOKEN = {"VAULT_ADDR": "http://v:1", "VAULT_TOKEN": "t"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VAULT_ADDR": "http://v:1"}, "no auth is configured"),
        ({"VAULT_ADDR": "vault:8200", "VAULT_TOKEN": "t"}, "expected an http:// or https:// URL"),
        ({"VAULT_ADDR": "http://v:1", "ZWOBS_VAULT_AUTH": "ldap"}, "expected token, approle or"),
        (
            {"VAULT_ADDR": "http://v:1", "VAULT_TOKEN": "t", "ZWOBS_SECRETS_TTL": "soon"},
            "ZWOBS_SECRETS_TTL",
        ),
        (
            {"VAULT_ADDR": "http://v:1", "VAULT_TOKEN": "t", "VAULT_CLIENT_CERT": "c"},
            "set together",
        ),
        ({"ZWOBS_SECRETS_TTL": "0"}, "ZWOBS_SECRETS_TTL='0': expected seconds > 0"),
        ({"ZWOBS_SECRETS_TTL": "-5"}, "ZWOBS_SECRETS_TTL='-5': expected seconds > 0"),
        ({"ZWOBS_SECRETS_MAX_STALENESS": "1x"}, "ZWOBS_SECRETS_MAX_STALENESS='1x'"),
        ({"ZWOBS_SECRETS_RETRIES": "2.5"}, "ZWOBS_SECRETS_RETRIES='2.5': expected a whole number"),
        ({"VAULT_SKIP_VERIFY": "maybe"}, "VAULT_SKIP_VERIFY='maybe': expected one of 1, true"),
    ],
)
def test_bad_configuration_gets_a_clear_error_naming_the_variable(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SecretConfigError, match=message):
        SecretsConfig.from_env(env)


def test_config_errors_never_echo_the_token() -> None:
    with pytest.raises(SecretConfigError) as info:
        SecretsConfig.from_env({"VAULT_ADDR": "vault", "VAULT_TOKEN": "hvs.very-secret"})
    assert "hvs.very-secret" not in str(info.value)


def test_secrets_settings_read_seconds_with_units_and_booleans_by_the_shared_rule() -> None:
    config = SecretsConfig.from_env(
        {
            "ZWOBS_SECRETS_TTL": "2m",
            "ZWOBS_SECRETS_MAX_STALENESS": "0",
            "VAULT_CLIENT_TIMEOUT": "1500ms",
            "VAULT_SKIP_VERIFY": "off",
        }
    )
    assert (config.ttl, config.max_staleness, config.timeout) == (120.0, 0.0, 1.5)
    assert config.verify is True
