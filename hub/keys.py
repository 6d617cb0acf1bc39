"""The hub's secrets on disk (HUB_KEYS_DIR): token/report signing keys and the PII keys.

    signing.json  {"keys": [private JWK, ...]}  newest first; the first one signs, all verify
    pii.json      {"hmac_key": b64, "enc_key": b64}

`hub keys init` writes them; development creates them on first run; production refuses to
start without them (a fresh key would make every stored ID number unreadable).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from joserfc.jwk import ECKey, KeySet

from hub.errors import ConfigurationError
from hub.settings import Settings

SIGNING_FILE = "signing.json"
PII_FILE = "pii.json"


@dataclass(frozen=True)
class PiiKeys:
    hmac_key: bytes
    enc_key: bytes


@dataclass(frozen=True)
class Keys:
    signing: KeySet
    current_signing: ECKey
    pii: PiiKeys

    def public_jwks(self) -> dict[str, object]:
        return dict(self.signing.as_dict(private=False))


def init_keys(keys_dir: Path) -> bool:
    """Create missing key files. Returns True if anything was created; never overwrites."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(keys_dir, 0o700)
    created = False
    signing = keys_dir / SIGNING_FILE
    if not signing.exists():
        _write_secret(signing, {"keys": [_new_signing_key().as_dict(private=True)]})
        created = True
    pii = keys_dir / PII_FILE
    if not pii.exists():
        _write_secret(
            pii,
            {
                "hmac_key": base64.b64encode(secrets.token_bytes(32)).decode(),
                "enc_key": base64.b64encode(secrets.token_bytes(32)).decode(),
            },
        )
        created = True
    return created


def rotate_signing_key(keys_dir: Path) -> str:
    """A new current signing key; older keys stay (public in the JWKS) so tokens and reports
    they signed still verify. Returns the new key's kid."""
    path = keys_dir / SIGNING_FILE
    if not path.exists():
        raise ConfigurationError(
            f"no signing keys in {keys_dir}; run `hub keys init` first", field="HUB_KEYS_DIR"
        )
    document = json.loads(path.read_text())
    key = _new_signing_key()
    document["keys"] = [key.as_dict(private=True), *document["keys"]]
    _write_secret(path, document)
    return str(key.kid)


def load_keys(settings: Settings) -> Keys:
    keys_dir = settings.keys_dir
    missing = [name for name in (SIGNING_FILE, PII_FILE) if not (keys_dir / name).exists()]
    if missing:
        if settings.is_production:
            raise ConfigurationError(
                f"keys missing in HUB_KEYS_DIR={keys_dir}: {', '.join(missing)}. "
                "Run `hub keys init` once (and back the directory up), or point HUB_KEYS_DIR "
                "at the existing keys.",
                field="HUB_KEYS_DIR",
            )
        init_keys(keys_dir)
    try:
        signing_doc = json.loads((keys_dir / SIGNING_FILE).read_text())
        pii_doc = json.loads((keys_dir / PII_FILE).read_text())
        signing_keys = [ECKey.import_key(k) for k in signing_doc["keys"]]
        pii = PiiKeys(base64.b64decode(pii_doc["hmac_key"]), base64.b64decode(pii_doc["enc_key"]))
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigurationError(
            f"cannot read keys in HUB_KEYS_DIR={keys_dir}: {exc}", field="HUB_KEYS_DIR"
        ) from exc
    if not signing_keys or len(pii.enc_key) != 32 or len(pii.hmac_key) < 32:
        raise ConfigurationError(
            f"keys in HUB_KEYS_DIR={keys_dir} are malformed", field="HUB_KEYS_DIR"
        )
    return Keys(signing=KeySet(list(signing_keys)), current_signing=signing_keys[0], pii=pii)


def _new_signing_key() -> ECKey:
    kid = datetime.now(UTC).strftime("%Y%m%d") + "-" + secrets.token_hex(4)
    return ECKey.generate_key(
        "P-256", parameters={"kid": kid, "alg": "ES256", "use": "sig"}, private=True
    )


def _write_secret(path: Path, document: dict[str, object]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle, indent=2)
    tmp.replace(path)
