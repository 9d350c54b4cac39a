"""End to end: blue/green releases through playbooks/release.yml on a private emulator, through real listeners.

E2E (marker ``e2e``; ``pytest -m 'not e2e'`` skips it). The module builds the stack once with
playbooks/site.yml on an emulator of its own (free port, state dir under pytest's tmp dir, an emulated
minute of MINUTE_SECONDS), publishes the images with scripts/push_image.py (good ones, and broken ones:
--broken health, --broken version) and releases 1.0.0. The emulator runs every task as a process, routes
the load balancer's listeners and runs the validation function as the AfterAllowTestTraffic hook, so the
tests see what a user sees: the release validated from inside the VPC, live traffic measured through the
production listener, a broken version rolled back by CodeDeploy. The tests release, fail, roll back,
re-run and interrupt releases in file order, each one reading what it needs from AWS first, and assert the
state they leave through boto3 and the production listener itself. The last one stops the emulator and
checks that nothing it started still listens.

Each test releases a tag of its own. The slow_group tests run on a deployment group with a longer canary
interval and bake, so that a test can act while traffic shifts or bakes.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
import yaml

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import database_facts
from ansible_collections.bluegreen.ecs.tests.unit.roles import test_pipeline_render as pipeline

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MINUTE_SECONDS = 0.05
ENV, PROJECT, SERVICE = "local", "demo", "web"  # inventories/local
NAMES = naming.service_names(ENV, PROJECT, SERVICE)
PLATFORM = naming.platform_names(ENV, PROJECT)
TAGS = ["1.0.0", "2.0.0", "3.0.0", "4.0.0", "5.0.0"]
BROKEN_HEALTH = "3.1.0"  # /health answers 503: its targets never pass the health check
BROKEN_VERSION = "3.2.0"  # answers version 3.2.0-wrong: the validation hook's body pattern fails
# What the pipeline's build tags (the first 7 characters of the commit it builds): a broken version too.
PIPELINE_TAG = pipeline.COMMIT[:7]
# Long enough for the hook and the alarm check in Ready on a busy machine (the local inventory's
# 60 minutes would be 3 s here). The slow group holds 10 % for 16 s, time enough for the run after an
# interrupted one to start and attach while traffic is still split on a loaded machine, and bakes for 2 s.
READY_WAIT_MINUTES = 600
# The canary step: 100 emulated minutes, 5 s, so that the release's 20 requests through the production listener
# fall inside it even on a loaded machine (the local inventory's 20 minutes are 1 s here).
CANARY_MINUTES = 100
SLOW = {"codedeploy_interval_minutes": 320, "codedeploy_termination_wait_minutes": 40}
POLL = 0.05
TIMEOUT = 120
LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def extra_vars(values):
    return ["-e", " ".join(f"{key}={value}" for key, value in values.items())] if values else []


class Stack:
    """The emulator, the environment of every command and boto3 clients on it."""

    def __init__(self, port, state_dir):
        self.endpoint = f"http://127.0.0.1:{port}"
        self.port = port
        self.state_dir = state_dir
        self.env = dict(
            os.environ,
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            EMULATOR_PORT=str(port),
            EMULATOR_STATE_DIR=str(state_dir),
            EMULATOR_MINUTE_SECONDS=str(MINUTE_SECONDS),
            ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCAL_TEMP=str(state_dir / "ansible-tmp"),
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
        )
        self.env.pop("AWS_PROFILE", None)
        self.env.pop("AWS_ENDPOINT_URL", None)

    def client(self, service):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    # -- commands -------------------------------------------------------------------------------------

    def command(self, *args, popen=False):
        kwargs = dict(cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if popen:
            return subprocess.Popen(list(args), start_new_session=True, **kwargs)
        return subprocess.run(list(args), check=False, timeout=600, **kwargs)

    def playbook(self, name, *extra, popen=False):
        return self.command(
            str(BIN / "ansible-playbook"), "-i", "inventories/local", f"playbooks/{name}", *extra, popen=popen
        )

    def release(self, tag=None, popen=False, **values):
        if tag:
            values = {"app_image_tag": tag, **values}
        return self.playbook("release.yml", *extra_vars(values), popen=popen)

    def emulator(self, verb):
        port = self.env["EMULATOR_PORT"]
        return self.command(sys.executable, "-m", "emulator", verb, "--port", port, "--state-dir", str(self.state_dir))

    # -- state ----------------------------------------------------------------------------------------

    def service(self):
        return self.client("ecs").describe_services(cluster=PLATFORM["cluster"], services=[NAMES["service"]])[
            "services"
        ][0]

    def task_sets(self):
        return self.service().get("taskSets") or []

    def image(self, task_definition_arn):
        found = self.client("ecs").describe_task_definition(taskDefinition=task_definition_arn)["taskDefinition"]
        return found["containerDefinitions"][0]["image"]

    def revisions(self):
        return self.client("ecs").list_task_definitions(familyPrefix=NAMES["family"])["taskDefinitionArns"]

    def weights(self, which):
        """{target group name: weight} of the production or test listener (the ports the alb layer tags)."""
        elbv2 = self.client("elbv2")
        lb = elbv2.describe_load_balancers(Names=[NAMES["alb"]])["LoadBalancers"][0]
        tags = elbv2.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"]
        port = int({t["Key"]: t["Value"] for t in tags}[f"{which.capitalize()}ListenerPort"])
        listeners = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        action = next(lst for lst in listeners if lst["Port"] == port)["DefaultActions"][0]
        groups = action.get("ForwardConfig", {}).get("TargetGroups") or [{"TargetGroupArn": action["TargetGroupArn"]}]
        return {tg_name(g["TargetGroupArn"]): g.get("Weight", 100) for g in groups}

    def deployment_ids(self):
        return set(
            self.client("codedeploy").list_deployments(
                applicationName=NAMES["codedeploy_app"], deploymentGroupName=NAMES["deployment_group"]
            )["deployments"]
        )

    def deployment(self, deployment_id):
        return self.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]

    def new_deployments(self, before):
        """The deployments created since ``before``: (ours, CodeDeploy's rollbacks), oldest first."""
        infos = sorted((self.deployment(i) for i in self.deployment_ids() - before), key=lambda d: d["createTime"])
        ours = [d for d in infos if d.get("creator") != "codeDeployRollback"]
        rollbacks = [d for d in infos if d.get("creator") == "codeDeployRollback"]
        return ours, rollbacks

    def live(self):
        """The only task set: {id, taskDefinition, image, targetGroup}; fails when there is not exactly one."""
        task_sets = self.task_sets()
        found = [(t["status"], t["taskDefinition"]) for t in task_sets]
        assert len(task_sets) == 1 and task_sets[0]["status"] == "PRIMARY", f"expected one PRIMARY task set: {found}"
        task_set = task_sets[0]
        return {
            "id": task_set["id"],
            "taskDefinition": task_set["taskDefinition"],
            "image": self.image(task_set["taskDefinition"]),
            "targetGroup": tg_name(task_set["loadBalancers"][0]["targetGroupArn"]),
        }

    def ensure_live(self, tag):
        """Release ``tag`` unless it is live (lets a test run alone; a no-op in file order)."""
        if not self.live()["image"].endswith(f":{tag}"):
            ok(self.release(tag))

    def load_balancer(self):
        elbv2 = self.client("elbv2")
        lb = elbv2.describe_load_balancers(Names=[NAMES["alb"]])["LoadBalancers"][0]
        tags = elbv2.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"]
        return lb, {t["Key"]: t["Value"] for t in tags}

    def production(self, path="/version"):
        """GET the production listener on the load balancer's DNSName, as anyone on the internet would."""
        lb, tags = self.load_balancer()
        url = f"http://{lb['DNSName']}:{tags['ProductionListenerPort']}{path}"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - http to the emulated ALB
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def production_versions(self, requests=20):
        """{version: count} of ``requests`` answers of the production listener's /version."""
        found = {}
        for _request in range(requests):
            status, body = self.production()
            version = json.loads(body)["version"] if status == 200 else f"HTTP {status}"
            found[version] = found.get(version, 0) + 1
        return found

    def push(self, *tags, broken=None):
        args = [sys.executable, "scripts/push_image.py", "--repository", NAMES["repository"]]
        args += [arg for tag in tags for arg in ("--tag", tag)]
        args += ["--broken", broken] if broken else []
        ok(self.command(*args, "--endpoint-url", self.endpoint))


def tg_name(arn):
    return arn.split(":targetgroup/", 1)[1].split("/", 1)[0]


def ok(result):
    assert result.returncode == 0, result.stdout[-6000:]
    return result.stdout


def recap(stdout):
    """{host: {ok, changed, failed, ...}} from PLAY RECAP."""
    lines = stdout.split("PLAY RECAP", 1)[1].splitlines()
    found = {}
    for line in lines:
        match = re.match(r"^(\S+)\s*:\s*(.*)$", line.strip())
        if match:
            found[match.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(2))}
    return found


