"""Connected sources' tokens and credential files, encrypted at rest with Fernet (cryptography).

The key comes from `KPIBOT_SECRET_KEY` (read by bot/config.py and passed in): without it nothing
secret is stored, and the refusal says how to make one. A secret is decrypted only to make a call.
"""

from __future__ import annotations

from ..errors import KpiError

MAKE_A_KEY = (
    "Set KPIBOT_SECRET_KEY to a Fernet key first; make one with\n"
    '  python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"\n'
    "and keep it safe: the stored tokens cannot be read without it."
)


class SecretKeyMissing(KpiError):
    pass


class Vault:
    def __init__(self, key: str | None) -> None:
        if not key:
            raise SecretKeyMissing("kpibot keeps a source's token encrypted. " + MAKE_A_KEY)
        from cryptography.fernet import Fernet

        try:
            self._fernet = Fernet(key.encode() if isinstance(key, str) else key)
        except (ValueError, TypeError):
            raise SecretKeyMissing(
                "KPIBOT_SECRET_KEY is not a Fernet key (32 url-safe base64 bytes). " + MAKE_A_KEY
            ) from None

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode("utf-8"))

    def open(self, sealed: bytes) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(sealed).decode("utf-8")
        except InvalidToken:
            raise KpiError(
                "A stored token cannot be decrypted with this KPIBOT_SECRET_KEY (was the key changed?). "
                "Connect the source again."
            ) from None
