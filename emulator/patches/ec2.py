"""EC2: every network interface has a private DNS name.

AWS gives each ENI a private DNS name (ip-10-0-1-5.ec2.internal) whatever the VPC's DNS settings:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterface.html
moto only sets one when the VPC has DNS hostnames enabled, and then ECS RunTask / CreateTaskSet with awsvpc
networking fail with HTTP 500 (AttributeError on private_dns_name).
"""

from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ec2.utils import generate_dns_from_ip

_KEY = "_emulator_private_dns_name"


def _get(eni) -> str | None:
    name = eni.__dict__.get(_KEY)
    if name is None and getattr(eni, "private_ip_address", None):
        name = generate_dns_from_ip(eni.private_ip_address)
    return name


def _set(eni, value) -> None:
    eni.__dict__[_KEY] = value


def apply() -> None:
    if not isinstance(NetworkInterface.__dict__.get("private_dns_name"), property):
        NetworkInterface.private_dns_name = property(_get, _set)
