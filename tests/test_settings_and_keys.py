"""Settings are read once from the environment; keys are created in development and
required in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import ConfigurationError
from hub.keys import init_keys, load_keys
from hub.settings import Settings, TrustedIssuer


def test_defaults_are_the_embedded_sqlite_database_in_development():
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite+aiosqlite:///./hub.db"
    assert settings.env == "development"
    assert str(settings.keys_dir) == ".hub-keys"


def test_plain_database_urls_get_the_async_driver():
    settings = Settings.from_env({"HUB_DATABASE_URL": "postgresql://hub:secret@db/hub"})
    assert settings.database_url == "postgresql+asyncpg://hub:secret@db/hub"


def test_the_database_password_never_appears_in_repr():
    settings = Settings.from_env({"HUB_DATABASE_URL": "postgresql://hub:s3cret@db/hub"})
    assert "s3cret" not in repr(settings)
    assert "hub:***@db/hub" in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value"), [("HUB_ENV", "staging"), ("HUB_TOKEN_LIFETIME", "-5")]
)
def test_bad_values_name_the_variable(variable, value):
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({variable: value})
    assert raised.value.field == variable


def test_development_creates_missing_keys(tmp_path):
    keys = load_keys(Settings(keys_dir=tmp_path / "keys"))
    assert keys.current_signing.kid
    assert len(keys.pii.enc_key) == 32
    assert (tmp_path / "keys" / "signing.json").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_keys(tmp_path):
    settings = Settings(env="production", keys_dir=tmp_path / "none")
    with pytest.raises(ConfigurationError) as raised:
        load_keys(settings)
    assert "hub keys init" in raised.value.message
    assert not (tmp_path / "none").exists()


def test_keys_init_never_overwrites(tmp_path):
    assert init_keys(tmp_path) is True
    before = (tmp_path / "pii.json").read_bytes()
    assert init_keys(tmp_path) is False
    assert (tmp_path / "pii.json").read_bytes() == before


def test_an_external_issuer_is_trusted_with_its_jwks_url_or_file():
    by_url = Settings.from_env(
        {
            "HUB_EXTERNAL_ISSUER": "https://idp.example/r",
            "HUB_EXTERNAL_JWKS": "https://idp.example/certs",
        }
    ).external_issuer
    assert by_url is not None
    assert (by_url.jwks_url, by_url.jwks_file) == ("https://idp.example/certs", None)
    assert by_url.audience == "urn:zhengwu-credit-hub"  # the hub's own issuer by default
    by_file = Settings.from_env(
        {
            "HUB_EXTERNAL_ISSUER": "https://idp.example/r",
            "HUB_EXTERNAL_JWKS": "/etc/hub/idp-jwks.json",
            "HUB_EXTERNAL_AUDIENCE": "hub-api",
        }
    ).external_issuer
    assert by_file is not None
    assert (by_file.jwks_url, str(by_file.jwks_file), by_file.audience) == (
        None,
        "/etc/hub/idp-jwks.json",
        "hub-api",
    )
    assert Settings.from_env({}).external_issuer is None


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"HUB_EXTERNAL_ISSUER": "https://idp.example/r"}, "HUB_EXTERNAL_JWKS"),
        ({"HUB_EXTERNAL_JWKS": "https://idp.example/certs"}, "HUB_EXTERNAL_ISSUER"),
        ({"HUB_EXTERNAL_AUDIENCE": "hub-api"}, "HUB_EXTERNAL_ISSUER"),
        (
            {"HUB_EXTERNAL_ISSUER": "urn:zhengwu-credit-hub", "HUB_EXTERNAL_JWKS": "j.json"},
            "HUB_EXTERNAL_ISSUER",
        ),
        (
            {
                "HUB_ENV": "production",
                "HUB_EXTERNAL_ISSUER": "https://idp",
                "HUB_EXTERNAL_JWKS": "http://idp/certs",
            },
            "HUB_EXTERNAL_JWKS",
        ),
    ],
)
def test_an_incomplete_external_issuer_names_the_missing_variable(environ, variable):
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env(environ)
    assert raised.value.field == variable
    assert variable in raised.value.message


def test_the_external_issuer_is_shown_in_repr_without_a_jwks_password():
    settings = Settings.from_env(
        {
            "HUB_EXTERNAL_ISSUER": "https://idp.example/r",
            "HUB_EXTERNAL_JWKS": "https://hub:s3cret@idp.example/certs",
        }
    )
    assert "s3cret" not in repr(settings)
    assert "external_issuer=TrustedIssuer('https://idp.example/r'" in repr(settings)


def test_a_trusted_issuer_has_a_jwks_url_or_a_jwks_file():
    for url, file in ((None, None), ("https://idp/certs", Path("jwks.json"))):
        with pytest.raises(ConfigurationError) as raised:
            TrustedIssuer("https://idp", "hub", jwks_url=url, jwks_file=file)
        assert raised.value.field == "HUB_EXTERNAL_JWKS"
