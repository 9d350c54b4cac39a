"""ECS clusters and services as AWS returns them.

Follows:
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Cluster.html for DescribeClusters, CreateCluster,
  UpdateCluster and PutClusterCapacityProviders: capacityProviders / defaultCapacityProviderStrategy (base and
  weight default to 0) / statistics / tags are always lists, settings always holds containerInsights, and
  activeServicesCount counts the services. CreateCluster on an ACTIVE cluster returns it unchanged.
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html and API_TaskSet.html: no tasks run
  here, so a service is always steady: runningCount = desiredCount, pendingCount = 0 (also in its PRIMARY
  deployment and in task sets' computedDesiredCount/runningCount), without MOTO_ECS_SERVICE_RUNNING.
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html: the service keeps
  healthCheckGracePeriodSeconds (0 by default when it has a load balancer) and enableExecuteCommand (false by
  default); moto only stores them on UpdateService, so community.aws.ecs_service saw a change on every run.
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTagsForResource.html: tags is always a list,
  also for a resource created without tags (moto left it out; community.aws.ecs_tag failed on KeyError 'tags').
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html (and botocore's UpdateService
  documentation): "For services using the blue/green (CODE_DEPLOY) deployment controller, only the desired count,
  deployment configuration, health check grace period, task placement constraints and strategies, enable ECS managed
  tags option, and propagate tags can be updated using this API." Any other field sent, even with the live value,
  is refused with InvalidParameterException (see ``CODE_DEPLOY_NOT_UPDATABLE``).
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html: securityGroups is optional.
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-bluegreen.html: creating a CODE_DEPLOY
  service with a load balancer creates its first task set (PRIMARY, scale 100 %, on that target group).
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTaskDefinitions.html: sort orders the ARNs by
  family name and then revision, ASC (the default) or DESC; moto ignored it and listed them in registration order.
"""

import math

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs.responses import EC2ContainerServiceResponse

from emulator.patches._util import aws_error, install, raw_json

_ORIGINAL = {
    name: getattr(EC2ContainerServiceResponse, name)
    for name in (
        "create_service",
        "update_service",
        "describe_services",
        "describe_task_sets",
        "list_tags_for_resource",
        "list_task_definitions",
    )
}


# UpdateService members a CODE_DEPLOY service refuses, with the words AWS's message uses for each. AWS's messages
# seen in the wild: "Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS
# CodeDeploy to trigger a new deployment." (aws-cdk #23564, boto3 #1936), "Unable to update network parameters ..."
# (terraform-provider-aws #8005), "Cannot force a new deployment on services with a CODE_DEPLOY deployment controller.
# ..." (aws-toolkit-vscode #4017); enableExecuteCommand is refused as well (terraform-provider-aws #19996).
CODE_DEPLOY_NOT_UPDATABLE = {
    "taskDefinition": "task definition",
    "networkConfiguration": "network parameters",
    "loadBalancers": "load balancers",
    "platformVersion": "platform version",
    "capacityProviderStrategy": "capacity provider strategy",
    "availabilityZoneRebalancing": "availability zone rebalancing",
    "enableExecuteCommand": "enable execute command",
    "serviceRegistries": "service registries",
    "serviceConnectConfiguration": "service connect configuration",
    "volumeConfigurations": "volume configurations",
    "vpcLatticeConfigurations": "VPC Lattice configurations",
    "gatewayConnectors": "gateway connectors",
    "monitoring": "monitoring",
}
_CODE_DEPLOY_HINT = (
    "on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment."
)


def refuse_code_deploy_update(request: dict) -> None:
    """Raise AWS's InvalidParameterException for the first member a CODE_DEPLOY service cannot update.

    A member counts as sent when it is present and not empty: community.aws.ecs_service sends ``taskDefinition: ""``
    on such a service, and AWS accepts it (an empty value is read as "not set", as for an omitted one).
    ``deploymentController`` is refused only when it names another controller (migrating away is not emulated).
    """
    if request.get("forceNewDeployment"):
        raise aws_error("InvalidParameterException", f"Cannot force a new deployment {_CODE_DEPLOY_HINT}")
    for member, words in CODE_DEPLOY_NOT_UPDATABLE.items():
        value = request.get(member)
        if value is not None and value not in ("", [], {}):
            raise aws_error("InvalidParameterException", f"Unable to update {words} {_CODE_DEPLOY_HINT}")
    controller = (request.get("deploymentController") or {}).get("type")
    if controller not in (None, "CODE_DEPLOY"):
        raise aws_error("InvalidParameterException", f"Unable to update deployment controller {_CODE_DEPLOY_HINT}")


