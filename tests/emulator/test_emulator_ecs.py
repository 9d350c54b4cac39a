"""ECS patch: cluster and service shapes as AWS returns them (emulator/patches/ecs.py, ec2.py)."""

import re

import pytest
from botocore.exceptions import ClientError

TASK_DEF = {
    "family": "web",
    "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 128}],
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
}


@pytest.fixture
def ecs(aws):
    return aws("ecs")


@pytest.fixture
def subnet(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]  # DNS hostnames left off on purpose
    return ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]


def _service(ecs, subnet, name, desired, controller="ECS"):
    task_def = ecs.register_task_definition(**TASK_DEF)["taskDefinition"]["taskDefinitionArn"]
    return ecs.create_service(
        cluster="c1",
        serviceName=name,
        taskDefinition=task_def,
        desiredCount=desired,
        launchType="FARGATE",
        deploymentController={"type": controller},
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},  # securityGroups is optional in AWS
    )["service"]


def test_plain_cluster_has_every_list_field(ecs):
    ecs.create_cluster(clusterName="c1")
    cluster = ecs.describe_clusters(clusters=["c1"])["clusters"][0]
    assert cluster["capacityProviders"] == []
    assert cluster["defaultCapacityProviderStrategy"] == []
    assert cluster["statistics"] == []
    assert cluster["tags"] == []
    assert cluster["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert cluster["status"] == "ACTIVE"


def test_capacity_provider_strategy_gets_aws_defaults(ecs):
    created = ecs.create_cluster(
        clusterName="c1",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        tags=[{"key": "env", "value": "test"}],
    )["cluster"]
    assert created["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]
    described = ecs.describe_clusters(clusters=["c1"], include=["TAGS"])["clusters"][0]
    assert described["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert described["tags"] == [{"key": "env", "value": "test"}]
    # tags only come back when asked for, as in AWS
    assert ecs.describe_clusters(clusters=["c1"])["clusters"][0]["tags"] == []


def test_put_capacity_providers_and_update_cluster(ecs):
    ecs.create_cluster(clusterName="c1")
    put = ecs.put_cluster_capacity_providers(
        cluster="c1",
        capacityProviders=["FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 1}],
    )["cluster"]
    assert put["defaultCapacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 1}]
    updated = ecs.update_cluster(
        cluster="c1",
        settings=[{"name": "containerInsights", "value": "enabled"}],
        configuration={"executeCommandConfiguration": {"logging": "DEFAULT"}},
    )["cluster"]
    assert updated["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    described = ecs.describe_clusters(clusters=["c1"])["clusters"][0]
    assert described["configuration"] == {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    assert described["capacityProviders"] == ["FARGATE_SPOT"]


def test_create_cluster_again_returns_the_existing_one(ecs):
    ecs.create_cluster(clusterName="c1", settings=[{"name": "containerInsights", "value": "enabled"}])
    again = ecs.create_cluster(clusterName="c1")["cluster"]
    assert again["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_running_count_follows_desired_count(ecs, subnet):
    ecs.create_cluster(clusterName="c1")
    service = _service(ecs, subnet, "web", 3)
    assert (service["runningCount"], service["pendingCount"]) == (3, 0)
    assert service["deployments"][0]["runningCount"] == 3
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    updated = ecs.update_service(cluster="c1", service="web", desiredCount=5)["service"]
    assert (updated["runningCount"], updated["pendingCount"]) == (5, 0)
    described = ecs.describe_services(cluster="c1", services=["web"])["services"][0]
    assert (described["runningCount"], described["deployments"][0]["desiredCount"]) == (5, 5)
    ecs.update_service(cluster="c1", service="web", forceNewDeployment=True)
    cluster = ecs.describe_clusters(clusters=["c1"])["clusters"][0]
    assert (cluster["runningTasksCount"], cluster["pendingTasksCount"], cluster["activeServicesCount"]) == (5, 0, 1)


def test_code_deploy_service_with_task_sets(ecs, subnet):
    ecs.create_cluster(clusterName="c1")
    service = _service(ecs, subnet, "web", 4, controller="CODE_DEPLOY")
    assert service["runningCount"] == 4
    ecs.create_task_set(
        cluster="c1",
        service="web",
        taskDefinition=service["taskDefinition"],
        externalId="d-ABCDEFGHI",
        launchType="FARGATE",
        scale={"value": 50.0, "unit": "PERCENT"},
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
    )
    described = ecs.describe_services(cluster="c1", services=["web"])["services"][0]
    task_set = described["taskSets"][0]
    # nginx has no local recipe: its tasks fail to start, so none runs (tests/emulator/test_dataplane_tasks.py)
    assert (task_set["computedDesiredCount"], task_set["runningCount"], task_set["pendingCount"]) == (2, 0, 0)
    listed = ecs.describe_task_sets(cluster="c1", service="web")["taskSets"][0]
    assert listed["externalId"] == "d-ABCDEFGHI"


# What botocore's UpdateService documentation does not list as updatable on a CODE_DEPLOY service, each sent with
# the value the service already has where it has one: AWS refuses the field, not the change.
REFUSED_ON_CODE_DEPLOY = {
    "taskDefinition": lambda svc: svc["taskDefinition"],
    "networkConfiguration": lambda svc: svc["networkConfiguration"],
    "loadBalancers": lambda svc: [
        {
            "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/1",
            "containerName": "web",
            "containerPort": 80,
        }
    ],
    "platformVersion": lambda svc: "LATEST",
    "forceNewDeployment": lambda svc: True,
    "enableExecuteCommand": lambda svc: False,
    "capacityProviderStrategy": lambda svc: [{"capacityProvider": "FARGATE", "weight": 1}],
    "availabilityZoneRebalancing": lambda svc: "DISABLED",
    "serviceRegistries": lambda svc: [{"registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"}],
    "serviceConnectConfiguration": lambda svc: {"enabled": False},
    "volumeConfigurations": lambda svc: [{"name": "data"}],
    "vpcLatticeConfigurations": lambda svc: [
        {
            "roleArn": "arn:aws:iam::123456789012:role/r",
            "targetGroupArn": "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-1",
            "portName": "web",
        }
    ],
    # ECS is the in-place migration (tests/emulator/test_ecs_native_migration.py); EXTERNAL stays refused.
    "deploymentController": lambda svc: {"type": "EXTERNAL"},
}


@pytest.mark.parametrize("field", sorted(REFUSED_ON_CODE_DEPLOY))
def test_code_deploy_service_refuses_what_only_codedeploy_changes(ecs, subnet, field):
    ecs.create_cluster(clusterName="c1")
    service = _service(ecs, subnet, "web", 1, controller="CODE_DEPLOY")
    with pytest.raises(ClientError) as err:
        ecs.update_service(cluster="c1", service="web", **{field: REFUSED_ON_CODE_DEPLOY[field](service)})
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    message = err.value.response["Error"]["Message"]
    assert "CODE_DEPLOY deployment controller" in message and "CodeDeploy" in message, message
    assert (
        ecs.describe_services(cluster="c1", services=["web"])["services"][0]["taskDefinition"]
        == service["taskDefinition"]
    )


def test_code_deploy_service_updates_what_aws_allows(ecs, subnet):
    ecs.create_cluster(clusterName="c1")
    _service(ecs, subnet, "web", 1, controller="CODE_DEPLOY")
    updated = ecs.update_service(
        cluster="c1",
        service="web",
        desiredCount=2,
        deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100},
        healthCheckGracePeriodSeconds=30,
        placementConstraints=[],
        placementStrategy=[],
        enableECSManagedTags=True,
        propagateTags="SERVICE",
        taskDefinition="",  # what community.aws.ecs_service sends on a CODE_DEPLOY service: read as not set
        deploymentController={"type": "CODE_DEPLOY"},
    )["service"]
    assert updated["desiredCount"] == 2 and updated["healthCheckGracePeriodSeconds"] == 30


def test_rolling_service_still_updates_task_definition(ecs, subnet):
    ecs.create_cluster(clusterName="c1")
    _service(ecs, subnet, "web", 1)
    newer = ecs.register_task_definition(**TASK_DEF)["taskDefinition"]["taskDefinitionArn"]
    updated = ecs.update_service(cluster="c1", service="web", taskDefinition=newer, enableExecuteCommand=False)
    assert updated["service"]["taskDefinition"] == newer


def test_awsvpc_task_in_vpc_without_dns_hostnames(ecs, subnet):
    ecs.create_cluster(clusterName="c1")
    task_def = ecs.register_task_definition(**TASK_DEF)["taskDefinition"]["taskDefinitionArn"]
    task = ecs.run_task(
        cluster="c1",
        taskDefinition=task_def,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
    )["tasks"][0]
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert re.fullmatch(r"ip-\d+-\d+-\d+-\d+\.ec2\.internal", details["privateDnsName"])


def test_create_service_keeps_grace_period_and_execute_command(ecs, subnet):
    ecs.create_cluster(clusterName="c1")
    task_def = ecs.register_task_definition(**TASK_DEF)["taskDefinition"]["taskDefinitionArn"]
    network = {"awsvpcConfiguration": {"subnets": [subnet]}}
    created = ecs.create_service(
        cluster="c1",
        serviceName="web",
        taskDefinition=task_def,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network,
        healthCheckGracePeriodSeconds=45,
        enableExecuteCommand=True,
    )["service"]
    assert (created["healthCheckGracePeriodSeconds"], created["enableExecuteCommand"]) == (45, True)
    ecs.create_service(
        cluster="c1",
        serviceName="plain",
        taskDefinition=task_def,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network,
    )
    described = {
        s["serviceName"]: s for s in ecs.describe_services(cluster="c1", services=["web", "plain"])["services"]
    }
    # what community.aws.ecs_service compares on its second run: nothing may differ from what it created
    assert (described["web"]["healthCheckGracePeriodSeconds"], described["web"]["enableExecuteCommand"]) == (45, True)
    assert described["plain"]["enableExecuteCommand"] is False
    assert "healthCheckGracePeriodSeconds" not in described["plain"]


def test_list_tags_for_resource_always_has_a_tags_list(ecs):
    arn = ecs.create_cluster(clusterName="c1")["cluster"]["clusterArn"]
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == []
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "test"}]
    ecs.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == []


def test_list_task_definitions_sorts_by_family_and_revision(ecs):
    definition = {key: value for key, value in TASK_DEF.items() if key != "family"}
    for family in ["web"] * 10 + ["api", "web"]:
        ecs.register_task_definition(family=family, **definition)
    expected = ["api:1"] + [f"web:{revision}" for revision in range(1, 12)]

    def listed(**kwargs):
        return [arn.rsplit("/", 1)[1] for arn in ecs.list_task_definitions(**kwargs)["taskDefinitionArns"]]

    assert listed() == expected
    assert listed(sort="ASC") == expected
    assert listed(sort="DESC") == expected[::-1]
    assert listed(familyPrefix="web", sort="DESC") == expected[:0:-1]
