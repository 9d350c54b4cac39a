"""IAM patch: AWS managed policies exist without MOTO_IAM_LOAD_MANAGED_POLICIES (emulator/patches/iam.py)."""

import json
import time

import pytest
from botocore.exceptions import ClientError

CODEDEPLOY_ECS = "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture
def iam(aws):
    return aws("iam")


def test_aws_managed_policy_is_there_on_demand(iam):
    policy = iam.get_policy(PolicyArn=CODEDEPLOY_ECS)["Policy"]
    assert policy["PolicyName"] == "AWSCodeDeployRoleForECS"
    version = iam.get_policy_version(PolicyArn=CODEDEPLOY_ECS, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert "ecs:DescribeServices" in json.dumps(version["Document"])

    iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="deploy", PolicyArn=CODEDEPLOY_ECS)
    attached = iam.list_attached_role_policies(RoleName="deploy")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSCodeDeployRoleForECS", "PolicyArn": CODEDEPLOY_ECS}]
    assert iam.get_policy(PolicyArn=CODEDEPLOY_ECS)["Policy"]["AttachmentCount"] == 1

    # a path other than "/" and the listing of all AWS managed policies
    ecs_service = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
    assert iam.get_policy(PolicyArn=ecs_service)["Policy"]["Path"] == "/service-role/"
    listed = [p["Arn"] for page in iam.get_paginator("list_policies").paginate(Scope="AWS") for p in page["Policies"]]
    assert len(listed) > 1000 and CODEDEPLOY_ECS in listed and ecs_service in listed
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_unknown_aws_policy_and_local_policies_are_untouched(iam):
    with pytest.raises(ClientError) as err:
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicyAtAll")
    assert err.value.response["Error"]["Code"] == "NoSuchEntity"
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_new_role_propagates_on_the_emulated_clock(aws):
    """IAM is eventually consistent: a role reaches CodeDeploy propagation_seconds() emulated seconds after CreateRole."""
    from moto.iam.models import iam_backends

    from emulator import clock
    from emulator.patches import iam as iam_patch

    arn = aws("iam").create_role(RoleName="deploy", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    role = iam_backends["123456789012"]["aws"].get_role_by_arn(arn)
    assert iam_patch.trusts_service(role, "codedeploy.amazonaws.com")
    assert not iam_patch.trusts_service(role, "ecs-tasks.amazonaws.com")
    try:
        iam_patch.set_propagation_seconds(None)
        assert iam_patch.propagation_seconds() == iam_patch.DEFAULT_PROPAGATION_SECONDS > 0
        clock.set_minute_seconds(60)  # AWS's pace: 10 s
        assert not iam_patch.role_propagated(role)
        clock.set_minute_seconds(0.6)  # 100 times faster: 0.1 s
        deadline = time.monotonic() + 2
        while not iam_patch.role_propagated(role):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        clock.set_minute_seconds(60)
        iam_patch.set_propagation_seconds(0)  # off
        assert iam_patch.role_propagated(role)
    finally:
        clock.set_minute_seconds(None)
        iam_patch.set_propagation_seconds(None)