def wait_for(what, predicate, proc=None, timeout=TIMEOUT):
    """Poll ``predicate`` until it answers something true; fail early if ``proc`` ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the release ended before {what}:\n{proc.stdout.read()[-6000:]}")
        time.sleep(POLL)
    pytest.fail(f"timed out waiting for {what}")


def process_tree(root):
    """``root`` and its descendants (pids), from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def kill_hard(proc):
    """SIGKILL ansible-playbook and every process under it, as a crash or `kill -9` of the runner would.

    The process group is not enough: ansible-core's workers call setsid(), so the module would go on
    running. Stop the whole tree first (nothing forks or is re-parented meanwhile), then kill it.
    """
    stopped = set()
    while True:
        fresh = [pid for pid in process_tree(proc.pid) if pid not in stopped]
        if not fresh:
            break
        for pid in fresh:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
            stopped.add(pid)
    for pid in stopped:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)
    wait_for("the killed processes to go", lambda: not any(alive(pid) for pid in stopped), timeout=30)


def alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    state_dir = tmp_path_factory.mktemp("e2e-emulator")
    stack = Stack(free_port(), state_dir)
    started = stack.emulator("start")
    assert started.returncode == 0, started.stdout
    try:
        group = {"codedeploy_ready_wait_minutes": READY_WAIT_MINUTES, "codedeploy_interval_minutes": CANARY_MINUTES}
        ok(stack.playbook("site.yml", *extra_vars(group)))
        stack.push(*TAGS)
        stack.push(BROKEN_HEALTH, broken="health")
        stack.push(BROKEN_VERSION, PIPELINE_TAG, broken="version")
        ok(stack.release(TAGS[0]))
        yield stack
    finally:
        stack.emulator("stop")


