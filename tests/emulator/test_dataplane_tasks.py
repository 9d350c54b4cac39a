"""ECS tasks that run (emulator/dataplane/tasks.py): processes on their own loopback addresses, as ECS runs them."""

import importlib.util
import ipaddress
import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request

import boto3
import pytest

from emulator import clock
from emulator.dataplane import images, network, postgres, tasks
from emulator.server import EmulatorServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_SPEC = importlib.util.spec_from_file_location("push_image", os.path.join(ROOT, "scripts", "push_image.py"))
push_image = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(push_image)

PORT = 8000
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# A process that answers its environment as JSON on HOST:PORT (to see what a task gets).
ENV_SERVER = """\
import http.server, json, os
class Reply(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(dict(os.environ)).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
print("env server up", flush=True)
http.server.HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Reply).serve_forever()
"""


def wait_for(read, until, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        answer = read()
        if until(answer):
            return answer
        assert time.monotonic() < deadline, f"timed out; last answer: {answer}"
        time.sleep(interval)


def get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.status, resp.read().decode()


def answers(url):
    try:
        return get(url)
    except (OSError, urllib.error.URLError):
        return None


def listening(address, port):
    try:
        socket.create_connection((address, port), timeout=1).close()
        return True
    except OSError:
        return False


class Stack:
    """VPC with two subnets, target group, cluster, ECR repository: what a CODE_DEPLOY service needs."""

    def __init__(self, client):
        self.client = client
        self.ec2, self.ecs, self.ecr, self.elbv2 = (client(n) for n in ("ec2", "ecs", "ecr", "elbv2"))
        self.logs = client("logs")
        self.vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnets = [
            self.ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)
        ]
        self.repo = self.ecr.create_repository(repositoryName="web")["repository"]["repositoryUri"]
        self.tg = self.elbv2.create_target_group(
            Name="blue", Protocol="HTTP", Port=PORT, VpcId=self.vpc, TargetType="ip"
        )["TargetGroups"][0]["TargetGroupArn"]
        self.ecs.create_cluster(clusterName="c1")

    def push(self, tag, broken=None):
        return push_image.push(self.ecr, "web", tag, broken)["image"]

    def push_recipe(self, tag, argv, env=None):
        self.ecr.put_image(
            repositoryName="web", imageTag=tag, imageManifest=images.recipe_manifest(argv, env, ROOT, tag)
        )
        return f"{self.repo}:{tag}"

    def service(self, image, desired=2, task=None, **container):
        definition = {"name": "web", "image": image, "portMappings": [{"containerPort": PORT}], **container}
        td = self.ecs.register_task_definition(
            **(task or {}),
            family="web",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[definition],
        )["taskDefinition"]["taskDefinitionArn"]
        self.ecs.create_service(
            cluster="c1",
            serviceName="web",
            taskDefinition=td,
            desiredCount=desired,
            launchType="FARGATE",
            deploymentController={"type": "CODE_DEPLOY"},
            loadBalancers=[{"targetGroupArn": self.tg, "containerName": "web", "containerPort": PORT}],
            networkConfiguration={"awsvpcConfiguration": {"subnets": self.subnets, "securityGroups": []}},
        )
        return self.task_set()

    def task_set(self):
        return self.ecs.describe_services(cluster="c1", services=["web"])["services"][0]["taskSets"][0]

    def tasks(self, status="RUNNING"):
        arns = self.ecs.list_tasks(cluster="c1", serviceName="web", desiredStatus=status)["taskArns"]
        return self.ecs.describe_tasks(cluster="c1", tasks=arns)["tasks"] if arns else []

    def running(self, count):
        return wait_for(
            self.tasks, lambda found: len(found) == count and all(t["lastStatus"] == "RUNNING" for t in found)
        )

    def targets(self):
        """Registered targets; a deregistered one may still be listed while it drains (deregistration delay)."""
        found = self.elbv2.describe_target_health(TargetGroupArn=self.tg)["TargetHealthDescriptions"]
        return sorted(
            (d["Target"]["Id"], d["Target"]["Port"]) for d in found if d["TargetHealth"]["State"] != "draining"
        )


