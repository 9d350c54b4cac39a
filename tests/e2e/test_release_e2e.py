"""End to end: blue/green releases through playbooks/release.yml on a private emulator.

E2E (marker ``e2e``; ``pytest -m 'not e2e'`` skips it). The module builds the stack once with
playbooks/site.yml on an emulator of its own (free port, state dir under pytest's tmp dir, an emulated
minute of MINUTE_SECONDS), publishes the images with scripts/push_image.py and releases 1.0.0. The tests
then release, fail, roll back, re-run and interrupt releases in file order, each one reading what it
needs from AWS first, and assert the state they leave through boto3: ECS task sets and their task
definitions, the listeners' forward weights, the CodeDeploy deployments.

Each test releases a tag of its own. The last two run on a deployment group with a longer canary
interval and bake (slow_group), so that a test can act while traffic shifts or bakes.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MINUTE_SECONDS = 0.05
ENV, PROJECT, SERVICE = "local", "demo", "web"  # inventories/local
NAMES = naming.service_names(ENV, PROJECT, SERVICE)
PLATFORM = naming.platform_names(ENV, PROJECT)
TAGS = ["1.0.0", "2.0.0", "3.0.0", "4.0.0", "5.0.0"]
# Long enough for a release to validate in Ready on a busy machine (the local inventory's 10 minutes
# would be half a second here). The slow group holds 10 % for 8 s, time enough for the run after an
# interrupted one to start and attach while traffic is still split, and bakes for 2 s.
READY_WAIT_MINUTES = 600
SLOW = {"codedeploy_interval_minutes": 160, "codedeploy_termination_wait_minutes": 40}
POLL = 0.05
TIMEOUT = 90


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def extra_vars(values):
    return ["-e", " ".join(f"{key}={value}" for key, value in values.items())] if values else []


class Stack:
    """The emulator, the environment of every command and boto3 clients on it."""

    def __init__(self, port, app_port, state_dir):
        self.endpoint = f"http://127.0.0.1:{port}"
        self.state_dir = state_dir
        self.app_port = app_port
        self.env = dict(
            os.environ,
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            EMULATOR_PORT=str(port),
            EMULATOR_STATE_DIR=str(state_dir),
            EMULATOR_MINUTE_SECONDS=str(MINUTE_SECONDS),
            ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCAL_TEMP=str(state_dir / "ansible-tmp"),
            RELEASE_APP_PORT=str(app_port),
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

    def stop_local_app(self):
        """The copy of the app a killed run left behind (release.yml stops its own)."""
        pidfile = self.state_dir / f"app-{self.app_port}.pid"
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass


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
    stack = Stack(free_port(), free_port(), state_dir)
    started = stack.emulator("start")
    assert started.returncode == 0, started.stdout
    try:
        ok(stack.playbook("site.yml", *extra_vars({"codedeploy_ready_wait_minutes": READY_WAIT_MINUTES})))
        tags = [arg for tag in TAGS for arg in ("--tag", tag)]
        push = [sys.executable, "scripts/push_image.py", "--repository", NAMES["repository"], *tags]
        ok(stack.command(*push, "--endpoint-url", stack.endpoint))
        ok(stack.release(TAGS[0]))
        yield stack
    finally:
        stack.stop_local_app()
        stack.emulator("stop")


@pytest.fixture(scope="module")
def slow_group(stack):
    """The deployment group with an 8 s canary step and a 2 s bake (the codedeploy layer, re-run)."""
    values = {"codedeploy_ready_wait_minutes": READY_WAIT_MINUTES, **SLOW}
    ok(stack.playbook("site.yml", "--tags", "codedeploy", *extra_vars(values)))
    return stack


def test_canary_release_succeeds(stack):
    stack.ensure_live("1.0.0")
    before = stack.deployment_ids()
    blue = stack.live()

    out = ok(stack.release("2.0.0"))

    (deployment,), rollbacks = stack.new_deployments(before)
    assert not rollbacks
    assert deployment["status"] == "Succeeded"
    assert deployment["deploymentConfigName"] == naming.deployment_config_name(ENV, PROJECT, SERVICE, "canary", 10, 1)
    green = stack.live()
    assert green["image"].endswith(f"/{NAMES['repository']}:2.0.0")
    assert green["id"] != blue["id"] and green["targetGroup"] != blue["targetGroup"]
    assert stack.service()["taskDefinition"] == green["taskDefinition"]
    assert stack.weights("production") == {green["targetGroup"]: 100, blue["targetGroup"]: 0}
    assert stack.weights("test")[green["targetGroup"]] == 100
    assert f"deployment: {deployment['deploymentId']} status Succeeded" in out
    assert "production traffic: blue 0.0% / green 100.0%" in out
    assert re.search(r"validation\s+passed", out)


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


def test_failed_validation_stops_and_rolls_back(stack):
    before = stack.deployment_ids()
    blue = stack.live()

    result = stack.release("3.0.0", release_validation_pattern="no-such-version", release_validation_attempts=1)

    assert result.returncode != 0, result.stdout[-3000:]
    assert "reason: validation failed" in result.stdout
    (deployment,), (rollback,) = stack.new_deployments(before)
    assert deployment["status"] == "Stopped"
    assert deployment["errorInformation"]["code"]
    assert deployment["rollbackInfo"]["rollbackDeploymentId"] == rollback["deploymentId"]
    assert rollback["status"] == "Succeeded"
    assert stack.weights("production")[blue["targetGroup"]] == 100
    assert stack.weights("test")[blue["targetGroup"]] == 100
    assert stack.live() == blue
    assert "(rolled back to blue)" in result.stdout


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
    assert f"reason: alarm(s) in ALARM before production traffic moved: {alarm}" in result.stdout
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
    assert f"reason: alarm(s) in ALARM while baking: {alarm}" in out
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