@pytest.fixture(scope="module")
def slow_group(stack):
    """The deployment group with an 8 s canary step and a 2 s bake (the codedeploy layer, re-run)."""
    values = {"codedeploy_ready_wait_minutes": READY_WAIT_MINUTES, **SLOW}
    ok(stack.playbook("site.yml", "--tags", "codedeploy", *extra_vars(values)))
    return stack


def flat(out):
    """The output with its line wraps undone (the YAML callback folds long summary lines at a blank)."""
    return re.sub(r"\s+", " ", out)


def samples(out):
    """The summary's live traffic lines: {when: (weights green %, requests, blue, green)}."""
    found = {}
    for match in re.finditer(
        r"live traffic (\w+)\s+\(weights blue [\d.]+% / green ([\d.]+)%\): of (\d+) requests to \S+, "
        r"blue (\d+), green (\d+)",
        flat(out),
    ):
        found[match.group(1)] = (float(match.group(2)), *(int(g) for g in match.groups()[2:]))
    return found


def test_canary_release_succeeds(stack):
    stack.ensure_live("1.0.0")
    before = stack.deployment_ids()
    blue = stack.live()
    assert stack.production_versions() == {"1.0.0": 20}

    out = ok(stack.release("2.0.0"))

    (deployment,), rollbacks = stack.new_deployments(before)
    assert not rollbacks
    assert deployment["status"] == "Succeeded"
    assert deployment["deploymentConfigName"] == naming.deployment_config_name(
        ENV, PROJECT, SERVICE, "canary", 10, CANARY_MINUTES
    )
    green = stack.live()
    assert green["image"].endswith(f"/{NAMES['repository']}:2.0.0")
    assert green["id"] != blue["id"] and green["targetGroup"] != blue["targetGroup"]
    assert stack.service()["taskDefinition"] == green["taskDefinition"]
    assert stack.weights("production") == {green["targetGroup"]: 100, blue["targetGroup"]: 0}
    assert stack.weights("test")[green["targetGroup"]] == 100
    assert f"deployment: {deployment['deploymentId']} status Succeeded" in out
    assert "production traffic: blue 0.0% / green 100.0%" in out
    # Validated by the deployment's own hook, inside the VPC: the attempts come from the function's log.
    assert re.search(rf"validation passed .* by {NAMES['validation_function']} http://\S+:\d+/version", flat(out)), out
    assert re.search(r"attempt \d+: HTTP 200", out), out
    # Live traffic through the production listener: about 10 % green in the canary step, then all of it.
    measured = samples(out)
    assert "meanwhile" not in flat(out), out  # the canary sample fell inside the canary step
    assert measured["canary"][0] == 10.0
    requests, on_blue, on_green = measured["canary"][1:]
    assert requests == 20 and on_blue + on_green == 20 and 1 <= on_green <= 3, measured
    assert measured["after"][1:] == (20, 0, 20), measured
    assert stack.production_versions() == {"2.0.0": 20}


