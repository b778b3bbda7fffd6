"""What an audit is configured with: pure values, validated by `edgeward.config` when read from a file."""

from __future__ import annotations

from dataclasses import dataclass, field

from edgeward.algebra.addresses import Addresses
from edgeward.rules.base import Severity, Suppression

# Remote administration: SSH, RDP, Telnet, VNC, WinRM (HTTP and HTTPS).
ADMIN_PORTS: tuple[int, ...] = (22, 3389, 23, 5900, 5985, 5986)
# Databases, caches and search: MySQL/MariaDB/Aurora, PostgreSQL, SQL Server (+ browser), Oracle,
# MongoDB, Redis, Elasticsearch/OpenSearch (HTTP, transport), Memcached, CouchDB, Cassandra (CQL,
# inter-node), etcd (client, peer), Kibana.
DATABASE_PORTS: tuple[int, ...] = (
    3306,
    5432,
    1433,
    1434,
    1521,
    27017,
    27018,
    6379,
    9200,
    9300,
    11211,
    5984,
    9042,
    7000,
    7001,
    2379,
    2380,
    5601,
)

PORT_NAMES: dict[int, str] = {
    22: "SSH",
    23: "Telnet",
    3389: "RDP",
    5900: "VNC",
    5985: "WinRM",
    5986: "WinRM over HTTPS",
    3306: "MySQL",
    5432: "PostgreSQL",
    1433: "SQL Server",
    1434: "SQL Server browser",
    1521: "Oracle",
    27017: "MongoDB",
    27018: "MongoDB shard",
    6379: "Redis",
    9200: "Elasticsearch/OpenSearch",
    9300: "Elasticsearch transport",
    11211: "Memcached",
    5984: "CouchDB",
    9042: "Cassandra",
    7000: "Cassandra inter-node",
    7001: "Cassandra inter-node TLS",
    2379: "etcd",
    2380: "etcd peer",
    5601: "Kibana",
}


@dataclass(frozen=True, slots=True)
class Quotas:
    """AWS quota values (defaults as documented; set yours when AWS raised them for you)."""

    rules_per_group: int = 60  # inbound or outbound, per address family
    groups_per_interface: int = 5  # adjustable up to 16
    rules_times_groups: int = 1000
    nacl_entries: int = 20  # per direction and address family, including the default `*` entry


@dataclass(frozen=True, slots=True)
class TagPolicy:
    """Naming and tagging policy for security groups; empty means no policy (the rule finds nothing)."""

    required_tags: tuple[str, ...] = ()
    name_pattern: str | None = None  # a Python regular expression the whole group name must match

    @property
    def configured(self) -> bool:
        return bool(self.required_tags) or self.name_pattern is not None


@dataclass(frozen=True, slots=True)
class Settings:
    disabled: frozenset[str] = frozenset()
    enabled: frozenset[str] = frozenset()  # rules that are off by default, turned on
    severity_overrides: tuple[tuple[str, Severity], ...] = ()
    trusted_admin_cidrs: Addresses = field(default_factory=Addresses)
    trusted_admin_text: tuple[str, ...] = ()
    admin_ports: tuple[int, ...] = ADMIN_PORTS
    database_ports: tuple[int, ...] = DATABASE_PORTS
    wide_port_range: int = 256  # a TCP/UDP rule spanning more ports than this is "wide"
    large_cidr_v4: int = 16  # a public IPv4 peer with this prefix length or shorter is "large"
    large_cidr_v6: int = 32
    quotas: Quotas = field(default_factory=Quotas)
    tag_policy: TagPolicy = field(default_factory=TagPolicy)
    suppressions: tuple[Suppression, ...] = ()
    iam_allowed_principals: tuple[str, ...] = ()  # ARN patterns (fnmatch) EW401/EW402 accept
    source: str = ""  # the configuration file, when one was read

    def severity_for(self, rule_id: str) -> Severity | None:
        for rid, severity in self.severity_overrides:
            if rid == rule_id:
                return severity
        return None

    def is_enabled(self, rule_id: str, by_default: bool) -> bool:
        if rule_id in self.disabled:
            return False
        return by_default or rule_id in self.enabled


def port_label(port: int) -> str:
    name = PORT_NAMES.get(port)
    return f"{name} (tcp {port})" if name else f"tcp {port}"