def _strategy(items) -> list[dict]:
    return [
        {"capacityProvider": item["capacityProvider"], "weight": item.get("weight", 0), "base": item.get("base", 0)}
        for item in items or []
    ]


def _services_of(backend, cluster) -> list:
    return [svc for svc in backend.services.values() if svc.cluster_name == cluster.name and svc.status == "ACTIVE"]


def _statistics(backend, cluster) -> list[dict]:
    counts = {}
    for svc in _services_of(backend, cluster):
        kind = "Fargate" if svc.launch_type == "FARGATE" else "EC2"
        counts[f"active{kind}ServiceCount"] = counts.get(f"active{kind}ServiceCount", 0) + 1
        counts[f"running{kind}TasksCount"] = counts.get(f"running{kind}TasksCount", 0) + svc.running_count
    return [{"name": name, "value": str(value)} for name, value in sorted(counts.items())]


def cluster_view(backend, cluster, include=()) -> dict:
    view = {
        "clusterArn": cluster.arn,
        "clusterName": cluster.name,
        "status": cluster.status,
        "registeredContainerInstancesCount": cluster.registered_container_instances_count,
        "runningTasksCount": max(cluster.running_tasks_count, 0),
        "pendingTasksCount": max(cluster.pending_tasks_count, 0),
        "activeServicesCount": len(_services_of(backend, cluster)),
        "statistics": _statistics(backend, cluster) if "STATISTICS" in include else [],
        "tags": list(cluster.tags or []) if "TAGS" in include else [],
        "settings": list(cluster.settings or [{"name": "containerInsights", "value": "disabled"}]),
        "capacityProviders": list(cluster.capacity_providers or []),
        "defaultCapacityProviderStrategy": _strategy(cluster.default_capacity_provider_strategy),
    }
    if cluster.configuration:
        view["configuration"] = cluster.configuration
    if cluster.service_connect_defaults:
        view["serviceConnectDefaults"] = cluster.service_connect_defaults
    return view


def settle_service(backend, service) -> None:
    """Make a service look steady: all desired tasks running, none pending (cluster counters follow)."""
    cluster = backend.clusters.get(service.cluster_name)
    delta_running = service.desired_count - service.running_count
    delta_pending = -service.pending_count
    service.running_count, service.pending_count = service.desired_count, 0
    if cluster is not None:
        cluster.running_tasks_count = max(cluster.running_tasks_count + delta_running, 0)
        cluster.pending_tasks_count = max(cluster.pending_tasks_count + delta_pending, 0)
    for deployment in service.deployments:
        if deployment.get("status") == "PRIMARY":
            deployment.update(
                desiredCount=service.desired_count,
                runningCount=service.desired_count,
                pendingCount=0,
                taskDefinition=service.task_definition,
                rolloutState="COMPLETED",
                rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
            )
    settle_task_sets(service)


def initial_task_set(backend, service) -> None:
    """A CODE_DEPLOY service with a task definition and a load balancer starts with one PRIMARY task set."""
    if service.deployment_controller.get("type") != "CODE_DEPLOY" or not service.task_definition:
        return
    if not service.load_balancers or service.task_sets:
        return
    task_set = backend.create_task_set(
        service.name,
        service.cluster_name,
        service.task_definition,
        network_configuration=service.network_configuration or None,
        load_balancers=service.load_balancers,
        launch_type=service.launch_type,
        platform_version=service.platform_version,
    )
    backend.update_service_primary_task_set(service.cluster_name, service.name, task_set.task_set_arn)


def settle_task_sets(service) -> None:
    for task_set in service.task_sets:
        scale = task_set.scale or {}
        percent = float(scale.get("value", 100.0)) if scale.get("unit", "PERCENT") == "PERCENT" else 100.0
        task_set.computed_desired_count = math.ceil(service.desired_count * percent / 100)
        task_set.running_count = task_set.computed_desired_count
        task_set.pending_count = 0


