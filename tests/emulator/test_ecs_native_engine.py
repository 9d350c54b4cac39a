"""ECS-native blue/green (emulator/bluegreen/ecs_engine.py, service_deployment.py): a service with the ECS deployment
controller and the BLUE_GREEN / LINEAR / CANARY strategy moves through AWS's lifecycle stages on the listener rules.

The stack: an internet-facing ALB (production listener :80, test listener :8080, both forwarding to blue), blue and
green target groups, a load-balancer role trusted by ecs.amazonaws.com, and a Fargate service whose tasks run for
real (an image whose recipe answers its version). Answers are checked against botocore's service model: boto3 parses
them, and ``assert_shape`` checks each member is one the model defines.
"""

import json
import sys
import time
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError

from emulator import clock
from emulator.bluegreen.world import World
from emulator.dataplane import images
from tests.emulator.test_dataplane_balancers import get, security_group

MINUTE = 0.1
ACCOUNT = "123456789012"
PORT = 8000
ROOT = __file__.rsplit("/tests/", 1)[0]
TRUST_ECS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
# Answers every path with its image's version (the health check included).
VERSION_SERVER = """\
import http.server, os
class Reply(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = os.environ["APP_VERSION"].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Reply).serve_forever()
"""


@dataclass
class Stack:  # pylint: disable=too-many-instance-attributes
    aws: object
    ecs: object
    elbv2: object
    dns: str
    prod_listener: str
    test_listener: str
    prod_rule: str
    test_rule: str
    blue_tg: str
    green_tg: str
    role: str
    subnets: list
    repo: str

    def image(self, tag: str, runs: bool = True) -> str:
        """An image whose tasks answer ``tag``; ``runs=False``: one with no recipe (its tasks fail to start)."""
        if runs:
            manifest = images.recipe_manifest([sys.executable, "-c", VERSION_SERVER], {"APP_VERSION": tag}, ROOT, tag)
            self.aws("ecr").put_image(repositoryName="web", imageTag=tag, imageManifest=manifest)
        return f"{self.repo}:{tag}"

    def task_definition(self, tag: str, runs: bool = True) -> str:
        container = {"name": "web", "image": self.image(tag, runs), "portMappings": [{"containerPort": PORT}]}
        return self.ecs.register_task_definition(
            family="web",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[container],
        )["taskDefinition"]["taskDefinitionArn"]

    def balancers(self, **advanced) -> list[dict]:
        config = {
            "alternateTargetGroupArn": self.green_tg,
            "productionListenerRule": self.prod_rule,
            "testListenerRule": self.test_rule,
            "roleArn": self.role,
            **advanced,
        }
        return [
            {
                "targetGroupArn": self.blue_tg,
                "containerName": "web",
                "containerPort": PORT,
                "advancedConfiguration": {k: v for k, v in config.items() if v is not None},
            }
        ]

    def create(self, config: dict, tag: str = "1.0.0", runs: bool = True, desired: int = 1, **kwargs) -> dict:
        return self.ecs.create_service(
            cluster="main",
            serviceName="web",
            taskDefinition=self.task_definition(tag, runs),
            desiredCount=desired,
            launchType="FARGATE",
            deploymentController={"type": "ECS"},
            deploymentConfiguration=config,
            loadBalancers=kwargs.pop("loadBalancers", None) or self.balancers(),
            networkConfiguration={"awsvpcConfiguration": {"subnets": self.subnets, "securityGroups": []}},
            **kwargs,
        )["service"]

    def release(self, tag: str, runs: bool = True) -> str:
        """UpdateService with a new task definition; returns the new service deployment's ARN."""
        self.ecs.update_service(cluster="main", service="web", taskDefinition=self.task_definition(tag, runs))
        return self.deployments()[0]["serviceDeploymentArn"]

    def deployments(self) -> list[dict]:
        return self.ecs.list_service_deployments(cluster="main", service="web")["serviceDeployments"]

    def describe(self, arn: str) -> dict:
        answer = self.ecs.describe_service_deployments(serviceDeploymentArns=[arn])
        assert answer["failures"] == []
        found = answer["serviceDeployments"][0]
        assert_shape(self.ecs, "ServiceDeployment", found)
        return found

    def weights(self, rule: str) -> dict[str, int]:
        """{"blue": weight, "green": weight} of a listener rule's forward action."""
        action = self.elbv2.describe_rules(RuleArns=[rule])["Rules"][0]["Actions"][0]
        groups = action.get("ForwardConfig", {}).get("TargetGroups") or [{"TargetGroupArn": action["TargetGroupArn"]}]
        names = {self.blue_tg: "blue", self.green_tg: "green"}
        return {names[g["TargetGroupArn"]]: g.get("Weight", 1) for g in groups}