def private_ip(task):
    return next(d["value"] for d in task["attachments"][0]["details"] if d["name"] == "privateIPv4Address")


def loopback(stack, task):
    return network.BOOK.by_private_ip(stack.vpc, private_ip(task)).loopback


@pytest.fixture
def stack(aws):
    yield Stack(aws)
    tasks.shutdown()  # the next test starts from no process


def test_task_set_tasks_answer_http_on_their_own_addresses(stack):
    stack.service(stack.push("1.0.0"), desired=2)
    running = stack.running(2)

    ips = sorted(private_ip(t) for t in running)
    subnets = {d["value"] for t in running for d in t["attachments"][0]["details"] if d["name"] == "subnetId"}
    assert subnets == set(stack.subnets)  # round robin over the awsvpcConfiguration's subnets
    addresses = {loopback(stack, t) for t in running}
    assert len(addresses) == 2 and all(
        ipaddress.ip_address(a) in ipaddress.ip_network("127.0.0.0/8") for a in addresses
    )
    assert "127.0.0.1" not in addresses
    for address in addresses:
        status, body = wait_for(lambda a=address: answers(f"http://{a}:{PORT}/version"), bool)
        assert status == 200 and json.loads(body)["version"] == "1.0.0"
    assert stack.targets() == [(ip, PORT) for ip in ips]  # RegisterTargets Id=private IP, Port=container port
    enis = stack.ec2.describe_network_interfaces()["NetworkInterfaces"]
    assert sorted(e["PrivateIpAddress"] for e in enis) == ips
    task_set = stack.task_set()
    assert (task_set["computedDesiredCount"], task_set["runningCount"], task_set["pendingCount"]) == (2, 2, 0)
    assert {t["startedBy"] for t in running} == {task_set["id"]}
    assert {t["group"] for t in running} == {"service:web"}
    infos = tasks.for_task_set(task_set["taskSetArn"])
    assert sorted(i.private_ip for i in infos) == ips and {i.loopback for i in infos} == addresses


def test_an_exited_task_is_stopped_with_its_exit_code_and_replaced(stack):
    stack.service(stack.push("1.0.0"), desired=2)
    first = stack.running(2)
    victim = first[0]
    os.killpg(tasks.find(victim["taskArn"]).proc.pid, signal.SIGKILL)

    (stopped,) = wait_for(
        lambda: stack.tasks("STOPPED"), lambda found: len(found) == 1 and found[0]["lastStatus"] == "STOPPED"
    )
    assert stopped["taskArn"] == victim["taskArn"]
    assert (stopped["stopCode"], stopped["stoppedReason"]) == (
        "EssentialContainerExited",
        "Essential container in task exited",
    )
    assert stopped["containers"][0]["exitCode"] == 137  # SIGKILL, as Docker reports it
    assert stopped["stoppedAt"] >= stopped["startedAt"]
    now_running = stack.running(2)
    assert victim["taskArn"] not in {t["taskArn"] for t in now_running}  # a replacement, as the scheduler starts
    assert private_ip(victim) not in {ip for ip, _port in stack.targets()}  # deregistered with the stopped task


def test_scale_in_task_set_deletion_and_service_deletion_stop_processes(stack):
    stack.service(stack.push("1.0.0"), desired=3)
    running = stack.running(3)
    procs = {t["taskArn"]: tasks.find(t["taskArn"]).proc for t in running}

    stack.ecs.update_service(cluster="c1", service="web", desiredCount=1)
    (kept,) = stack.running(1)
    stopped = wait_for(
        lambda: stack.tasks("STOPPED"),
        lambda found: len(found) == 2 and all(t["lastStatus"] == "STOPPED" for t in found),
    )
    assert {t["stoppedReason"] for t in stopped} == {
        f"Scaling activity initiated by (deployment {stack.task_set()['id']})"
    }
    for task in stopped:
        assert procs[task["taskArn"]].poll() is not None, "a scaled-in task's process still runs"
    assert stack.targets() == [(private_ip(kept), PORT)]

    stack.ecs.delete_service(cluster="c1", service="web", force=True)
    (last,) = wait_for(
        lambda: stack.ecs.describe_tasks(cluster="c1", tasks=[kept["taskArn"]])["tasks"],
        lambda found: found[0]["lastStatus"] == "STOPPED",
    )
    assert last["stoppedReason"] == "Service web deleted"
    assert procs[kept["taskArn"]].poll() is not None


