"""Security groups at a load balancer's listener: who a connection comes from, and whether a group admits it.

AWS evaluates the load balancer's security groups against the source address of each connection
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html,
https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html): a rule admits TCP traffic to the
listener port from a CIDR range, a managed prefix list, or a referenced security group (the latter only for
traffic by private IP inside the VPC). The source AWS sees depends on the path:

- internal balancer: only callers in its VPC reach it, by private IP; the source is the caller's private IP
  and its security groups;
- internet-facing balancer: a caller in the VPC leaves through the NAT gateway its subnet routes 0.0.0.0/0 to
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html), so the source is that NAT gateway's
  public IP (no such route: it cannot reach the internet, nor the balancer); the internet (127.0.0.1 here)
  arrives from ``network.client_public_ip()``.

Called with moto's backends read under the engine lock (see balancers.py).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from emulator.dataplane import network


@dataclass(frozen=True)
class Source:
    """What a security group rule is matched against."""

    ip: str
    groups: frozenset[str] = frozenset()
    in_vpc: bool = False  # a private-IP path inside the VPC (security group references apply)


def source_for(ec2, balancer, peer: str) -> Source | None:
    """The source AWS would see for a connection from loopback ``peer``; None when it cannot reach the balancer."""
    interface = network.BOOK.lookup(peer)
    if balancer.scheme == "internal":
        if interface is None or interface.vpc_id != balancer.vpc_id:
            return None  # an internal balancer has private addresses only
        return Source(interface.private_ip, _groups_of(ec2, interface), in_vpc=True)
    if interface is None:
        return Source(network.client_public_ip())
    if interface.public_ip:
        return Source(interface.public_ip)
    nat_ip = nat_public_ip(ec2, interface.subnet_id)
    return Source(nat_ip) if nat_ip else None


def admits(ec2, balancer, port: int, source: Source) -> bool:
    """True if one of the balancer's security groups admits TCP ``port`` from ``source``."""
    address = ipaddress.ip_address(source.ip)
    for group_id in balancer.security_groups or []:
        group = ec2.get_security_group_from_id(group_id)
        for rule in getattr(group, "ingress_rules", None) or []:
            if _covers_port(rule, port) and _matches(ec2, rule, address, source):
                return True
    return False


def nat_public_ip(ec2, subnet_id: str) -> str | None:
    """The public IP of the NAT gateway that ``subnet_id``'s route table sends 0.0.0.0/0 to, if any."""
    table = route_table_of(ec2, subnet_id)
    for route in getattr(table, "routes", None) or []:
        nat = getattr(route, "nat_gateway", None)
        if route.destination_cidr_block == "0.0.0.0/0" and nat is not None:
            for address in nat.address_set or []:
                if address.get("publicIp"):
                    return address["publicIp"]
    return None


def route_table_of(ec2, subnet_id: str):
    """The subnet's explicitly associated route table, else its VPC's main one
    (https://docs.aws.amazon.com/vpc/latest/userguide/RouteTables.html#subnet-route-tables)."""
    try:
        subnet = ec2.get_subnet(subnet_id)
    except Exception:  # noqa: BLE001 - moto raises InvalidSubnetIdError for a deleted subnet
        return None
    main = None
    for table in list(ec2.route_tables.values()):
        if subnet_id in table._associations.values():  # pylint: disable=protected-access
            return table
        if table.vpc_id == subnet.vpc_id and table.main_association_id is not None:
            main = table
    return main


def _groups_of(ec2, interface: network.Interface) -> frozenset[str]:
    """Security groups of the moto network interface holding the interface's private IP in its VPC."""
    for eni in list(ec2.enis.values()):
        subnet = getattr(eni, "subnet", None)
        if eni.private_ip_address == interface.private_ip and getattr(subnet, "vpc_id", None) == interface.vpc_id:
            return frozenset(group.id for group in eni.group_set)
    return frozenset()


def _covers_port(rule, port: int) -> bool:
    if rule.ip_protocol == "-1":
        return True
    return rule.ip_protocol == "tcp" and rule.from_port is not None and rule.from_port <= port <= rule.to_port


def _matches(ec2, rule, address, source: Source) -> bool:
    cidr = (rule.ip_range or {}).get("CidrIp")
    if cidr:
        return address in ipaddress.ip_network(cidr, strict=False)
    group_id = (rule.source_group or {}).get("GroupId")
    if group_id:
        return source.in_vpc and group_id in source.groups
    if rule.prefix_list_id:
        prefix_list = ec2.managed_prefix_lists.get(rule.prefix_list_id)
        entries = (prefix_list.entries.get(prefix_list.version) or []) if prefix_list else []
        return any(address in ipaddress.ip_network(e["Cidr"], strict=False) for e in entries if e.get("Cidr"))
    return False