def assert_shape(client, shape_name: str, value) -> None:
    """Every member of ``value`` is one botocore's ecs model defines for ``shape_name`` (recursively)."""
    shape = client.meta.service_model.shape_for(shape_name)
    _check(shape, value, shape_name)


def _check(shape, value, path: str) -> None:
    if getattr(shape, "is_document_type", False):
        return  # a JSON value (hookDetails): any members
    if shape.type_name == "structure":
        assert isinstance(value, dict), path
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{path}: members not in the model: {unknown}"
        for key, item in value.items():
            _check(shape.members[key], item, f"{path}.{key}")
    elif shape.type_name == "list":
        assert isinstance(value, list), path
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]")
    elif shape.type_name == "string" and shape.enum:
        assert value in shape.enum, f"{path}: {value!r} not in {shape.enum}"


def wait_for(read, until, timeout=30.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        answer = read()
        if until(answer):
            return answer
        assert time.monotonic() < deadline, f"timed out; last answer: {answer}"
        time.sleep(interval)


def wait_deployment(stack: Stack, arn: str, until, timeout=30.0) -> dict:
    return wait_for(lambda: stack.describe(arn), until, timeout)


def status_is(*statuses):
    return lambda d: d["status"] in statuses


def awaiting(stage: str):
    def check(found):
        return found.get("lifecycleStage") == stage and any(
            h["status"] == "AWAITING_ACTION" for h in found["lifecycleHookDetails"]
        )

    return check


def hook_of(found: dict) -> str:
    return next(h["hookId"] for h in found["lifecycleHookDetails"] if h["status"] == "AWAITING_ACTION")


def build_stack(aws):
    """The network, load balancer, target groups, rules, role and cluster every ECS-native test starts from
    (a generator: the ``stack`` fixture in conftest.py)."""
    clock.set_minute_seconds(MINUTE)
    ec2, elbv2, iam = aws("ec2"), aws("elbv2"), aws("iam")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    sg = security_group(ec2, vpc, "alb", [("0.0.0.0/0", 80), ("0.0.0.0/0", 8080)])
    alb = elbv2.create_load_balancer(
        Name="alb", Subnets=subnets, SecurityGroups=[sg], Scheme="internet-facing", Type="application"
    )["LoadBalancers"][0]
    blue_tg, green_tg = (
        elbv2.create_target_group(
            Name=name,
            Protocol="HTTP",
            Port=PORT,
            VpcId=vpc,
            TargetType="ip",
            HealthCheckPath="/health",
            HealthCheckIntervalSeconds=5,
            HealthyThresholdCount=2,
        )["TargetGroups"][0]["TargetGroupArn"]
        for name in ("blue", "green")
    )
    forward = [
        {
            "Type": "forward",
            "ForwardConfig": {
                "TargetGroups": [{"TargetGroupArn": blue_tg, "Weight": 100}, {"TargetGroupArn": green_tg, "Weight": 0}]
            },
        }
    ]
    listeners = [
        elbv2.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=port, DefaultActions=forward
        )["Listeners"][0]["ListenerArn"]
        for port in (80, 8080)
    ]
    prod_rule, test_rule = [
        [r["RuleArn"] for r in elbv2.describe_rules(ListenerArn=arn)["Rules"] if r["IsDefault"]][0] for arn in listeners
    ]
    role = iam.create_role(RoleName="ecs-lb", AssumeRolePolicyDocument=TRUST_ECS)["Role"]["Arn"]
    repo = aws("ecr").create_repository(repositoryName="web")["repository"]["repositoryUri"]
    ecs = aws("ecs")
    ecs.create_cluster(clusterName="main")
    yield Stack(
        aws, ecs, elbv2, alb["DNSName"], *listeners, prod_rule, test_rule, blue_tg, green_tg, role, subnets, repo
    )
    clock.set_minute_seconds(None)