def test_deleting_a_task_set_stops_its_tasks(stack):
    task_set = stack.service(stack.push("1.0.0"), desired=1)
    (task,) = stack.running(1)
    proc = tasks.find(task["taskArn"]).proc
    stack.ecs.delete_task_set(cluster="c1", service="web", taskSet=task_set["taskSetArn"])
    wait_for(proc.poll, lambda code: code is not None)
    assert stack.tasks() == []


def assert_refused(stack, image):
    (stopped,) = wait_for(lambda: stack.tasks("STOPPED"), lambda found: len(found) == 1)
    reason = stopped["stoppedReason"]
    assert reason.startswith("CannotPullContainerError: ") and image in reason
    assert stopped["stopCode"] == "TaskFailedToStart"
    assert stopped["containers"][0]["reason"] == reason
    assert stack.task_set()["runningCount"] == 0 and stack.tasks() == []
    assert stack.targets() == [] and stack.ec2.describe_network_interfaces()["NetworkInterfaces"] == []
    return reason


def test_an_image_pushed_without_recipe_is_refused(stack):
    stack.ecr.put_image(
        repositoryName="web",
        imageTag="plain",
        imageManifest=json.dumps(
            {"schemaVersion": 2, "mediaType": push_image.MANIFEST_TYPE, "config": {}, "layers": []}
        ),
    )
    stack.service(f"{stack.repo}:plain", desired=1)
    reason = assert_refused(stack, f"{stack.repo}:plain")
    assert reason.endswith("has no local recipe (push it with scripts/push_image.py)")


def test_an_image_from_elsewhere_is_refused(stack):
    stack.service("nginx:latest", desired=1)
    assert "has no local recipe (push it with scripts/push_image.py)" in assert_refused(stack, "nginx:latest")


def test_a_tag_that_is_not_in_ecr_is_refused(stack):
    stack.service(f"{stack.repo}:9.9.9", desired=1)
    (stopped,) = wait_for(lambda: stack.tasks("STOPPED"), lambda found: len(found) == 1)
    assert stopped["stoppedReason"].startswith("CannotPullContainerError: ")
    assert "9.9.9" in stopped["stoppedReason"]


def test_failed_starts_are_throttled(stack):
    """service-throttle-logic.html: tasks that never reach RUNNING are retried with growing delays."""
    clock.set_minute_seconds(6.0)  # first retry after 10 emulated seconds = 1 real second
    try:
        stack.service("nginx:latest", desired=1)
        wait_for(lambda: stack.tasks("STOPPED"), lambda found: len(found) == 1)
        time.sleep(0.5)  # within the throttle: no second attempt yet
        assert len(stack.tasks("STOPPED")) == 1
        wait_for(lambda: stack.tasks("STOPPED"), lambda found: len(found) == 2, timeout=10)
    finally:
        clock.set_minute_seconds(None)


