"""The staff login: salted password hashes and the check the staff app's login calls.

A password is stored as ``scrypt$<n>$<r>$<p>$<salt>$<hash>`` (salt and hash in URL-safe
base64), made with :func:`hash_password` (``assistant staff-hash``). The user name and the
hash come from the environment (``ASSISTANT_STAFF_USER``, ``ASSISTANT_STAFF_PASSWORD_HASH``)
or from a file it names (``ASSISTANT_STAFF_CREDENTIALS_FILE``, lines ``user:hash``), never
from a default: with none configured, :func:`staff_login` is None and the staff area is off.

Hashes are compared in constant time, and one check runs at a time (scrypt takes a core and
16 MB for about 0.1 s), so that a flood of logins cannot take both cores from the citizens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEME = "scrypt"
# scrypt's cost: 2**14 rounds of 8 blocks (16 MB), the interactive-login values of its paper
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
MAX_MEMORY = 64 * 1024 * 1024
_CHECK = threading.Lock()  # one scrypt at a time

Login = Callable[[str, str], bool]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=length
    )


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of ``password``: scheme, cost, a fresh random salt and the hash."""
    if not password:
        raise ValueError("the password is empty")
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = _scrypt(password, salt, N, R, P, HASH_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` hashes to ``stored`` (False for a malformed ``stored``)."""
    try:
        scheme, n, r, p, salt, digest = stored.strip().split("$")
        if scheme != SCHEME:
            return False
        expected = _unb64(digest)
        with _CHECK:
            given = _scrypt(password, _unb64(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(given, expected)


def _from_file(path: Path) -> dict[str, str]:
    """``user:hash`` lines of ``path`` (blank lines and ``#`` comments skipped)."""
    users: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and ":" in line:
            user, _, stored = line.partition(":")
            users[user.strip()] = stored.strip()
    return users


def staff_users(settings: Any) -> dict[str, str]:
    """The staff accounts configured: user name → stored hash (none: the area is off)."""
    users: dict[str, str] = {}
    path = getattr(settings, "staff_credentials_file", None)
    if path:
        try:
            users.update(_from_file(Path(path)))
        except OSError as exc:
            log.error("staff credentials file unreadable: %s", type(exc).__name__)
    secret = getattr(settings, "staff_password_hash", None)
    stored = secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret or ""
    user = getattr(settings, "staff_user", "") or ""
    if user and stored:
        users[user] = stored
    return {u: h for u, h in users.items() if u and h}


def staff_login(settings: Any) -> Login | None:
    """The login check of the staff app, or None when no staff account is configured."""
    users = staff_users(settings)
    if not users:
        return None
    # an unknown user costs a hash as well, so the time does not tell which names exist
    decoy = hash_password("decoy", salt=b"\0" * SALT_BYTES)

    def login(username: str, password: str) -> bool:
        name = (username or "").encode("utf-8")
        same = [h for u, h in users.items() if hmac.compare_digest(u.encode("utf-8"), name)]
        stored = same[0] if same else None
        ok = verify_password(password or "", stored or decoy)
        return ok and stored is not None

    return login
