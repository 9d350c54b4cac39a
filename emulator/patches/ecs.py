"""ECS clusters and services as AWS returns them.

Follows:
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Cluster.html for DescribeClusters, CreateCluster,
  UpdateCluster and PutClusterCapacityProviders: capacityProviders / defaultCapacityProviderStrategy (base and
  weight default to 0) / statistics / tags are always lists, settings always holds containerInsights, and
  activeServicesCount counts the services. CreateCluster on an ACTIVE cluster returns it unchanged.
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html and API_TaskSet.html: the tasks of
  task sets (CODE_DEPLOY services) run as local processes (emulator/dataplane/tasks.py), so a task set's
  computedDesiredCount = ceil(desiredCount x scale %) and its runningCount/pendingCount count real tasks, and so
  does such a service's runningCount. A service without task sets (ECS controller) runs no task here and is
  always steady: runningCount = desiredCount, pendingCount = 0 (also in its PRIMARY deployment), without
  MOTO_ECS_SERVICE_RUNNING.
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html, API_DescribeTasks.html,
  API_StopTask.html: the task sets' tasks are listed (filters cluster, serviceName, family, startedBy,
  launchType, desiredStatus, default RUNNING), described (stopped ones too, with stoppedReason, stopCode and the
  container's exitCode; unknown ARNs in ``failures`` with reason MISSING) and stopped (the scheduler replaces them).
  moto's own RunTask tasks are listed and described beside them.
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
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html and API_DeploymentConfiguration.html:
  CreateService keeps deploymentConfiguration (moto stored it on UpdateService only). A service with the ECS controller
  and the BLUE_GREEN, LINEAR or CANARY strategy is ECS's own blue/green (emulator/bluegreen/ecs_engine.py): its
  settings are checked as AWS checks them (emulator/bluegreen/ecs_config.py) before anything changes, its revisions run
  as real tasks, and an update of a revision property starts a service deployment; ListServiceDeployments,
  DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment and ContinueServiceDeployment answer
  from that engine (moto raised NotImplementedError).
"""

import math

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ecs.responses import EC2ContainerServiceResponse

from emulator.dataplane import tasks
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
        "update_task_set",
        "delete_task_set",
        "update_service_primary_task_set",
        "delete_service",
        "list_tasks",
        "describe_tasks",
        "stop_task",
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
    ``deploymentController`` is refused when it names EXTERNAL (ECS is the migration, ``refuse_migration``).
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


# The in-place migration from CodeDeploy to ECS-native blue/green
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/migrate-code-deploy-to-ecs-blue-green.html): one
# UpdateService with deploymentController ECS, the blue/green deploymentConfiguration and the load balancers with their
# advancedConfiguration; "Confirm that the service has no in-progress service deployment". The running tasks carry on
# as the service's first revision. AWS publishes no wording for the refusals; these follow its CODE_DEPLOY messages.
MIGRATION_ALSO_SENDS = ("loadBalancers", "deploymentConfiguration")


def is_migration(service, request: dict) -> bool:
    """An UpdateService moving a CODE_DEPLOY service to the ECS controller."""
    wanted = (request.get("deploymentController") or {}).get("type")
    return service.deployment_controller.get("type") == "CODE_DEPLOY" and wanted == "ECS"


def refuse_migration(service, request: dict) -> None:
    """InvalidParameterException while a CodeDeploy deployment is in flight (a task set besides the PRIMARY one), or
    for the members a CODE_DEPLOY service cannot update besides the ones the migration sends."""
    task_sets = list(service.task_sets or [])
    if not task_sets:
        raise aws_error(
            "InvalidParameterException",
            "(emulator) only a CODE_DEPLOY service behind a load balancer, with its PRIMARY task set, can be migrated.",
        )
    if len(task_sets) != 1 or task_sets[0].status != "PRIMARY":
        raise aws_error(
            "InvalidParameterException",
            "Unable to update the deployment controller while a deployment is in progress on the service. "
            "Wait for the CodeDeploy deployment to complete or stop it, then retry.",
        )
    refuse_code_deploy_update(
        {k: v for k, v in request.items() if k not in (*MIGRATION_ALSO_SENDS, "deploymentController")}
    )


