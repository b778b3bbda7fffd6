"""The dated copy of CloudFront's origin-facing address ranges (AWS ip-ranges.json excerpt).

Used only when a snapshot names the AWS-managed list `com.amazonaws.global.cloudfront.origin-facing`
without its entries; every output that relies on it says so.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from edgeward.model.network import PrefixList

ORIGIN_FACING_NAMES = {
    "com.amazonaws.global.cloudfront.origin-facing": "ip_prefix",
    "com.amazonaws.global.ipv6.cloudfront.origin-facing": "ipv6_prefix",
}


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    text = resources.files("edgeward.data").joinpath("aws-ip-ranges-cloudfront.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


def dated_copy_date() -> str:
    return str(_data().get("createDate", "unknown"))


def origin_facing_cidrs(family_key: str) -> tuple[str, ...]:
    """CLOUDFRONT_ORIGIN_FACING prefixes of one family (`ip_prefix` or `ipv6_prefix`)."""
    data = _data()
    bucket = data["prefixes"] if family_key == "ip_prefix" else data["ipv6_prefixes"]
    assert isinstance(bucket, list)
    return tuple(p[family_key] for p in bucket if p.get("service") == "CLOUDFRONT_ORIGIN_FACING")


def fill_from_dated_copy(prefix_list: PrefixList) -> PrefixList:
    """Give an entry-less CloudFront origin-facing list the dated entries, marked as such."""
    key = ORIGIN_FACING_NAMES.get(prefix_list.name)
    if key is None or prefix_list.cidrs:
        return prefix_list
    return replace(prefix_list, cidrs=origin_facing_cidrs(key), from_dated_copy=True)
