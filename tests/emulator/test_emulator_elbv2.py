"""ELBv2 patch: an application load balancer has AWS's default attributes (emulator/patches/elbv2.py)."""

import pytest

ALB_DEFAULTS = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
}


@pytest.fixture
def network(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    return aws("elbv2"), subnets


def _attributes(elbv2, arn: str) -> dict:
    attrs = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    return {a["Key"]: a["Value"] for a in attrs}


def test_application_load_balancer_has_aws_defaults(network):
    elbv2, subnets = network
    arn = elbv2.create_load_balancer(Name="alb", Subnets=subnets, Type="application")["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    attrs = _attributes(elbv2, arn)
    assert {key: attrs.get(key) for key in ALB_DEFAULTS} == ALB_DEFAULTS

    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn,
        Attributes=[
            {"Key": "idle_timeout.timeout_seconds", "Value": "120"},
            {"Key": "routing.http2.enabled", "Value": "false"},
        ],
    )
    after = _attributes(elbv2, arn)
    assert after == {**attrs, "idle_timeout.timeout_seconds": "120", "routing.http2.enabled": "false"}


def test_network_load_balancer_gets_no_alb_attributes(network):
    elbv2, subnets = network
    arn = elbv2.create_load_balancer(Name="nlb", Subnets=subnets, Type="network")["LoadBalancers"][0]["LoadBalancerArn"]
    attrs = _attributes(elbv2, arn)
    assert "routing.http2.enabled" not in attrs
    assert "idle_timeout.timeout_seconds" not in attrs