def take_over_primary_task_set(engine, service) -> None:
    """The migrated service's PRIMARY task set becomes its first revision: same task definition, network and target
    group, and the same tasks (handed over, never restarted, so the production listener keeps its targets)."""
    primary = service.task_sets[0]
    service.task_definition = primary.task_definition
    if primary.network_configuration:
        service.network_configuration = primary.network_configuration
    engine.adopt(service)
    revision = service.emulator_revisions[0]
    tasks.hand_over(primary.task_set_arn, revision.arn, revision.id)
    service.task_sets = []


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
    """A service's counts: its task sets' (or blue/green revisions') real tasks, or steady without them (cluster
    counters follow)."""
    cluster = backend.clusters.get(service.cluster_name)
    settle_task_sets(service)
    revisions = getattr(service, "emulator_revisions", None)
    if service.task_sets:
        running = sum(ts.running_count for ts in service.task_sets)
        pending = sum(ts.pending_count for ts in service.task_sets)
    elif revisions is not None:
        counted = [tasks.counts(revision.task_set_arn) for revision in revisions]
        running, pending = sum(c[0] for c in counted), sum(c[1] for c in counted)
    else:
        running, pending = service.desired_count, 0
    delta_running = running - service.running_count
    delta_pending = pending - service.pending_count
    service.running_count, service.pending_count = running, pending
    if cluster is not None:
        cluster.running_tasks_count = max(cluster.running_tasks_count + delta_running, 0)
        cluster.pending_tasks_count = max(cluster.pending_tasks_count + delta_pending, 0)
    for deployment in service.deployments:
        if deployment.get("status") == "PRIMARY":
            deployment.update(
                desiredCount=service.desired_count,
                runningCount=running,
                pendingCount=pending,
                taskDefinition=service.task_definition,
                rolloutState="COMPLETED",
                rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
            )


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
    """computedDesiredCount from the scale; runningCount/pendingCount from the tasks that really run."""
    for task_set in service.task_sets:
        scale = task_set.scale or {}
        percent = float(scale.get("value", 100.0)) if scale.get("unit", "PERCENT") == "PERCENT" else 100.0
        task_set.computed_desired_count = math.ceil(service.desired_count * percent / 100)
        task_set.running_count, task_set.pending_count = tasks.counts(task_set.task_set_arn)
    if service.task_sets:
        tasks.wake()


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
        request = raw_json(self.body)
        engine = _blue_green_engine(self.ecs_backend)
        blue_green = _check_blue_green(engine, request, request.get("deploymentController"), request)
        awsvpc = (self._get_param("networkConfiguration") or {}).get("awsvpcConfiguration")
        if isinstance(awsvpc, dict):
            awsvpc.setdefault("securityGroups", [])
        result = _ORIGINAL["create_service"](self)
        service = result.result["service"]
        service.deployment_configuration = self._get_param("deploymentConfiguration")
        grace = self._get_param("healthCheckGracePeriodSeconds")
        if grace is not None:
            service.health_check_grace_period_seconds = int(grace)
        elif service.load_balancers:
            service.health_check_grace_period_seconds = 0
        service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
        for deployment in service.deployments:
            deployment["updatedAt"] = utcnow()
        initial_task_set(self.ecs_backend, service)
        if blue_green:
            engine.adopt(service)
        settle_service(self.ecs_backend, service)
        return result

    def update_service(self):
        backend = self.ecs_backend
        service = backend._get_service(self._get_param("cluster") or "default", self._get_param("service"))  # pylint: disable=protected-access
        request = raw_json(self.body)
        migrating = is_migration(service, request)
        if migrating:
            refuse_migration(service, request)
        elif service.deployment_controller.get("type") == "CODE_DEPLOY":
            refuse_code_deploy_update(request)
        engine = _blue_green_engine(backend)
        effective = {
            "deploymentConfiguration": request.get(
                "deploymentConfiguration", getattr(service, "deployment_configuration", None)
            ),
            "loadBalancers": request.get("loadBalancers") or service.load_balancers,
        }
        controller = request.get("deploymentController") or service.deployment_controller
        blue_green = _check_blue_green(engine, effective, controller, request)
        if migrating and not blue_green:
            raise aws_error(
                "InvalidParameterException",
                "(emulator) moving a CODE_DEPLOY service to the ECS controller is emulated for the BLUE_GREEN, LINEAR "
                "and CANARY strategies only.",
            )
        if blue_green and not migrating:
            engine.adopt(service)  # a service turning blue/green: what runs now is its first revision
        revision_before = _revision_fields(service)
        cluster = backend.clusters.get(service.cluster_name)
        before = (cluster.running_tasks_count, cluster.pending_tasks_count) if cluster else (0, 0)
        running, pending = service.running_count, service.pending_count
        result = _ORIGINAL["update_service"](self)
        # moto's own bookkeeping of the cluster counters is lossy here; restore and apply our delta instead.
        if cluster is not None:
            cluster.running_tasks_count, cluster.pending_tasks_count = before
        service.running_count, service.pending_count = running, pending
        if migrating:
            take_over_primary_task_set(engine, service)
        elif blue_green and engine.needs_deployment(service, revision_before, request):
            engine.start(service)
        settle_service(backend, service)
        return result

    # -- ECS-native blue/green service deployments (emulator/bluegreen/ecs_engine.py) ------------------------------

    def list_service_deployments(self):
        backend = self.ecs_backend
        service = backend._get_service(self._get_param("cluster") or "default", self._get_param("service"))  # pylint: disable=protected-access
        found = _blue_green_engine(backend).list_deployments(
            service, self._get_param("status") or [], self._get_param("createdAt")
        )
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or 20)
        answer = {"serviceDeployments": found[start : start + size]}
        if start + size < len(found):
            answer["nextToken"] = str(start + size)
        return ActionResult(answer)

    def describe_service_deployments(self):
        arns = _at_most_20(self._get_param("serviceDeploymentArns"), "serviceDeploymentArns")
        found, failures = _blue_green_engine(self.ecs_backend).describe_deployments(arns)
        return ActionResult({"serviceDeployments": found, "failures": failures})

    def describe_service_revisions(self):
        arns = _at_most_20(self._get_param("serviceRevisionArns"), "serviceRevisionArns")
        found, failures = _blue_green_engine(self.ecs_backend).describe_revisions(arns)
        return ActionResult({"serviceRevisions": found, "failures": failures})

    def stop_service_deployment(self):
        arn = self._get_param("serviceDeploymentArn")
        _blue_green_engine(self.ecs_backend).stop(arn, self._get_param("stopType") or "ROLLBACK")
        return ActionResult({"serviceDeploymentArn": arn})

    def continue_service_deployment(self):
        arn = self._get_param("serviceDeploymentArn")
        engine = _blue_green_engine(self.ecs_backend)
        engine.continue_(arn, self._get_param("hookId"), self._get_param("action") or "CONTINUE")
        return ActionResult({"serviceDeploymentArn": arn})

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

    def create_task_set(self):
        """moto runs fake tasks (RunTask) for a task set created with a scale; here the reconciler runs real ones."""
        backend = self.ecs_backend
        task_set = backend.create_task_set(
            self._get_param("service"),
            self._get_param("cluster", "default"),
            self._get_param("taskDefinition"),
            external_id=self._get_param("externalId"),
            network_configuration=self._get_param("networkConfiguration"),
            load_balancers=self._get_param("loadBalancers"),
            service_registries=self._get_param("serviceRegistries"),
            launch_type=self._get_param("launchType"),
            capacity_provider_strategy=self._get_param("capacityProviderStrategy"),
            platform_version=self._get_param("platformVersion"),
            scale=None,
            client_token=self._get_param("clientToken"),
            tags=self._get_param("tags"),
        )
        if self._get_param("scale"):
            task_set.scale = self._get_param("scale")
        _settle_by_name(backend, self._get_param("cluster", "default"), self._get_param("service"))
        return ActionResult({"taskSet": task_set})

    def update_task_set(self):
        result = _ORIGINAL["update_task_set"](self)
        _settle_by_name(self.ecs_backend, self._get_param("cluster", "default"), self._get_param("service"))
        return result

    def delete_task_set(self):
        result = _ORIGINAL["delete_task_set"](self)
        _settle_by_name(self.ecs_backend, self._get_param("cluster", "default"), self._get_param("service"))
        tasks.wake()  # the deleted task set's tasks stop
        return result

    def update_service_primary_task_set(self):
        result = _ORIGINAL["update_service_primary_task_set"](self)
        tasks.wake()
        return result

    def delete_service(self):
        result = _ORIGINAL["delete_service"](self)
        tasks.wake()  # an INACTIVE service's tasks stop
        return result

    def list_tasks(self):
        """The task sets' tasks, then moto's own (RunTask); desiredStatus defaults to RUNNING as in AWS."""
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster") or "default")  # pylint: disable=protected-access
        service_name = self._get_param("serviceName")
        if service_name and f"{cluster.name}:{service_name.split('/')[-1]}" not in backend.services:
            raise aws_error("ServiceNotFoundException", "Service not found.")
        desired = self._get_param("desiredStatus") or "RUNNING"
        family = self._get_param("family")
        started_by = self._get_param("startedBy")
        launch_type = self._get_param("launchType")
        arns = []
        for task in tasks.listed(backend.account_id, backend.region_name, cluster.name):
            if task.desired_status != desired:
                continue
            if service_name and task.service != service_name.split("/")[-1]:
                continue
            if family and task.task_definition_arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] != family:
                continue
            if (started_by and task.task_set_id != started_by) or (launch_type and launch_type != "FARGATE"):
                continue
            arns.append(task.arn)
        if not service_name:
            arns += [
                t.task_arn
                for t in backend.list_tasks(cluster.name, None, family, started_by, None, desired)
                if not launch_type or t.launch_type == launch_type
            ]
        return ActionResult({"taskArns": arns})

    def describe_tasks(self):
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster") or "default")  # pylint: disable=protected-access
        wanted = self._get_param("tasks") or []
        if not wanted:
            raise aws_error("InvalidParameterException", "Tasks cannot be empty.")
        include_tags = "TAGS" in (self._get_param("include") or [])
        found, failures = [], []
        for reference in wanted:
            task = tasks.find(reference)
            if task is not None and task.cluster == cluster.name:
                found.append(tasks.describe(task, include_tags))
                continue
            theirs = [t for t in backend.tasks.get(cluster.name, {}).values() if _same_task(t.task_arn, reference)]
            if theirs:
                found += theirs
            else:
                failures.append({"arn": reference, "reason": "MISSING"})
        return ActionResult({"tasks": found, "failures": failures})

    def stop_task(self):
        """StopTask on a task set's task: it stops (stopCode UserInitiated) and the scheduler replaces it."""
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster") or "default")  # pylint: disable=protected-access
        reference = self._get_param("task")
        task = tasks.find(reference)
        if task is None or task.cluster != cluster.name:
            return _ORIGINAL["stop_task"](self)
        tasks.stop_task(task.arn, self._get_param("reason") or "Task stopped by user", "UserInitiated")
        return ActionResult({"task": tasks.describe(task)})

    def list_tags_for_resource(self):
        result = _ORIGINAL["list_tags_for_resource"](self)
        return ActionResult({"tags": list(result.result.get("tags") or [])})

    def list_task_definitions(self):
        result = _ORIGINAL["list_task_definitions"](self)
        arns = sorted(result.result["taskDefinitionArns"], key=_family_revision)
        if (self._get_param("sort") or "ASC") == "DESC":
            arns.reverse()
        return ActionResult({**result.result, "taskDefinitionArns": arns})