def test_rerun_of_the_same_release_changes_nothing(stack):
    stack.ensure_live("2.0.0")
    before, revisions, live = stack.deployment_ids(), stack.revisions(), stack.live()

    out = ok(stack.release("2.0.0"))

    assert recap(out)["web"]["changed"] == 0, out[-3000:]
    assert stack.deployment_ids() == before
    assert stack.revisions() == revisions
    assert stack.live() == live
    assert "release 2.0.0 -> nothing to do" in out


def test_rollback_after_a_successful_release(stack):
    stack.ensure_live("2.0.0")  # released after 1.0.0 (the fixture's)
    before = stack.deployment_ids()
    blue = stack.live()

    out = ok(stack.release(release_action="rollback"))

    (deployment,), rollbacks = stack.new_deployments(before)
    assert not rollbacks  # a deployment of the previous revision, not a CodeDeploy rollback
    assert deployment["status"] == "Succeeded", deployment
    live = stack.live()
    assert live["image"].endswith(":1.0.0")
    assert live["id"] != blue["id"]
    assert stack.weights("production") == {live["targetGroup"]: 100, blue["targetGroup"]: 0}
    assert f"deployment: {deployment['deploymentId']} status Succeeded" in out


def assert_rolled_back_by_codedeploy(stack, before, blue):
    """CodeDeploy (not the module) failed the deployment and rolled it back; production is blue's."""
    (deployment,), (rollback,) = stack.new_deployments(before)
    assert deployment["status"] == "Failed", deployment
    assert deployment["rollbackInfo"]["rollbackDeploymentId"] == rollback["deploymentId"]
    assert rollback["status"] == "Succeeded"
    assert stack.weights("production")[blue["targetGroup"]] == 100
    assert stack.weights("test")[blue["targetGroup"]] == 100
    assert stack.live() == blue
    assert set(stack.production_versions()) == {blue["image"].rsplit(":", 1)[1]}
    return deployment


def test_version_failing_health_checks_is_rolled_back_by_codedeploy(stack):
    before = stack.deployment_ids()
    blue = stack.live()

    result = stack.release(BROKEN_HEALTH)

    assert result.returncode != 0, result.stdout[-3000:]
    deployment = assert_rolled_back_by_codedeploy(stack, before, blue)
    # Install never ends: green's tasks fail their container health check and are replaced until CodeDeploy's
    # Install timeout (60 emulated minutes, at least 30 real seconds) fails the deployment.
    assert deployment["errorInformation"]["code"] == "ECS_UPDATE_ERROR", deployment
    assert "waiting for the replacement task set to become healthy" in flat(result.stdout)
    assert "(rolled back to blue)" in flat(result.stdout)
    assert not re.search(r"validation\s+(passed|failed|skipped)", result.stdout)  # the hook never ran
    assert "stop_deployment" not in result.stdout  # CodeDeploy's own rules failed it, the module stopped nothing


def test_version_failing_validation_is_rolled_back_by_the_hook(stack):
    before = stack.deployment_ids()
    blue = stack.live()

    result = stack.release(BROKEN_VERSION)

    assert result.returncode != 0, result.stdout[-3000:]
    deployment = assert_rolled_back_by_codedeploy(stack, before, blue)
    assert deployment["errorInformation"]["code"] == "HOOK_EXECUTION_FAILURE", deployment
    hook = NAMES["validation_function"]
    assert f"reason: validation failed: the AfterAllowTestTraffic hook {hook} reported Failed" in flat(result.stdout)
    assert "(rolled back to blue)" in flat(result.stdout)
    assert re.search(r"validation\s+failed", result.stdout)
    # Every attempt, with the body that failed: the app answers another version.
    assert re.search(r"attempt 1: HTTP 200 but the body does not match .*body: .*3\.2\.0-wrong", flat(result.stdout))
    assert "stop_deployment" not in result.stdout


