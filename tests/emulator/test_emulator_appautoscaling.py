"""Application Auto Scaling patch: DescribeScalingPolicies filters as AWS does (emulator/patches/appautoscaling.py)."""

import pytest
from botocore.exceptions import ClientError

DIMENSION = "ecs:service:DesiredCount"


@pytest.fixture
def scaling(aws):
    ecs = aws("ecs")
    ecs.create_cluster(clusterName="c1")
    task_def = ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
    )["taskDefinition"]["taskDefinitionArn"]
    client = aws("application-autoscaling")
    for service in ("web", "web-api"):
        ecs.create_service(cluster="c1", serviceName=service, taskDefinition=task_def, desiredCount=1)
        client.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=f"service/c1/{service}",
            ScalableDimension=DIMENSION,
            MinCapacity=1,
            MaxCapacity=4,
        )
    return client


def _policy(client, resource, name, metric="ECSServiceAverageCPUUtilization"):
    client.put_scaling_policy(
        PolicyName=name,
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
        },
    )


def _names(answer) -> list[str]:
    return [(p["ResourceId"], p["PolicyName"]) for p in answer["ScalingPolicies"]]


def test_policy_names_and_exact_resource_id(scaling):
    _policy(scaling, "service/c1/web", "cpu")
    _policy(scaling, "service/c1/web", "memory", "ECSServiceAverageMemoryUtilization")
    _policy(scaling, "service/c1/web-api", "cpu")
    # what community.aws.application_autoscaling_policy asks for: the named policy of the service, one result
    second = scaling.describe_scaling_policies(
        ServiceNamespace="ecs",
        ResourceId="service/c1/web",
        ScalableDimension=DIMENSION,
        PolicyNames=["memory"],
        MaxResults=1,
    )
    assert _names(second) == [("service/c1/web", "memory")]
    assert second["ScalingPolicies"][0]["TargetTrackingScalingPolicyConfiguration"][
        "PredefinedMetricSpecification"
    ] == {"PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}
    # service/c1/web is a prefix of service/c1/web-api, not the same resource
    api = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/c1/web-api")
    assert _names(api) == [("service/c1/web-api", "cpu")]
    none = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/c1/web", PolicyNames=["x"])
    assert none["ScalingPolicies"] == []


def test_max_results_and_next_token_page_the_answer(scaling):
    for name in ("a", "b", "c"):
        _policy(scaling, "service/c1/web", name)
    first = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/c1/web", MaxResults=2)
    assert _names(first) == [("service/c1/web", "a"), ("service/c1/web", "b")]
    rest = scaling.describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId="service/c1/web", MaxResults=2, NextToken=first["NextToken"]
    )
    assert _names(rest) == [("service/c1/web", "c")]
    assert "NextToken" not in rest
    with pytest.raises(ClientError) as err:
        scaling.describe_scaling_policies(ServiceNamespace="ecs", NextToken="bogus")
    assert err.value.response["Error"]["Code"] == "InvalidNextTokenException"
