"""Shared secrets and the leak check for the guard tests."""

from __future__ import annotations

CURRENT = "Kq7VmRtZxW2pLnYbH9sDfGcJ"
OLD = "PzR8wXnTqMvKyL3bHjSdFgQc"
UNKNOWN = "NmB4vCxZlKjHgFdSaPoIuYtR"
ALL_SECRETS = (CURRENT, OLD, UNKNOWN)
WINDOW = 5


def leaked_fragments(text: str, *secrets: str) -> list[str]:
    """Every 5-character piece of any secret that appears in `text` (empty list: nothing leaked).

    Each piece of the secrets above holds an upper-case letter, so it cannot occur by chance in the
    lower-case hex of a fingerprint.
    """
    found = []
    for secret in secrets or ALL_SECRETS:
        for start in range(len(secret) - WINDOW + 1):
            piece = secret[start : start + WINDOW]
            if piece in text:
                found.append(piece)
    return found
