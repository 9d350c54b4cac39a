# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vpc role's layout decisions: CIDR checks, derived subnets, which subnet goes in which AZ,
how many NAT gateways and which one each AZ routes through. Plain functions (stdlib ``ipaddress``),
exposed to the role as filters (plugins/filter/vpc.py)."""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming

# AWS accepts IPv4 VPC and subnet CIDR blocks from /16 to /28 (VPC User Guide, "VPC CIDR blocks").
PREFIX_MIN = 16
PREFIX_MAX = 28
TIERS = naming.NETWORK_TIERS
# Derived layout: the VPC is cut into 16 blocks (prefix + 4); each tier owns 4 of them, one per AZ.
BLOCK_BITS = 4
TIER_FIRST_BLOCK = {"public": 0, "app": 4, "data": 8}
MAX_DERIVED_AZS = 4
# A derived subnet must still be /28 or larger.
MAX_DERIVED_VPC_PREFIX = PREFIX_MAX - BLOCK_BITS
NAT_MODES = ("per_az", "single")

_CIDR = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/[0-9]{1,2}$")


class LayoutError(ValueError):
    """An argument the role's argument spec should have refused."""


def parse_cidr(var, value, prefixes=(PREFIX_MIN, PREFIX_MAX)):
    """``(network, None)`` for a valid CIDR, ``(None, message naming var)`` otherwise.

    ``prefixes``: the prefix lengths allowed, by default those of a VPC or subnet; a security group rule
    takes any from /0 to /32 (the alb role's ingress CIDRs)."""
    text = str(value)
    if not _CIDR.match(text):
        return None, f"{var}: {text} is not an IPv4 CIDR such as 10.0.0.0/16"
    address, prefix = text.split("/")
    prefix = int(prefix)
    try:
        network = ipaddress.IPv4Network((address, prefix), strict=False)
    except ValueError:
        network = None
    if network is None or not prefixes[0] <= prefix <= prefixes[1]:
        return (
            None,
            f"{var}: {text} is not a valid IPv4 CIDR with a /{prefixes[0]} to /{prefixes[1]} prefix (the AWS limits)",
        )
    if network.network_address != ipaddress.IPv4Address(address):
        return None, f"{var}: {text} has host bits set; did you mean {network}?"
    return network, None


def _derive(vpc, tier, count):
    first = TIER_FIRST_BLOCK[tier]
    blocks = vpc.subnets(prefixlen_diff=BLOCK_BITS)
    return [str(net) for index, net in enumerate(blocks) if first <= index < first + count]


def plan_subnets(vpc_cidr, az_count, public=(), app=(), data=()):
    """Check the CIDRs and fill the tiers not given.

    Returns ``{'errors': [...], 'subnets': {tier: [cidr per AZ]}}``; every error names its variable.
    A tier given as an empty list is derived from vpc_cidr (blocks 0-3, 4-7, 8-11 of 16); every subnet,
    given or derived, must lie inside vpc_cidr and overlap no other.
    """
    count = int(az_count)
    given = {"public": list(public or []), "app": list(app or []), "data": list(data or [])}
    errors = []
    for tier in TIERS:
        if given[tier] and len(given[tier]) != count:
            errors.append(
                f"vpc_{tier}_subnets: {len(given[tier])} CIDRs given for vpc_az_count {count}; give one per AZ"
            )

    vpc, error = parse_cidr("vpc_cidr", vpc_cidr)
    if error:
        errors.append(error)
    members = []  # (variable, text, network), given first then derived, as they are reported
    for tier in TIERS:
        for cidr in given[tier]:
            network, error = parse_cidr(f"vpc_{tier}_subnets", cidr)
            if error:
                errors.append(error)
            else:
                members.append((f"vpc_{tier}_subnets", str(cidr), network))

    subnets = {}
    for tier in TIERS:
        if given[tier]:
            subnets[tier] = [str(cidr) for cidr in given[tier]]
        elif vpc is not None and vpc.prefixlen <= MAX_DERIVED_VPC_PREFIX and count <= MAX_DERIVED_AZS:
            subnets[tier] = _derive(vpc, tier, count)
            members.extend(
                (f"vpc_{tier}_subnets (derived from vpc_cidr)", cidr, ipaddress.IPv4Network(cidr))
                for cidr in subnets[tier]
            )
        elif vpc is not None:
            errors.append(
                f"vpc_{tier}_subnets: cannot be derived (needs a vpc_cidr of /{MAX_DERIVED_VPC_PREFIX} or larger and "
                f"vpc_az_count <= {MAX_DERIVED_AZS}); list one CIDR per AZ"
            )

    if vpc is not None:
        errors.extend(_placement_errors(str(vpc_cidr), vpc, members))
    return {"errors": errors, "subnets": subnets}


def _placement_errors(vpc_text, vpc, members):
    errors = []
    for position, (var, text, network) in enumerate(members):
        if not network.subnet_of(vpc):
            errors.append(f"{var}: {text} is outside vpc_cidr {vpc_text}")
        for other_var, other_text, other in members[position + 1 :]:
            if network.overlaps(other):
                errors.append(f"{var}: {text} overlaps {other_text} of {other_var}")
    return errors


def subnet_plan(subnets, azs, vpc_name):
    """One entry per tier and AZ, tier by tier in AZ order: ``{tier, az, index, cidr, name}``.

    The names are naming.network_names' (``<vpc name>-<tier>-<az>``)."""
    names = naming.network_names(vpc_name, azs)["subnets"]
    plan = []
    for tier in TIERS:
        for index, az in enumerate(azs):
            plan.append(
                {
                    "tier": tier,
                    "az": az,
                    "index": index,
                    "cidr": subnets[tier][index],
                    "name": names[tier][index],
                }
            )
    return plan


def subnet_ids(results):
    """Subnet IDs by tier, in AZ order, from the subnet task's loop results.

    An ID is empty only in check mode, for a subnet not created yet.
    """
    ids = {tier: [] for tier in TIERS}
    for result in results:
        ids[result["item"]["tier"]].append((result.get("subnet") or {}).get("id", ""))
    return ids


def _check_mode(mode):
    if mode not in NAT_MODES:
        raise LayoutError(f"vpc_nat_gateway_mode: {mode!r} is not one of {', '.join(NAT_MODES)}")


def nat_gateway_count(az_count, mode):
    """per_az: one NAT gateway per AZ; single: one for all."""
    _check_mode(mode)
    return int(az_count) if mode == "per_az" else 1


def nat_gateway_per_az(results, az_count, mode):
    """The NAT gateway ID each AZ routes through, from the NAT task's loop results (AZ order).

    single: every AZ uses the first. An ID is empty where the gateway was not created (check mode).
    """
    _check_mode(mode)
    created = [result.get("nat_gateway_id", "") for result in results]
    return [created[index if mode == "per_az" else 0] for index in range(int(az_count))]
