"""ECS service discovery on the emulator (emulator/dataplane/discovery.py, patches/servicediscovery.py): a service
with serviceRegistries has each RUNNING task registered in its Cloud Map service, reachable at the discovered
address, and deregistered when it stops; Cloud Map refuses to delete what still holds instances or services."""

import urllib.request

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulator.test_ecs_native_engine import PORT, wait_for

NAMESPACE = "prd.demo.internal"


def cloud_map(stack):
    """The namespace (its CreatePrivateDnsNamespace operation done) and the api's Cloud Map service."""
    # DiscoverInstances has the host prefix "data-" (data-servicediscovery.<region>.amazonaws.com): not on an endpoint URL.
    sd = stack.aws("servicediscovery", config=Config(inject_host_prefix=False))
    vpc = stack.aws("ec2").describe_subnets(SubnetIds=stack.subnets[:1])["Subnets"][0]["VpcId"]
    operation = sd.create_private_dns_namespace(Name=NAMESPACE, Vpc=vpc)["OperationId"]
    assert sd.get_operation(OperationId=operation)["Operation"]["Status"] == "SUCCESS"
    namespace = sd.list_namespaces()["Namespaces"][0]["Id"]
    service = sd.create_service(
        Name="web",
        NamespaceId=namespace,
        DnsConfig={"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 10}, {"Type": "SRV", "TTL": 10}]},
        HealthCheckCustomConfig={},
    )["Service"]
    return sd, namespace, service


def discovered(sd):
    return sd.discover_instances(NamespaceName=NAMESPACE, ServiceName="web")["Instances"]


def test_running_tasks_are_registered_reachable_and_deregistered_when_they_stop(stack):
    sd, _namespace, registry = cloud_map(stack)
    registries = [{"registryArn": registry["Arn"], "containerName": "web", "containerPort": PORT}]
    stack.create({"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0}, serviceRegistries=registries)

    [instance] = wait_for(lambda: discovered(sd), lambda found: len(found) == 1)
    attributes = instance["Attributes"]
    assert attributes["AWS_INSTANCE_PORT"] == str(PORT)
    assert attributes["ECS_SERVICE_NAME"] == "web"
    assert attributes["ECS_CLUSTER_NAME"] == "main"
    tasks = stack.ecs.list_tasks(cluster="main", serviceName="web")["taskArns"]
    assert instance["InstanceId"] == tasks[0].rsplit("/", 1)[-1]  # ECS registers the task ID as the instance ID
    address = f"http://{attributes['AWS_INSTANCE_IPV4']}:{attributes['AWS_INSTANCE_PORT']}/"
    with urllib.request.urlopen(address, timeout=5) as answer:
        assert answer.read() == b"1.0.0"

    with pytest.raises(ClientError) as refused:
        sd.delete_service(Id=registry["Id"])
    assert refused.value.response["Error"]["Code"] == "ResourceInUse"

    stack.ecs.update_service(cluster="main", service="web", desiredCount=0)
    wait_for(lambda: discovered(sd), lambda found: found == [])


def test_a_namespace_with_services_cannot_be_deleted(aws):
    sd = aws("servicediscovery")
    vpc = aws("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sd.create_private_dns_namespace(Name=NAMESPACE, Vpc=vpc)
    namespace = sd.list_namespaces()["Namespaces"][0]["Id"]
    service = sd.create_service(Name="api", NamespaceId=namespace, DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 10}]})
    with pytest.raises(ClientError) as refused:
        sd.delete_namespace(Id=namespace)
    assert refused.value.response["Error"]["Code"] == "ResourceInUse"
    sd.delete_service(Id=service["Service"]["Id"])  # no instances: allowed
    sd.delete_namespace(Id=namespace)
    assert sd.list_namespaces()["Namespaces"] == []
