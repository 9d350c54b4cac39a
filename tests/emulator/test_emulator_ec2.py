"""EC2 patches: NAT gateway tag resource type, UpdateSecurityGroupRuleDescriptions* Return (emulator/patches/ec2.py)."""

import pytest


@pytest.fixture
def ec2(aws):
    return aws("ec2")


def test_describe_tags_names_nat_gateways_natgateway(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=subnet,
        AllocationId=eip,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat-a"}]}],
    )["NatGateway"]["NatGatewayId"]

    # what amazon.aws.ec2_vpc_nat_gateway asks (describe_ec2_tags with resource-type=natgateway)
    tags = ec2.describe_tags(
        Filters=[{"Name": "resource-id", "Values": [nat]}, {"Name": "resource-type", "Values": ["natgateway"]}]
    )["Tags"]
    assert tags == [{"Key": "Name", "ResourceId": nat, "ResourceType": "natgateway", "Value": "nat-a"}]
    unfiltered = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [nat]}])["Tags"]
    assert [t["ResourceType"] for t in unfiltered] == ["natgateway"]


def _rule(port: int, description: str) -> dict:
    return {
        "IpProtocol": "tcp",
        "FromPort": port,
        "ToPort": port,
        "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": description}],
    }


def test_update_rule_descriptions_return_true_and_update(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[_rule(443, "old")])
    ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[_rule(5432, "old")])

    ingress = ec2.update_security_group_rule_descriptions_ingress(GroupId=group, IpPermissions=[_rule(443, "new")])
    egress = ec2.update_security_group_rule_descriptions_egress(GroupId=group, IpPermissions=[_rule(5432, "new")])

    assert ingress["Return"] is True
    assert egress["Return"] is True
    sg = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]
    assert [r["IpRanges"][0]["Description"] for r in sg["IpPermissions"]] == ["new"]
    assert [r["IpRanges"][0]["Description"] for r in sg["IpPermissionsEgress"] if r.get("FromPort") == 5432] == ["new"]
