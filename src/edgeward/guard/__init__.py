"""Runtime origin guard: ASGI and WSGI middleware that admit only requests carrying the secret origin
header CloudFront adds (an origin custom header), so the origin answers only through CloudFront.

    from edgeward.guard import OriginGuardASGI, SecretSet
    app = OriginGuardASGI(app, secrets=SecretSet.from_env("EDGEWARD_GUARD_SECRETS"), exempt_paths=["/healthz"])

Standard library only. See docs/guard.md for wiring, CloudFront configuration and secret rotation.
"""

from ._core import (
    DEFAULT_ENV_VAR,
    DEFAULT_HEADER_NAME,
    DEFAULT_MIN_SECRET_LENGTH,
    MAX_SECRET_LENGTH,
    Decision,
    GuardConfig,
    GuardConfigError,
    Reason,
    SecretSet,
    load_secrets,
)
from .asgi import OriginGuardASGI
from .wsgi import OriginGuardWSGI

__all__ = [
    "DEFAULT_ENV_VAR",
    "DEFAULT_HEADER_NAME",
    "DEFAULT_MIN_SECRET_LENGTH",
    "MAX_SECRET_LENGTH",
    "Decision",
    "GuardConfig",
    "GuardConfigError",
    "OriginGuardASGI",
    "OriginGuardWSGI",
    "Reason",
    "SecretSet",
    "load_secrets",
]