def without_health(monkeypatch):
    """SCALE_UP lasts its fixed time: for tests where the tasks are not the point (their images have no recipe)."""
    monkeypatch.setattr(World, "target_health_reader", staticmethod(lambda: None))


def pause_at(*stages: str) -> list[dict]:
    return [{"targetType": "PAUSE", "lifecycleStages": list(stages)}]


def versions(stack: Stack, port: int, count: int) -> list[str]:
    return [get(stack.dns, port)[1].decode() for _request in range(count)]


# -- a canary end to end --------------------------------------------------------------------------------------------


def test_canary_moves_the_rules_stage_by_stage_and_production_ends_on_green(stack):
    config = {
        "strategy": "CANARY",
        "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 1},
        "bakeTimeInMinutes": 1,
        "lifecycleHooks": pause_at("POST_TEST_TRAFFIC_SHIFT", "PRE_PRODUCTION_TRAFFIC_SHIFT"),
    }
    service = stack.create(config)
    assert service["deploymentConfiguration"]["strategy"] == "CANARY"  # CreateService keeps it
    first = stack.deployments()
    assert [d["status"] for d in first] == ["SUCCESSFUL"]
    wait_for(lambda: versions(stack, 80, 1), lambda answers: answers == ["1.0.0"])

    arn = stack.release("2.0.0")
    found = wait_deployment(stack, arn, awaiting("POST_TEST_TRAFFIC_SHIFT"))
    assert found["status"] == "IN_PROGRESS"
    assert found["sourceServiceRevisions"][0]["arn"] == first[0]["targetServiceRevisionArn"]
    assert stack.weights(stack.test_rule) == {"blue": 0, "green": 100}
    assert stack.weights(stack.prod_rule) == {"blue": 100, "green": 0}
    assert set(versions(stack, 8080, 3)) == {"2.0.0"}  # the test listener reaches green's tasks
    assert set(versions(stack, 80, 3)) == {"1.0.0"}

    stack.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_of(found), action="CONTINUE")
    found = wait_deployment(stack, arn, awaiting("PRODUCTION_TRAFFIC_SHIFT"))  # before the canary step
    assert stack.weights(stack.prod_rule) == {"blue": 100, "green": 0}
    stack.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_of(found))

    found = wait_deployment(stack, arn, awaiting("PRODUCTION_TRAFFIC_SHIFT"))  # before the last step
    assert stack.weights(stack.prod_rule) == {"blue": 90, "green": 10}
    canary = versions(stack, 80, 20)
    assert (canary.count("1.0.0"), canary.count("2.0.0")) == (18, 2)
    assert found["targetServiceRevision"]["requestedProductionTrafficWeight"] == 10.0
    stack.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_of(found))

    found = wait_deployment(stack, arn, status_is("SUCCESSFUL"))
    assert found["lifecycleStage"] == "CLEAN_UP"
    assert stack.weights(stack.prod_rule) == {"blue": 0, "green": 100}
    assert set(versions(stack, 80, 5)) == {"2.0.0"}
    revision = stack.ecs.describe_service_revisions(serviceRevisionArns=[found["targetServiceRevision"]["arn"]])
    assert_shape(stack.ecs, "ServiceRevision", revision["serviceRevisions"][0])
    assert revision["serviceRevisions"][0]["taskDefinition"].endswith("web:2")
    blue = found["sourceServiceRevisions"][0]
    wait_for(lambda: stack.describe(arn)["sourceServiceRevisions"][0], lambda b: b["runningTaskCount"] == 0)
    assert blue["arn"] == first[0]["targetServiceRevisionArn"]