class EcsPatch(EC2ContainerServiceResponse):
    """Operations copied onto moto's EC2ContainerServiceResponse."""

    def create_cluster(self):
        backend = self.ecs_backend
        name = self._get_param("clusterName") or "default"
        existing = backend.clusters.get(name)
        if existing is not None and existing.status == "ACTIVE":
            return ActionResult({"cluster": cluster_view(backend, existing, ("TAGS",))})
        cluster = backend.create_cluster(
            name,
            self._get_param("tags"),
            self._get_param("settings"),
            self._get_param("configuration"),
            self._get_param("capacityProviders"),
            _strategy(self._get_param("defaultCapacityProviderStrategy")),
            service_connect_defaults=self._get_param("serviceConnectDefaults"),
        )
        return ActionResult({"cluster": cluster_view(backend, cluster, ("TAGS",))})

    def describe_clusters(self):
        backend = self.ecs_backend
        clusters, failures = backend.describe_clusters(self._get_param("clusters") or [])
        include = self._get_param("include") or []
        return ActionResult({"clusters": [cluster_view(backend, c, include) for c in clusters], "failures": failures})

    def update_cluster(self):
        backend = self.ecs_backend
        cluster = backend.update_cluster(
            cluster_name=self._get_param("cluster"),
            cluster_settings=self._get_param("settings"),
            configuration=self._get_param("configuration"),
            service_connect_defaults=self._get_param("serviceConnectDefaults"),
        )
        return ActionResult({"cluster": cluster_view(backend, cluster, ("TAGS",))})

    def put_cluster_capacity_providers(self):
        backend = self.ecs_backend
        strategy = self._get_param("defaultCapacityProviderStrategy")
        cluster = backend.put_cluster_capacity_providers(
            self._get_param("cluster"),
            self._get_param("capacityProviders"),
            None if strategy is None else _strategy(strategy),
        )
        return ActionResult({"cluster": cluster_view(backend, cluster, ("TAGS",))})

    def create_service(self):
        awsvpc = (self._get_param("networkConfiguration") or {}).get("awsvpcConfiguration")
        if isinstance(awsvpc, dict):
            awsvpc.setdefault("securityGroups", [])
        result = _ORIGINAL["create_service"](self)
        service = result.result["service"]
        grace = self._get_param("healthCheckGracePeriodSeconds")
        if grace is not None:
            service.health_check_grace_period_seconds = int(grace)
        elif service.load_balancers:
            service.health_check_grace_period_seconds = 0
        service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
        for deployment in service.deployments:
            deployment["updatedAt"] = utcnow()
        initial_task_set(self.ecs_backend, service)
        settle_service(self.ecs_backend, service)
        return result

    def update_service(self):
        backend = self.ecs_backend
        service = backend._get_service(self._get_param("cluster") or "default", self._get_param("service"))  # pylint: disable=protected-access
        if service.deployment_controller.get("type") == "CODE_DEPLOY":
            refuse_code_deploy_update(raw_json(self.body))
        cluster = backend.clusters.get(service.cluster_name)
        before = (cluster.running_tasks_count, cluster.pending_tasks_count) if cluster else (0, 0)
        running, pending = service.running_count, service.pending_count
        result = _ORIGINAL["update_service"](self)
        # moto's own bookkeeping of the cluster counters is lossy here; restore and apply our delta instead.
        if cluster is not None:
            cluster.running_tasks_count, cluster.pending_tasks_count = before
        service.running_count, service.pending_count = running, pending
        settle_service(backend, service)
        return result

    def describe_services(self):
        result = _ORIGINAL["describe_services"](self)
        for service in result.result["services"]:
            settle_task_sets(service)
        return result

    def describe_task_sets(self):
        backend = self.ecs_backend
        service = backend._get_service(self._get_param("cluster") or "default", self._get_param("service"))  # pylint: disable=protected-access
        settle_task_sets(service)
        return _ORIGINAL["describe_task_sets"](self)

    def list_tags_for_resource(self):
        result = _ORIGINAL["list_tags_for_resource"](self)
        return ActionResult({"tags": list(result.result.get("tags") or [])})

    def list_task_definitions(self):
        result = _ORIGINAL["list_task_definitions"](self)
        arns = sorted(result.result["taskDefinitionArns"], key=_family_revision)
        if (self._get_param("sort") or "ASC") == "DESC":
            arns.reverse()
        return ActionResult({**result.result, "taskDefinitionArns": arns})


def _family_revision(arn: str) -> tuple[str, int]:
    family, revision = arn.rsplit("/", 1)[-1].rsplit(":", 1)
    return family, int(revision)


def apply() -> None:
    install(EC2ContainerServiceResponse, EcsPatch)
