"""EC2: ENI private DNS names, the ``natgateway`` tag resource type, UpdateSecurityGroupRuleDescriptions* ``Return``.

AWS gives each ENI a private DNS name (ip-10-0-1-5.ec2.internal) whatever the VPC's DNS settings:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterface.html
moto only sets one when the VPC has DNS hostnames enabled, and then ECS RunTask / CreateTaskSet with awsvpc
networking fail with HTTP 500 (AttributeError on private_dns_name).

DescribeTags reports a NAT gateway's resource type as ``natgateway`` (and filters on ``resource-type=natgateway``):
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TagDescription.html
moto says ``nat-gateway``, so amazon.aws.ec2_vpc_nat_gateway never sees its tags and re-tags on every run.

UpdateSecurityGroupRuleDescriptionsIngress / Egress answer ``<return>true</return>``:
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UpdateSecurityGroupRuleDescriptionsIngress.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UpdateSecurityGroupRuleDescriptionsEgress.html
moto answers nothing, and amazon.aws.ec2_security_group fails with KeyError 'Return' whenever only a rule's
description changes.
"""

from moto.core.responses import ActionResult
from moto.ec2 import utils as ec2_utils
from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ec2.responses.security_groups import SecurityGroups
from moto.ec2.utils import generate_dns_from_ip

from emulator.patches._util import install

_KEY = "_emulator_private_dns_name"


def _get(eni) -> str | None:
    name = eni.__dict__.get(_KEY)
    if name is None and getattr(eni, "private_ip_address", None):
        name = generate_dns_from_ip(eni.private_ip_address)
    return name


def _set(eni, value) -> None:
    eni.__dict__[_KEY] = value


class SecurityGroupsPatch:
    """UpdateSecurityGroupRuleDescriptions*: moto's update, then AWS's answer."""

    def update_security_group_rule_descriptions_ingress(self) -> ActionResult:
        for args in self._process_rules_from_querystring():
            del args["sgrule_tags"]
            self.ec2_backend.update_security_group_rule_descriptions_ingress(**args)
        return ActionResult({"Return": True})

    def update_security_group_rule_descriptions_egress(self) -> ActionResult:
        for args in self._process_rules_from_querystring():
            del args["sgrule_tags"]
            self.ec2_backend.update_security_group_rule_descriptions_egress(**args)
        return ActionResult({"Return": True})


def apply() -> None:
    if not isinstance(NetworkInterface.__dict__.get("private_dns_name"), property):
        NetworkInterface.private_dns_name = property(_get, _set)
    # moto.ec2.models.tags reads this very dict (DescribeTags output and its resource-type filter)
    ec2_utils.EC2_PREFIX_TO_RESOURCE[ec2_utils.EC2_RESOURCE_TO_PREFIX["nat-gateway"]] = "natgateway"
    install(SecurityGroups, SecurityGroupsPatch)
