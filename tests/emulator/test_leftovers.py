"""scripts/leftovers.py, the check that destroy.yml left nothing: what it finds, what it ignores."""

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "leftovers.py"
OURS = [{"Key": "Environment", "Value": "prd"}, {"Key": "ManagedBy", "Value": "bluegreen.ecs"}]


@pytest.fixture
def leftovers(emulator, monkeypatch, capsys):
    """Run the script's main() against the emulator; return (exit code, remaining ARNs)."""
    spec = importlib.util.spec_from_file_location("leftovers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    def run(env="prd"):
        code = module.main(["--env", env, "--region", "us-east-1", "--endpoint-url", emulator.endpoint])
        return code, json.loads(capsys.readouterr().out)["remaining"]

    return run


def test_lists_what_an_environment_still_has_and_only_that(aws, leftovers):
    iam, ec2, ecr, ecs = aws("iam"), aws("ec2"), aws("ecr"), aws("ecs")
    role = iam.create_role(RoleName="prd-web-task-role", AssumeRolePolicyDocument="{}", Tags=OURS)["Role"]
    iam.create_role(RoleName="stg-web-task-role", AssumeRolePolicyDocument="{}", Tags=[dict(OURS[0], Value="stg")])
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(
        GroupName="prd-web-alb",
        Description="alb",
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": OURS}],
    )["GroupId"]
    repo = ecr.create_repository(repositoryName="prd-web", tags=OURS)["repository"]
    cluster = ecs.create_cluster(
        clusterName="prd-demo-cluster", tags=[{"key": t["Key"], "value": t["Value"]} for t in OURS]
    )

    code, remaining = leftovers()

    assert code == 1
    assert role["Arn"] in remaining
    assert repo["repositoryArn"] in remaining
    assert any(arn.endswith(f"security-group/{group}") for arn in remaining)
    assert cluster["cluster"]["clusterArn"] in remaining
    assert not any("stg-" in arn for arn in remaining)

    iam.delete_role(RoleName="prd-web-task-role")
    ec2.delete_security_group(GroupId=group)
    ecr.delete_repository(repositoryName="prd-web")
    ecs.delete_cluster(cluster="prd-demo-cluster")  # INACTIVE clusters stay listed for a while, as on AWS

    assert leftovers() == (0, [])


# Service discovery: the environment's Cloud Map namespace and services, by their tags.
def test_lists_the_environments_cloud_map_namespace_and_services_only(aws, leftovers):
    sd = aws("servicediscovery")
    vpc = aws("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sd.create_private_dns_namespace(Name="prd.demo.internal", Vpc=vpc, Tags=OURS)
    other = aws("ec2").create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]  # another environment's VPC
    sd.create_private_dns_namespace(Name="stg.demo.internal", Vpc=other, Tags=[dict(OURS[0], Value="stg"), OURS[1]])
    namespace = next(n for n in sd.list_namespaces()["Namespaces"] if n["Name"] == "prd.demo.internal")
    service = sd.create_service(
        Name="api", NamespaceId=namespace["Id"], DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 10}]}, Tags=OURS
    )

    code, remaining = leftovers()
    assert code == 1
    assert remaining == sorted([namespace["Arn"], service["Service"]["Arn"]])

    sd.delete_service(Id=service["Service"]["Id"])
    sd.delete_namespace(Id=namespace["Id"])
    assert leftovers() == (0, [])
