"""Secret handling: origin header values never leave edgeward, only their fingerprints do."""

from __future__ import annotations

import hashlib


def fingerprint(secret: str | bytes) -> str:
    """A short, stable, non-reversible label for a secret: `sha256:` and 8 hex digits."""
    data = secret.encode("utf-8") if isinstance(secret, str) else secret
    return "sha256:" + hashlib.sha256(data).hexdigest()[:8]