def test_linear_shifts_production_in_equal_steps(stack, no_health):
    config = {"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 1}}
    config["lifecycleHooks"] = pause_at("PRE_PRODUCTION_TRAFFIC_SHIFT")
    stack.create(config, runs=False)
    arn = stack.release("2.0.0", runs=False)
    seen = []
    for _step in range(2):
        found = wait_deployment(stack, arn, awaiting("PRODUCTION_TRAFFIC_SHIFT"))
        seen.append(stack.weights(stack.prod_rule))
        stack.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_of(found))
    wait_deployment(stack, arn, status_is("SUCCESSFUL"))
    assert seen == [{"blue": 100, "green": 0}, {"blue": 50, "green": 50}]
    assert stack.weights(stack.prod_rule) == {"blue": 0, "green": 100}


# -- PAUSE hooks ----------------------------------------------------------------------------------------------------


def test_pause_then_rollback_puts_both_rules_back_on_blue(stack, no_health):
    stack.create({"strategy": "BLUE_GREEN", "lifecycleHooks": pause_at("POST_TEST_TRAFFIC_SHIFT")}, runs=False)
    blue_revision = stack.deployments()[0]["targetServiceRevisionArn"]
    arn = stack.release("2.0.0", runs=False)
    found = wait_deployment(stack, arn, awaiting("POST_TEST_TRAFFIC_SHIFT"))
    assert found["lifecycleHookDetails"][0]["targetType"] == "PAUSE"
    assert found["lifecycleHookDetails"][0]["timeoutAction"] == "ROLLBACK"
    assert stack.weights(stack.test_rule)["green"] == 100

    stack.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId=hook_of(found), action="ROLLBACK")

    found = wait_deployment(stack, arn, status_is("ROLLBACK_SUCCESSFUL"))
    assert found["rollback"]["serviceRevisionArn"] == blue_revision
    assert "ContinueServiceDeployment" in found["rollback"]["reason"]
    assert stack.weights(stack.test_rule) == stack.weights(stack.prod_rule) == {"blue": 100, "green": 0}
    service = stack.ecs.describe_services(cluster="main", services=["web"])["services"][0]
    assert service["taskDefinition"].endswith("web:1")


def test_pause_times_out_with_its_action(stack, no_health):
    hooks = [
        {
            "targetType": "PAUSE",
            "lifecycleStages": ["POST_SCALE_UP"],
            "timeoutConfiguration": {"timeoutInMinutes": 2, "action": "CONTINUE"},
        }
    ]
    stack.create({"strategy": "BLUE_GREEN", "lifecycleHooks": hooks}, runs=False)
    arn = stack.release("2.0.0", runs=False)
    wait_deployment(stack, arn, awaiting("POST_SCALE_UP"))
    assert wait_deployment(stack, arn, status_is("SUCCESSFUL"))["status"] == "SUCCESSFUL"


def test_continue_refuses_a_hook_that_is_not_awaiting_action(stack, no_health):
    stack.create({"strategy": "BLUE_GREEN", "lifecycleHooks": pause_at("PRE_SCALE_UP")}, runs=False)
    arn = stack.release("2.0.0", runs=False)
    wait_deployment(stack, arn, awaiting("PRE_SCALE_UP"))
    with pytest.raises(ClientError) as refused:
        stack.ecs.continue_service_deployment(serviceDeploymentArn=arn, hookId="ecs-pause-nope")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as missing:
        stack.ecs.continue_service_deployment(serviceDeploymentArn=arn + "x", hookId="ecs-pause-nope")
    assert missing.value.response["Error"]["Code"] == "ServiceDeploymentNotFoundException"


# -- rollbacks ------------------------------------------------------------------------------------------------------