def _blue_green_engine(backend):
    from emulator.bluegreen import ecs_engine  # pylint: disable=import-outside-toplevel  # it imports this module

    return ecs_engine.engine_for(backend)


def _revision_fields(service) -> dict:
    from emulator.bluegreen import ecs_engine  # pylint: disable=import-outside-toplevel  # it imports this module

    return ecs_engine.revision_fields(service)


def _check_blue_green(engine, settings: dict, controller: dict | None, request: dict) -> bool:
    """Refuse what AWS refuses in a blue/green service's settings (before anything changes); True for such a service."""
    from emulator.bluegreen import ecs_config  # pylint: disable=import-outside-toplevel

    config = settings.get("deploymentConfiguration")
    if request.get("deploymentConfiguration") is not None:
        ecs_config.check_deployment_configuration(config)
    if not ecs_config.is_blue_green(controller, config):
        return False
    ecs_config.check_deployment_configuration(config)
    ecs_config.check_load_balancers(
        settings.get("loadBalancers"), ecs_config.strategy_of(config), engine.rule_action_types, engine.role_trusts_ecs
    )
    return True


def _at_most_20(arns, member: str) -> list[str]:
    """DescribeServiceDeployments / DescribeServiceRevisions: "You can specify a maximum of 20 ARNs"."""
    arns = list(arns or [])
    if not arns or len(arns) > 20:
        raise aws_error("InvalidParameterException", f"{member} must contain between 1 and 20 ARNs.")
    return arns


def _same_task(arn: str, reference: str) -> bool:
    return reference in (arn, arn.rsplit("/", 1)[-1])


def _settle_by_name(backend, cluster: str, service: str) -> None:
    found = backend.services.get(f"{cluster.split('/')[-1]}:{service.split('/')[-1]}")
    if found is not None:
        settle_service(backend, found)


def _family_revision(arn: str) -> tuple[str, int]:
    family, revision = arn.rsplit("/", 1)[-1].rsplit(":", 1)
    return family, int(revision)


def apply() -> None:
    install(EC2ContainerServiceResponse, EcsPatch)