def pipeline_deployment(stack, tmp_path):
    """Start a deployment as the pipeline does: its build's taskdef.json and appspec.yaml (the role's
    buildspec, run), then what the CodeDeployToECS action does with them: register the task definition
    with the image of imageDetail.json, put its ARN in the AppSpec, CreateDeployment with that AppSpec."""
    spec = yaml.safe_load((ROOT / "inventories/local/host_vars/web.yml").read_text())["bluegreen_service"]
    # The database the spec names, as the pipeline role reads it (rds_instance_info -> database_facts).
    inventory = {}
    if spec.get("database"):
        identifier = naming.database_names(ENV, PROJECT, spec["database"])["instance"]
        instance = stack.client("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        inventory["_pipeline_database"] = database_facts(instance, spec["database"])
    text, _spec, _names, _context = pipeline.render(spec, env_name=ENV, inventory=inventory)
    proc, work, _calls = pipeline.run_build(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    image = json.loads((work / "imageDetail.json").read_text())["ImageURI"]
    taskdef = json.loads((work / "taskdef.json").read_text().replace("<IMAGE1_NAME>", image))
    appspec = (work / "appspec.yaml").read_text()
    assert f'AfterAllowTestTraffic: "{NAMES["validation_function"]}"' in appspec  # the rendered hook
    arn = stack.client("ecs").register_task_definition(**taskdef)["taskDefinition"]["taskDefinitionArn"]
    content = appspec.replace("<TASK_DEFINITION>", arn)
    return stack.client("codedeploy").create_deployment(
        applicationName=NAMES["codedeploy_app"],
        deploymentGroupName=NAMES["deployment_group"],
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
    )["deploymentId"]


def test_pipeline_started_deployment_failing_validation_is_rolled_back(stack, tmp_path):
    before = stack.deployment_ids()
    blue = stack.live()

    deployment_id = pipeline_deployment(stack, tmp_path)

    def rolled_back():
        ours, rollbacks = stack.new_deployments(before)
        done = ("Succeeded", "Failed", "Stopped")
        return rollbacks and all(d["status"] in done for d in ours + rollbacks)

    wait_for("the pipeline's deployment to fail and CodeDeploy's rollback to end", rolled_back)

    deployment = assert_rolled_back_by_codedeploy(stack, before, blue)
    assert deployment["deploymentId"] == deployment_id
    assert deployment["errorInformation"]["code"] == "HOOK_EXECUTION_FAILURE", deployment


def test_test_listener_that_does_not_admit_the_validation_path_fails_the_release(stack):
    """Issue 11's original defect: a test listener the validation cannot reach fails, and says why."""
    ec2 = stack.client("ec2")
    _lb, tags = stack.load_balancer()
    port = int(tags["TestListenerPort"])
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [NAMES["alb_security_group"]]}])[
        "SecurityGroups"
    ][0]
    admitted = [p for p in group["IpPermissions"] if p.get("FromPort") == port]
    assert admitted, group["IpPermissions"]
    before = stack.deployment_ids()
    blue = stack.live()
    ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=admitted)
    try:
        result = stack.release("3.0.0")
    finally:
        ec2.authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=admitted)

    assert result.returncode != 0, result.stdout[-3000:]
    assert_rolled_back_by_codedeploy(stack, before, blue)
    assert "the test listener did not answer the validation function" in flat(result.stdout)
    assert "security group must admit the function" in flat(result.stdout)


def put_alarm(cloudwatch, name):
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/ApplicationELB",
        MetricName="HTTPCode_Target_5XX_Count",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def test_alarm_already_in_alarm_keeps_production_on_blue(stack):
    """Issue 10: an alarm in ALARM when a release starts must stop it before production traffic moves."""
    cloudwatch = stack.client("cloudwatch")
    alarm = "local-web-e2e-already"
    put_alarm(cloudwatch, alarm)
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="e2e test")
    before = stack.deployment_ids()
    blue = stack.live()
    try:
        result = stack.playbook(
            "release.yml", "-e", "app_image_tag=3.0.0", "-e", f'{{"release_alarm_names": ["{alarm}"]}}'
        )
    finally:
        cloudwatch.delete_alarms(AlarmNames=[alarm])

    assert result.returncode != 0, result.stdout[-3000:]
    assert f"reason: alarm(s) in ALARM before production traffic moved: {alarm}" in flat(result.stdout)
    (deployment,), (rollback,) = stack.new_deployments(before)
    assert deployment["status"] == "Stopped" and rollback["status"] == "Succeeded"
    assert "continue_deployment" not in result.stdout
    assert stack.weights("production")[blue["targetGroup"]] == 100
    assert stack.live() == blue
    assert "(was ?)" not in result.stdout