def test_alarm_in_the_bake_rolls_back(stack, no_health):
    cloudwatch = stack.aws("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="errors",
        MetricName="5xx",
        Namespace="app",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    config = {
        "strategy": "BLUE_GREEN",
        "bakeTimeInMinutes": 600,
        "alarms": {"alarmNames": ["errors"], "enable": True, "rollback": True},
    }
    stack.create(config, runs=False)
    arn = stack.release("2.0.0", runs=False)
    wait_deployment(stack, arn, lambda d: d.get("lifecycleStage") == "BAKE_TIME")
    assert stack.weights(stack.prod_rule)["green"] == 100

    cloudwatch.set_alarm_state(AlarmName="errors", StateValue="ALARM", StateReason="test")

    found = wait_deployment(stack, arn, status_is("ROLLBACK_SUCCESSFUL"))
    assert found["alarms"] == {"status": "TRIGGERED", "alarmNames": ["errors"], "triggeredAlarmNames": ["errors"]}
    assert "errors" in found["rollback"]["reason"]
    assert stack.weights(stack.prod_rule) == {"blue": 100, "green": 0}


def test_stop_service_deployment_rolls_back_and_then_conflicts(stack, no_health):
    stack.create({"strategy": "BLUE_GREEN", "lifecycleHooks": pause_at("POST_TEST_TRAFFIC_SHIFT")}, runs=False)
    arn = stack.release("2.0.0", runs=False)
    wait_deployment(stack, arn, awaiting("POST_TEST_TRAFFIC_SHIFT"))

    assert (
        stack.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")["serviceDeploymentArn"] == arn
    )

    found = wait_deployment(stack, arn, status_is("ROLLBACK_SUCCESSFUL"))
    assert found["finishedAt"] >= found["startedAt"]
    assert stack.weights(stack.test_rule) == {"blue": 100, "green": 0}
    with pytest.raises(ClientError) as refused:
        stack.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK")
    assert refused.value.response["Error"]["Code"] == "ConflictException"
    listed = stack.ecs.list_service_deployments(cluster="main", service="web", status=["ROLLBACK_SUCCESSFUL"])
    assert [d["serviceDeploymentArn"] for d in listed["serviceDeployments"]] == [arn]
    for brief in listed["serviceDeployments"]:
        assert_shape(stack.ecs, "ServiceDeploymentBrief", brief)


def test_stop_service_deployment_abort_is_refused_as_documented(stack, no_health):
    stack.create({"strategy": "BLUE_GREEN", "lifecycleHooks": pause_at("PRE_SCALE_UP")}, runs=False)
    arn = stack.release("2.0.0", runs=False)
    with pytest.raises(ClientError) as refused:
        stack.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ABORT")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert stack.describe(arn)["status"] in ("PENDING", "IN_PROGRESS")


def test_circuit_breaker_rolls_back_when_green_tasks_keep_failing(stack):
    config = {"strategy": "BLUE_GREEN", "deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    stack.create(config)
    wait_for(lambda: versions(stack, 80, 1), lambda answers: answers == ["1.0.0"])
    arn = stack.release("2.0.0", runs=False)  # no recipe: CannotPullContainerError, again and again

    found = wait_deployment(stack, arn, status_is("ROLLBACK_SUCCESSFUL"), timeout=60)

    assert found["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    assert found["deploymentCircuitBreaker"]["failureCount"] >= found["deploymentCircuitBreaker"]["threshold"] == 3
    assert set(versions(stack, 80, 3)) == {"1.0.0"}


def test_describe_reports_unknown_arns_as_failures(stack, no_health):
    stack.create({"strategy": "BLUE_GREEN"}, runs=False)
    missing = "arn:aws:ecs:us-east-1:123456789012:service-deployment/main/web/nope"
    answer = stack.ecs.describe_service_deployments(serviceDeploymentArns=[missing])
    assert answer["failures"] == [{"arn": missing, "reason": "MISSING"}]
    answer = stack.ecs.describe_service_revisions(serviceRevisionArns=[missing])
    assert answer["failures"] == [{"arn": missing, "reason": "MISSING"}]