def test_environment_secrets_and_logs(stack):
    ssm, secrets = stack.client("ssm"), stack.client("secretsmanager")
    ssm.put_parameter(Name="/app/token", Value="from-ssm", Type="SecureString")
    secret = secrets.create_secret(Name="app-db", SecretString=json.dumps({"password": "from-asm"}))["ARN"]
    stack.logs.create_log_group(logGroupName="/ecs/web")
    image = stack.push_recipe("env", [sys.executable, "-c", ENV_SERVER], {"FROM_IMAGE": "yes", "FOO": "image"})
    stack.service(
        image,
        desired=1,
        environment=[{"name": "FOO", "value": "task-definition"}],
        secrets=[
            {"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/app/token"},
            {"name": "DB_PASSWORD", "valueFrom": f"{secret}:password::"},
        ],
        logConfiguration={
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"},
        },
    )
    (task,) = stack.running(1)
    address = loopback(stack, task)
    _status, body = wait_for(lambda: answers(f"http://{address}:{PORT}/"), bool)
    env = json.loads(body)
    assert (env["FROM_IMAGE"], env["FOO"], env["TOKEN"], env["DB_PASSWORD"]) == (
        "yes",
        "task-definition",
        "from-ssm",
        "from-asm",
    )
    assert (env["HOST"], env["PORT"], env["AWS_REGION"]) == (address, str(PORT), "us-east-1")
    assert not any(key.startswith("AWS_ACCESS") for key in env)

    stream = f"web/web/{task['taskArn'].rsplit('/', 1)[-1]}"
    events = wait_for(
        lambda: (
            stack.logs.get_log_events(logGroupName="/ecs/web", logStreamName=stream)["events"]
            if stack.logs.describe_log_streams(logGroupName="/ecs/web")["logStreams"]
            else []
        ),
        lambda found: any(e["message"] == "env server up" for e in found),
    )
    assert events


def test_a_task_role_gives_credentials_for_the_emulator_and_rds_ca_bundle_is_the_local_ca(stack):
    image = stack.push_recipe("env", [sys.executable, "-c", ENV_SERVER])
    role = "arn:aws:iam::123456789012:role/web-task"
    stack.service(
        image,
        desired=1,
        task={"taskRoleArn": role},
        environment=[{"name": "DB_SSLROOTCERT", "value": tasks.RDS_CA_BUNDLE}],
    )
    (task,) = stack.running(1)
    _status, body = wait_for(lambda: answers(f"http://{loopback(stack, task)}:{PORT}/"), bool)
    env = json.loads(body)
    assert env["DB_SSLROOTCERT"] == str(postgres.ca_file())
    # The task's own credentials reach the emulator at AWS_ENDPOINT_URL, as the task role's reach AWS.
    sts = boto3.client(
        "sts",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env["AWS_SESSION_TOKEN"],
    )
    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_a_secret_that_does_not_exist_fails_the_task(stack):
    stack.service(
        stack.push_recipe("env", [sys.executable, "-c", ENV_SERVER]),
        desired=1,
        secrets=[{"name": "TOKEN", "valueFrom": "/missing"}],
    )
    (stopped,) = wait_for(lambda: stack.tasks("STOPPED"), lambda found: len(found) == 1)
    assert stopped["stoppedReason"].startswith("ResourceInitializationError: unable to pull secrets or registry auth")


def test_stop_task_contract_stops_and_replaces(stack):
    """Part G's call when a target fails its ELB health checks past the grace period."""
    task_set = stack.service(stack.push("1.0.0"), desired=1)
    (task,) = stack.running(1)
    assert tasks.stop_task(task["taskArn"], "Task failed ELB health checks in (target-group blue)") is True
    (stopped,) = wait_for(
        lambda: stack.tasks("STOPPED"), lambda found: len(found) == 1 and found[0]["lastStatus"] == "STOPPED"
    )
    assert stopped["stoppedReason"] == "Task failed ELB health checks in (target-group blue)"
    (replacement,) = stack.running(1)
    assert replacement["taskArn"] != task["taskArn"]
    assert [i.task_arn for i in tasks.for_task_set(task_set["taskSetArn"])] == [replacement["taskArn"]]


def test_stop_task_api(stack):
    stack.service(stack.push("1.0.0"), desired=1)
    (task,) = stack.running(1)
    answer = stack.ecs.stop_task(cluster="c1", task=task["taskArn"], reason="by hand")["task"]
    assert (answer["desiredStatus"], answer["stoppedReason"]) == ("STOPPED", "by hand")
    (stopped,) = wait_for(
        lambda: stack.tasks("STOPPED"), lambda found: len(found) == 1 and found[0]["lastStatus"] == "STOPPED"
    )
    assert stopped["stopCode"] == "UserInitiated"
    stack.running(1)