def test_alarm_during_the_bake_stops_and_rolls_back(slow_group):
    stack = slow_group
    cloudwatch = stack.client("cloudwatch")
    alarm = "local-web-e2e-5xx"
    put_alarm(cloudwatch, alarm)
    before = stack.deployment_ids()
    blue = stack.live()
    proc = stack.playbook(
        "release.yml", "-e", "app_image_tag=4.0.0", "-e", f'{{"release_alarm_names": ["{alarm}"]}}', popen=True
    )
    try:
        deployment_id = wait_for("the deployment", lambda: next(iter(stack.deployment_ids() - before), None), proc)
        wait_for("the bake", lambda: stack.deployment(deployment_id)["status"] == "Baking", proc)
        assert stack.weights("production")[blue["targetGroup"]] == 0  # all traffic on green while it bakes
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="e2e test")
        out = proc.communicate(timeout=TIMEOUT)[0]
    finally:
        if proc.poll() is None:
            kill_hard(proc)
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="e2e test")

    assert proc.returncode != 0, out[-3000:]
    assert f"reason: alarm(s) in ALARM while baking: {alarm}" in flat(out)
    (deployment,), (rollback,) = stack.new_deployments(before)
    assert deployment["deploymentId"] == deployment_id
    assert deployment["status"] == "Stopped"
    assert deployment["errorInformation"]["code"]
    assert rollback["status"] == "Succeeded"
    assert stack.weights("production")[blue["targetGroup"]] == 100
    assert stack.live() == blue


def test_stop_mid_shift_leaves_a_split_that_the_next_release_resolves(slow_group):
    """Issue 10 item 13: release_action=stop without rollback, then a release of the same tag."""
    stack = slow_group
    before = stack.deployment_ids()
    blue = stack.live()
    proc = stack.release("4.0.0", popen=True)
    try:
        wait_for("a canary weight", lambda: any(0 < w < 100 for w in stack.weights("production").values()), proc)
    finally:
        kill_hard(proc)

    out = ok(stack.release(release_action="stop"))

    assert "production traffic stays split" in out
    assert len(stack.task_sets()) == 2
    assert 0 < stack.weights("production")[blue["targetGroup"]] < 100

    out = ok(stack.release("4.0.0"))

    live = stack.live()  # exactly one task set again
    assert live["image"].endswith(":4.0.0")
    assert stack.weights("production")[live["targetGroup"]] == 100
    ours, rollbacks = stack.new_deployments(before)
    assert [d["status"] for d in ours] == ["Stopped", "Succeeded"] and not rollbacks


def test_interrupted_release_is_finished_by_the_next_run(slow_group):
    stack = slow_group
    before = stack.deployment_ids()

    proc = stack.release("5.0.0", popen=True)
    try:
        wait_for("a canary weight", lambda: any(0 < w < 100 for w in stack.weights("production").values()), proc)
    finally:
        kill_hard(proc)
    (deployment_id,) = stack.deployment_ids() - before
    assert stack.deployment(deployment_id)["status"] == "InProgress"
    assert len(stack.task_sets()) == 2  # blue and green, production traffic split

    out = ok(stack.release("5.0.0"))

    assert stack.deployment_ids() - before == {deployment_id}
    assert stack.deployment(deployment_id)["status"] == "Succeeded"
    live = stack.live()
    assert live["image"].endswith(":5.0.0")
    assert stack.weights("production")[live["targetGroup"]] == 100
    assert "release 5.0.0 -> done" in out
    assert f"deployment: {deployment_id} status Succeeded" in out


def listening(prefix):
    """(address, port) of the TCP sockets listening on addresses that start with ``prefix`` (IPv4)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] != LISTEN:
            continue
        address, port = fields[1].split(":")
        ip = ".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0))  # little-endian hex
        if ip.startswith(prefix):
            found.add((ip, int(port, 16)))
    return found


def test_nothing_is_left_listening_after_the_emulator_stops(stack):
    """Tasks, listeners and the emulator itself stop with it (runs last: it stops the module's emulator)."""
    lb, _tags = stack.load_balancer()
    prefix = lb["DNSName"].rsplit(".", 2)[0] + "."  # this emulator's /16 of loopback addresses
    running = listening(prefix)
    assert (lb["DNSName"], int(_tags["ProductionListenerPort"])) in running, running
    assert len({ip for ip, _port in running}) >= 2, running  # the load balancer and at least one task

    stopped = stack.emulator("stop")

    assert stopped.returncode == 0, stopped.stdout
    wait_for("the data plane to stop listening", lambda: not listening(prefix) and not listening_on(stack.port))


def listening_on(port):
    return {(ip, p) for ip, p in listening("127.") if p == port}
