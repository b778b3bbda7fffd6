"""edgeward: prove who can reach what in an AWS estate, origin by origin, principal by principal."""

__version__ = "0.1.0"