def test_describe_tasks_reports_unknown_arns_as_missing(stack):
    stack.service(stack.push("1.0.0"), desired=1)
    (task,) = stack.running(1)
    unknown = task["taskArn"].rsplit("/", 1)[0] + "/0123456789abcdef0123456789abcdef"
    answer = stack.ecs.describe_tasks(cluster="c1", tasks=[task["taskArn"], unknown])
    assert [t["taskArn"] for t in answer["tasks"]] == [task["taskArn"]]
    assert answer["failures"] == [{"arn": unknown, "reason": "MISSING"}]


def test_broken_health_fails_the_container_health_check(stack):
    """push_image.py --broken health: /health answers 503, the container health check fails, ECS replaces it."""
    clock.set_minute_seconds(6.0)  # interval 5 s -> 0.5 s
    try:
        probe = (
            f"import http.client as h, sys; c = h.HTTPConnection('127.0.0.1', {PORT}, timeout=3); "
            "c.request('GET', '/health'); sys.exit(c.getresponse().status != 200)"
        )
        check = {"command": ["CMD", "python", "-c", probe], "interval": 5, "timeout": 5, "retries": 2, "startPeriod": 0}
        stack.service(stack.push("2.0.0", broken="health"), desired=1, healthCheck=check)
        (task,) = stack.running(1)
        address = loopback(stack, task)
        status = wait_for(lambda: _status(f"http://{address}:{PORT}/health"), lambda s: s is not None)
        assert status == 503
        assert _status(f"http://{address}:{PORT}/version") == 200
        (stopped,) = wait_for(
            lambda: stack.tasks("STOPPED"), lambda found: len(found) >= 1 and found[0]["lastStatus"] == "STOPPED"
        )
        assert (stopped["stoppedReason"], stopped["healthStatus"]) == ("Task failed container health checks", "UNKNOWN")
    finally:
        clock.set_minute_seconds(None)


def test_a_healthy_container_is_reported_healthy(stack):
    clock.set_minute_seconds(6.0)
    try:
        probe = (
            f"import http.client as h, sys; c = h.HTTPConnection('127.0.0.1', {PORT}, timeout=3); "
            "c.request('GET', '/health'); sys.exit(c.getresponse().status != 200)"
        )
        check = {"command": ["CMD", "python", "-c", probe], "interval": 5, "timeout": 5, "retries": 2, "startPeriod": 5}
        stack.service(stack.push("1.0.0"), desired=1, healthCheck=check)
        wait_for(stack.tasks, lambda found: len(found) == 1 and found[0]["healthStatus"] == "HEALTHY")
    finally:
        clock.set_minute_seconds(None)


def _status(url):
    try:
        return get(url)[0]
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


def test_nothing_runs_or_listens_after_the_emulator_stops():
    server = EmulatorServer(port=0, quiet=True)
    server.start()
    stack = Stack(lambda name: boto3.client(name, endpoint_url=server.endpoint, region_name="eu-west-1", **CREDENTIALS))
    try:
        stack.service(stack.push("1.0.0"), desired=2)
        running = stack.running(2)
        addresses = [loopback(stack, t) for t in running]
        groups = [tasks.find(t["taskArn"]).proc.pid for t in running]
        for address in addresses:
            wait_for(lambda a=address: listening(a, PORT), bool)
    finally:
        server.stop()
    for address in addresses:
        assert not listening(address, PORT)
    alive = [pid for pid in _all_pids() if _process_group(pid) in groups]
    assert alive == [], f"processes of stopped tasks still run: {alive}"


def _all_pids():
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _process_group(pid):
    """The process group of a live process (None for one that is gone or a zombie: dead, not yet reaped)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else int(fields[2])


def test_the_bootstrap_placeholder_answers_200_on_every_path(stack):
    stack.service(images.BOOTSTRAP_IMAGE, desired=1)
    (task,) = stack.running(1)
    address = loopback(stack, task)
    assert wait_for(lambda: answers(f"http://{address}:{PORT}/anything"), bool) == (200, "bootstrap\n")
