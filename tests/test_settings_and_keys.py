"""Settings are read once from the environment; keys are created in development and
required in production."""

from __future__ import annotations

import pytest

from hub.errors import ConfigurationError
from hub.keys import init_keys, load_keys
from hub.settings import Settings


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
