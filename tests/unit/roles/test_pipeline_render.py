# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pipeline role's buildspec, rendered as the role renders it, then run.

The template is rendered with jinja2, Ansible's core filters and the collection's filters (the
``template`` lookup's settings: trim_blocks, strict undefined); the registry address comes from
the role's own vars/main.yml. Its commands then run in bash with stand-ins for ``docker`` and
``aws`` that record their arguments, so the files CodeDeploy reads (imageDetail.json,
taskdef.json, appspec.yaml) are the ones a real build writes. taskdef.json is checked against
botocore's RegisterTaskDefinition model and registered on the emulator.
"""

import json
import os
import re
import stat
import subprocess

import boto3
import botocore.session
import jinja2
import pytest
import yaml
from ansible.plugins.filter.core import FilterModule as CoreFilters
from botocore.validate import validate_parameters

from ansible_collections.bluegreen.ecs.plugins.filter.deployment_controller import FilterModule as ControllerFilters
from ansible_collections.bluegreen.ecs.plugins.filter.pipeline import FilterModule as PipelineFilters
from ansible_collections.bluegreen.ecs.plugins.filter.spec import FilterModule as CollectionFilters
from ansible_collections.bluegreen.ecs.plugins.module_utils import naming, service_spec
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import database_facts, task_definition
from emulator.server import EmulatorServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLE = os.path.join(ROOT, "roles", "pipeline")
ACCOUNT = "123456789012"
REGION = "us-east-1"
COMMIT = "3f9c2a7e1b0d4c5a6e7f8091a2b3c4d5e6f70819"

# The local inventory's service, and one that moves every value the files carry.
SPECS = {
    "web": {"name": "web", "port": 8000, "cpu": 256, "memory": 512, "environment": {"LOG_LEVEL": "info"}},
    "api": {
        "name": "api",
        "port": 9090,
        "cpu": 1024,
        "memory": 4096,
        "health_check_path": "/ready",
        "architecture": "ARM64",
        "secrets": {"DB_PASSWORD": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/prd/api/db"},
    },
    # The demo's web service with its database: taskdef.json carries the DB_* environment and secrets.
    "web-db": {"name": "web", "port": 8000, "database": "app"},
}
DB_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-0f6b1c2d-AbCdEf"
# The DB instance as amazon.aws.rds_instance_info returns it (roles/pipeline/tasks/database.yml).
DB_INSTANCE = {
    "db_instance_identifier": "prd-demo-app-db",
    "db_name": "app",
    "endpoint": {"address": "prd-demo-app-db.abc.us-east-1.rds.amazonaws.com", "port": 5432},
    "master_user_secret": {"secret_arn": DB_SECRET, "kms_key_id": ""},
    "vpc_security_groups": [{"vpc_security_group_id": "sg-0db", "status": "active"}],
}


def _environment():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.join(ROLE, "templates")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    # Ansible's default/d expect Ansible's own Undefined; jinja2's built-in default does the same for StrictUndefined.
    env.filters.update({name: f for name, f in CoreFilters().filters().items() if name not in ("default", "d")})
    for module in (CollectionFilters, PipelineFilters, ControllerFilters):
        env.filters.update({f"bluegreen.ecs.{name}": f for name, f in module().filters().items()})
    return env


def _role_vars(env, context, keys):
    """Render the role's own derived values (vars/main.yml) that the template uses."""
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        role_vars = yaml.safe_load(handle)
    for key in keys:
        context[key] = env.from_string(role_vars[key]).render(context).strip()
    return context


def render(spec_input, env_name="prd", dockerfile="Dockerfile", inventory=None):
    env = _environment()
    spec = service_spec.normalize(spec_input)
    names = naming.service_names(env_name, "demo", spec["name"], ACCOUNT, REGION)
    context = {
        "_pipeline_spec": spec,
        "_pipeline_names": names,
        "_common_caller": {"account": ACCOUNT, "partition": "aws"},
        "bluegreen_region": REGION,
        "pipeline_dockerfile": dockerfile,
        "_pipeline_execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/{names['execution_role']}",
        "_pipeline_task_role_arn": f"arn:aws:iam::{ACCOUNT}:role/{names['task_role']}",
        "_pipeline_database": database_facts(DB_INSTANCE, spec["database"]) if spec["database"] else {},
    }
    context.update(inventory or {})
    _role_vars(
        env,
        context,
        [
            "_pipeline_partition",
            "_pipeline_account",
            "_pipeline_registry",
            "_pipeline_repository_uri",
            "_pipeline_controller",
            "_pipeline_ecs_native",
            "_pipeline_validation_hook",
        ],
    )
    text = env.get_template("buildspec.yml.j2").render(context)
    return text, spec, names, context


def _stub(bin_dir, name, body):
    path = bin_dir / name
    path.write_text("#!/bin/bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def _render_value(env, value, context):
    if isinstance(value, dict):
        return {key: _render_value(env, item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [_render_value(env, item, context) for item in value]
    if isinstance(value, str):
        return env.from_string(value).render(context)
    return value


def pipeline_actions():
    """The Source (connection and GitHub v1) and Build actions, rendered from vars/main.yml and build.yml."""
    env = _environment()
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        role_vars = yaml.safe_load(handle)
    names = naming.service_names("prd", "demo", "web", ACCOUNT, REGION)
    context = {"_pipeline_names": names, "pipeline_repository": "example-org/web", "pipeline_branch": "main"}
    context["_pipeline_connection_arn"] = f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/abc"
    for key in ("_pipeline_source_namespace", "_pipeline_build_environment_variables"):
        context[key] = _render_value(env, role_vars[key], context)
    github_stage = _task("build.yml", "Create or update the pipeline")["vars"]["_pipeline_source_stage_github"]
    github_action = dict(github_stage["actions"][0], configuration={})  # the token lookup is not rendered
    return {
        "connection": _render_value(env, role_vars["_pipeline_source_stage_connection"], context)["actions"][0],
        "github": _render_value(env, github_action, context),
        "build": _render_value(env, role_vars["_pipeline_build_stage"], context)["actions"][0],
    }


def resolve_action_variables(build_action, source_action, outputs):
    """What CodePipeline does before starting the build: each ``#{namespace.Variable}`` in the build action's
    EnvironmentVariables becomes the source action's output variable (``outputs``), or the action fails."""
    variables = json.loads(build_action["configuration"]["EnvironmentVariables"])

    def resolve(match):
        assert match.group(1) == source_action["namespace"], f"no action has namespace {match.group(1)}"
        return outputs[match.group(2)]

    return {
        item["name"]: re.sub(r"#\{([A-Za-z0-9@_-]+)\.([A-Za-z0-9@_-]+)\}", resolve, item["value"]) for item in variables
    }


def run_build(tmp_path, buildspec_text, image_exists=False, action_variables=None, source_version=""):
    """Run the pre_build and build commands the way CodeBuild does (one bash, env variables exported).

    ``action_variables``: the environment variables the pipeline's build action passes (by default, those of
    the role's build action for a source at COMMIT); ``source_version``: CODEBUILD_RESOLVED_SOURCE_VERSION,
    which a CodePipeline source can leave empty.
    """
    if action_variables is None:
        actions = pipeline_actions()
        action_variables = resolve_action_variables(actions["build"], actions["connection"], {"CommitId": COMMIT})
    buildspec = yaml.safe_load(buildspec_text)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    _stub(bin_dir, "docker", f'echo "docker $*" >> {log}\ncat > /dev/null\n')
    _stub(
        bin_dir,
        "aws",
        f'echo "aws $*" >> {log}\n'
        'if [ "$2" = get-login-password ]; then echo not-a-real-password; fi\n'
        f'if [ "$2" = describe-images ]; then exit {0 if image_exists else 254}; fi\n',
    )
    work = tmp_path / "src"
    work.mkdir()
    env = dict(
        os.environ,
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        CODEBUILD_RESOLVED_SOURCE_VERSION=source_version,
        AWS_DEFAULT_REGION=REGION,
        **{k: str(v) for k, v in buildspec["env"]["variables"].items()},
        **action_variables,
    )
    # CodeBuild stops at the first failing command of a phase (on-failure: ABORT stops the build).
    commands = buildspec["phases"]["pre_build"]["commands"] + buildspec["phases"]["build"]["commands"]
    script = "set -e\n" + "\n".join(commands)
    proc = subprocess.run(
        ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return proc, work, calls


@pytest.fixture(scope="module")
def emulator():
    server = EmulatorServer(port=0, quiet=True)
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("key", sorted(SPECS))
def test_buildspec_shape(key):
    text, _spec, names, context = render(SPECS[key])
    buildspec = yaml.safe_load(text)
    assert buildspec["version"] == 0.2
    assert buildspec["artifacts"]["files"] == ["imageDetail.json", "taskdef.json", "appspec.yaml"]
    assert buildspec["phases"]["pre_build"]["on-failure"] == "ABORT"
    assert buildspec["phases"]["build"]["on-failure"] == "ABORT"
    assert buildspec["env"]["variables"]["REPOSITORY_URI"] == (
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{names['repository']}"
    )
    assert context["_pipeline_repository_uri"] == buildspec["env"]["variables"]["REPOSITORY_URI"]
    assert "latest" not in text


@pytest.mark.parametrize("key", sorted(SPECS))
def test_build_tags_with_the_commit_and_writes_the_deploy_files(tmp_path, key):
    text, spec, names, context = render(SPECS[key])
    proc, work, calls = run_build(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    image = f"{context['_pipeline_repository_uri']}:{COMMIT[:7]}"

    builds = [c for c in calls if c.startswith("docker build")]
    pushes = [c for c in calls if c.startswith("docker push")]
    assert len(builds) == 1 and pushes == [f"docker push {image}"]
    assert f"--tag {image} ." in builds[0]
    assert f"APP_VERSION={COMMIT[:7]}" in builds[0]
    assert f"GIT_COMMIT={COMMIT}" in builds[0]
    assert "BUILD_TIME=20" in builds[0]
    assert "--file Dockerfile" in builds[0]
    assert not [c for c in calls if "latest" in c]
    login = [c for c in calls if c.startswith("docker login")]
    assert login == [f"docker login --username AWS --password-stdin {context['_pipeline_registry']}"]
    assert f"aws ecr get-login-password --region {REGION}" in calls

    assert json.loads((work / "imageDetail.json").read_text()) == {"ImageURI": image}

    taskdef = json.loads((work / "taskdef.json").read_text())
    # The one source: exactly the filter's output, image left for CodePipeline.
    assert taskdef == task_definition(
        spec,
        names,
        "<IMAGE1_NAME>",
        REGION,
        context["_pipeline_execution_role_arn"],
        context["_pipeline_task_role_arn"],
        False,
        context["_pipeline_database"] or None,
    )
    if spec["database"]:
        secrets = taskdef["containerDefinitions"][0]["secrets"]
        assert {"name": "DB_PASSWORD", "valueFrom": DB_SECRET + ":password::"} in secrets
    shape = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition")
    validate_parameters(taskdef, shape.input_shape)
    assert taskdef["cpu"] == str(spec["cpu"]) and taskdef["memory"] == str(spec["memory"])
    assert taskdef["requiresCompatibilities"] == ["FARGATE"]
    container = taskdef["containerDefinitions"][0]
    assert container["image"] == "<IMAGE1_NAME>"
    assert container["portMappings"] == [{"containerPort": spec["port"], "hostPort": spec["port"], "protocol": "tcp"}]
    assert container["logConfiguration"]["options"]["awslogs-group"] == names["log_group"]
    assert container["logConfiguration"]["options"]["awslogs-region"] == REGION

    appspec = yaml.safe_load((work / "appspec.yaml").read_text())
    assert appspec["version"] == 0.0
    target = appspec["Resources"][0]["TargetService"]
    assert target["Type"] == "AWS::ECS::Service"
    assert target["Properties"]["TaskDefinition"] == "<TASK_DEFINITION>"
    assert target["Properties"]["LoadBalancerInfo"] == {
        "ContainerName": names["container"],
        "ContainerPort": spec["port"],
    }
    # The appspec's container is the task definition's container (CodeDeploy routes traffic to it).
    assert names["container"] == container["name"]


def test_a_commit_already_in_ecr_is_not_rebuilt_but_still_deployed(tmp_path):
    text, _spec, _names, context = render(SPECS["web"])
    proc, work, calls = run_build(tmp_path, text, image_exists=True)
    assert proc.returncode == 0, proc.stderr
    assert not [c for c in calls if c.startswith(("docker build", "docker push"))]
    assert json.loads((work / "imageDetail.json").read_text()) == {
        "ImageURI": f"{context['_pipeline_repository_uri']}:{COMMIT[:7]}"
    }
    assert (work / "taskdef.json").exists() and (work / "appspec.yaml").exists()


def test_no_source_commit_fails_before_docker(tmp_path):
    text, *_rest = render(SPECS["web"])
    proc, work, calls = run_build(tmp_path, text, action_variables={"SOURCE_COMMIT_ID": ""}, source_version="")
    assert proc.returncode != 0
    assert "SOURCE_COMMIT_ID" in proc.stderr and "are both empty; no commit to tag the image with" in proc.stderr
    assert calls == []
    assert not (work / "imageDetail.json").exists()


def test_something_else_than_a_commit_fails_before_docker(tmp_path):
    """For an S3 source artifact CodeBuild's resolved version is the object version, not a commit."""
    text, *_rest = render(SPECS["web"])
    proc, work, calls = run_build(
        tmp_path, text, action_variables={}, source_version="3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"
    )
    assert proc.returncode != 0
    assert "is not a git commit id" in proc.stderr
    assert calls == [] and not (work / "imageDetail.json").exists()


def test_a_build_started_outside_the_pipeline_uses_the_resolved_source_version(tmp_path):
    text, _spec, _names, context = render(SPECS["web"])
    proc, work, calls = run_build(tmp_path, text, action_variables={}, source_version=COMMIT)
    assert proc.returncode == 0, proc.stderr
    assert f"GIT_COMMIT={COMMIT}" in [c for c in calls if c.startswith("docker build")][0]
    assert json.loads((work / "imageDetail.json").read_text())["ImageURI"].endswith(f":{COMMIT[:7]}")


@pytest.mark.parametrize("source", ["connection", "github"])
def test_the_build_action_passes_the_source_commit(source):
    actions = pipeline_actions()
    namespace = actions[source]["namespace"]
    assert namespace == actions["connection"]["namespace"] == "SourceVariables"
    variables = json.loads(actions["build"]["configuration"]["EnvironmentVariables"])
    assert variables == [{"name": "SOURCE_COMMIT_ID", "type": "PLAINTEXT", "value": "#{SourceVariables.CommitId}"}]
    # The action hands them to StartBuild as environmentVariablesOverride: CodeBuild's shape.
    start_build = botocore.session.get_session().get_service_model("codebuild").operation_model("StartBuild")
    validate_parameters({"projectName": "p", "environmentVariablesOverride": variables}, start_build.input_shape)
    assert resolve_action_variables(actions["build"], actions[source], {"CommitId": COMMIT}) == {
        "SOURCE_COMMIT_ID": COMMIT
    }


def test_dockerfile_setting_reaches_the_build(tmp_path):
    text, *_rest = render(SPECS["web"], dockerfile="docker/app.Dockerfile")
    proc, _work, calls = run_build(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    assert "--file docker/app.Dockerfile" in [c for c in calls if c.startswith("docker build")][0]


@pytest.mark.parametrize("key", sorted(SPECS))
def test_taskdef_registers_on_the_emulator(tmp_path, emulator, key):
    text, spec, names, context = render(SPECS[key])
    proc, work, _calls = run_build(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    image = json.loads((work / "imageDetail.json").read_text())["ImageURI"]
    # What CodePipeline does before registering: <IMAGE1_NAME> becomes imageDetail.json's ImageURI.
    taskdef = json.loads((work / "taskdef.json").read_text().replace("<IMAGE1_NAME>", image))
    ecs = boto3.client(
        "ecs",
        endpoint_url=emulator.endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    registered = ecs.register_task_definition(**taskdef)["taskDefinition"]
    described = ecs.describe_task_definition(taskDefinition=registered["taskDefinitionArn"])["taskDefinition"]
    container = described["containerDefinitions"][0]
    assert described["family"] == names["family"]
    assert described["cpu"] == str(spec["cpu"])
    assert described["memory"] == str(spec["memory"])
    assert described["executionRoleArn"] == context["_pipeline_execution_role_arn"]
    assert described["taskRoleArn"] == context["_pipeline_task_role_arn"]
    assert container["image"] == f"{context['_pipeline_repository_uri']}:{COMMIT[:7]}"
    assert container["portMappings"][0]["containerPort"] == spec["port"]
    assert container["logConfiguration"]["options"]["awslogs-group"] == names["log_group"]


def _task(tasks_file, name):
    with open(os.path.join(ROLE, "tasks", tasks_file), encoding="utf-8") as handle:
        return next(task for task in yaml.safe_load(handle) if task["name"] == name)


def _evaluate(env, template, context):
    """A task argument as Ansible evaluates a lone ``{{ expression }}``: the value, not its string."""
    expression = template.strip()
    assert expression.startswith("{{") and expression.endswith("}}"), template
    return env.compile_expression(expression[2:-2].strip())(**context)


def build_project_environment(spec_input, build_image=None):
    """The CodeBuild project's environment type and image, as validate.yml and build.yml resolve them
    (``pipeline_build_image`` from defaults/main.yml unless given)."""
    if build_image is None:
        with open(os.path.join(ROLE, "defaults", "main.yml"), encoding="utf-8") as handle:
            build_image = yaml.safe_load(handle)["pipeline_build_image"]
    env = _environment()
    context = {"_pipeline_spec": service_spec.normalize(spec_input), "pipeline_build_image": build_image}
    choose = _task("validate.yml", "Choose the build environment for the service's architecture")
    context["_pipeline_build_environment"] = _evaluate(
        env, choose["ansible.builtin.set_fact"]["_pipeline_build_environment"], context
    )
    project = _task("build.yml", "Create or update the build project")["community.aws.codebuild_project"]
    # The writer passes the options codebuild_project_in_sync compares (vars/main.yml, _pipeline_project_wanted).
    assert project["environment"] == "{{ _pipeline_project_wanted.environment }}"
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        environment = yaml.safe_load(handle)["_pipeline_project_wanted"]["environment"]
    return {key: _evaluate(env, environment[key], context) for key in ("type", "image")}


@pytest.mark.parametrize(
    "key, expected",
    [
        ("web", {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0"}),
        ("api", {"type": "ARM_CONTAINER", "image": "aws/codebuild/amazonlinux-aarch64-standard:3.0"}),
    ],
)
def test_build_project_runs_on_the_service_architecture(key, expected):
    assert build_project_environment(SPECS[key]) == expected


def test_build_image_of_the_other_architecture_fails_naming_the_setting():
    with pytest.raises(
        Exception, match="pipeline_build_image: aws/codebuild/standard:7.0 is a CodeBuild image for X86_64"
    ):
        build_project_environment(SPECS["api"], "aws/codebuild/standard:7.0")


def _built_appspec(tmp_path, inventory=None):
    text, _spec, names, _context = render(SPECS["web"], inventory=inventory)
    proc, work, _calls = run_build(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load((work / "appspec.yaml").read_text()), names


def test_appspec_names_the_validation_function_as_the_test_traffic_hook(tmp_path):
    appspec, names = _built_appspec(tmp_path)
    # AppSpec 'hooks' section for an ECS deployment: a list of {event: function name}.
    assert appspec["Hooks"] == [{"AfterAllowTestTraffic": names["validation_function"]}]
    assert names["validation_function"].startswith("CodeDeployHook_")


def test_appspec_has_no_hook_when_the_validation_function_is_off(tmp_path):
    appspec, _names = _built_appspec(tmp_path, {"codedeploy_validation_enabled": False})
    assert "Hooks" not in appspec


def _deployment_config_arns(project):
    """The ARNs the pipeline role may read deployment configs of, rendered from vars/main.yml for ``project``."""
    env = _environment()
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        role_vars = yaml.safe_load(handle)
    context = {
        "_common_caller": {"account": ACCOUNT, "partition": "aws"},
        "_pipeline_names": naming.service_names("prd", project, "web", ACCOUNT, REGION),
        "bluegreen_region": REGION,
        "bluegreen_env": "prd",
    }
    for key in ("_pipeline_partition", "_pipeline_account", "_pipeline_arn_prefix", "_pipeline_regional"):
        context[key] = env.from_string(role_vars[key]).render(context).strip()
    context["_pipeline_codedeploy_prefix"] = env.from_string(role_vars["_pipeline_codedeploy_prefix"]).render(context)
    return _render_value(env, role_vars["_pipeline_deployment_config_arns"], context)


def _iam_allows(patterns, arn):
    """IAM's Resource matching: '*' matches any run of characters (IAM User Guide, "IAM JSON policy elements: Resource")."""
    return any(re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), arn) for pattern in patterns)


def test_the_pipeline_reads_its_own_deployment_configs_and_not_another_projects():
    arn = f"arn:aws:codedeploy:{REGION}:{ACCOUNT}:deploymentconfig:"
    ours = naming.deployment_config_name("prd", "shop", "web", "canary", 10, 1)
    theirs = naming.deployment_config_name("prd", "blog", "web", "canary", 10, 1)
    patterns = _deployment_config_arns("shop")
    assert _iam_allows(patterns, arn + ours)
    assert _iam_allows(patterns, arn + "CodeDeployDefault.ECSAllAtOnce")
    # Same environment, same service name, another project: not ours to read.
    assert not _iam_allows(patterns, arn + theirs)


# An ECS-native service (bluegreen_deployment_controller: ecs): the build writes no appspec.yaml, the deploy stage is
# the deploy project running files/ecs_deploy_step.py, and the pipeline role keeps no CodeDeploy or task-role rights.
ECS = {"bluegreen_deployment_controller": "ecs"}


def test_an_ecs_service_build_writes_no_appspec(tmp_path):
    text, _spec, _names, context = render(SPECS["web"], inventory=ECS)
    assert context["_pipeline_ecs_native"] == "True"
    assert yaml.safe_load(text)["artifacts"]["files"] == ["imageDetail.json", "taskdef.json"]
    proc, work, _calls = run_build(tmp_path, text)
    assert proc.returncode == 0, proc.stderr
    assert not (work / "appspec.yaml").exists()
    assert json.loads((work / "taskdef.json").read_text())["containerDefinitions"][0]["image"] == "<IMAGE1_NAME>"


def test_a_codedeploy_service_build_still_writes_the_appspec():
    text, _spec, _names, _context = render(SPECS["web"], inventory={"bluegreen_deployment_controller": "codedeploy"})
    assert yaml.safe_load(text)["artifacts"]["files"] == ["imageDetail.json", "taskdef.json", "appspec.yaml"]


def _ecs_context():
    env = _environment()
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        role_vars = yaml.safe_load(handle)
    names = naming.service_names("prd", "demo", "web", ACCOUNT, REGION)
    context = {
        "_common_caller": {"account": ACCOUNT, "partition": "aws"},
        "_common_service": {"platform": naming.platform_names("prd", "demo")},
        "_pipeline_names": names,
        "bluegreen_region": REGION,
        "bluegreen_deployment_controller": "ecs",
        "pipeline_source": "connection",
        "pipeline_kms_key": "",
        "pipeline_build_timeout": 20,
        "_pipeline_connection_arn": f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/abc",
        "_pipeline_execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/{names['execution_role']}",
        "_pipeline_task_role_arn": f"arn:aws:iam::{ACCOUNT}:role/{names['task_role']}",
        "_pipeline_deploy_subnets": ["subnet-a", "subnet-b"],
    }
    scalars = [
        "_pipeline_partition",
        "_pipeline_account",
        "_pipeline_arn_prefix",
        "_pipeline_regional",
        "_pipeline_controller",
        "_pipeline_ecs_native",
        "_pipeline_bucket_arn",
        "_pipeline_project_arn",
        "_pipeline_deploy_log_group",
        "_pipeline_deploy_log_group_arn",
        "_pipeline_deploy_project_arn",
        "_pipeline_cluster_name",
        "_pipeline_service_arn",
        "_pipeline_service_deployments_arn",
        "_pipeline_codedeploy_prefix",
        "_pipeline_codedeploy_app_arn",
        "_pipeline_deployment_group_arn",
        "_pipeline_kms_statements",
        "_pipeline_deploy_subnet_arns",
        "_pipeline_body_pattern",
    ]
    for key in scalars:
        rendered = (
            env.from_string(role_vars[key]).render(context).strip()
            if isinstance(role_vars[key], str)
            else role_vars[key]
        )
        context[key] = rendered
    context["_pipeline_kms_statements"] = []
    context["_pipeline_deploy_subnet_arns"] = yaml.safe_load(context["_pipeline_deploy_subnet_arns"].replace("'", '"'))
    context["_pipeline_deployment_config_arns"] = _render_value(
        env, role_vars["_pipeline_deployment_config_arns"], context
    )
    return env, role_vars, context, names


def _statements(env, role_vars, context, key):
    text = env.from_string(role_vars[key]["Statement"]).render(context)
    return {s["Sid"]: s for s in yaml.safe_load(text)}


def test_the_deploy_stage_of_an_ecs_service_runs_the_deploy_project():
    env, role_vars, context, names = _ecs_context()
    stage = _render_value(env, role_vars["_pipeline_ecs_deploy_stage"], context)
    (action,) = stage["actions"]
    assert action["action_type_id"] == {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}
    assert action["configuration"] == {"ProjectName": names["deploy_project"]}
    assert action["input_artifacts"] == [{"name": "BuildArtifact"}]
    stages = yaml.safe_load(
        env.from_string(role_vars["_pipeline_later_stages"])
        .render(
            dict(
                context,
                pipeline_manual_approval=False,
                _pipeline_build_stage={"name": "Build"},
                _pipeline_approval_stage={},
                _pipeline_ecs_deploy_stage=stage,
                _pipeline_deploy_stage={"name": "CodeDeploy"},
            )
        )
        .replace("'", '"')
    )
    assert [s["name"] for s in stages] == ["Build", "Deploy"] and stages[1] == stage


def test_an_ecs_pipeline_role_only_starts_its_builds():
    env, role_vars, context, names = _ecs_context()
    statements = _statements(env, role_vars, context, "_pipeline_codepipeline_policy")
    assert statements["RunBuild"]["Resource"] == [
        context["_pipeline_project_arn"],
        context["_pipeline_deploy_project_arn"],
    ]
    for sid in ("DeployApplication", "DeployGroup", "ReadDeploymentConfig", "RegisterTaskDefinition", "PassTaskRoles"):
        assert sid not in statements


def test_the_deploy_role_may_release_this_service_only():
    env, role_vars, context, names = _ecs_context()
    statements = _statements(env, role_vars, context, "_pipeline_deploy_policy")
    service = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prd-demo-cluster/{names['service']}"
    assert statements["UpdateService"]["Resource"] == service
    assert statements["FollowServiceDeployment"]["Resource"] == (
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/prd-demo-cluster/{names['service']}/*"
    )
    assert set(statements["FollowServiceDeployment"]["Action"]) == {
        "ecs:ContinueServiceDeployment",
        "ecs:DescribeServiceDeployments",
    }
    assert statements["PassTaskRoles"]["Resource"] == [
        context["_pipeline_execution_role_arn"],
        context["_pipeline_task_role_arn"],
    ]
    assert statements["PassTaskRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    assert statements["VpcNetworkInterfacePermission"]["Condition"]["ArnEquals"]["ec2:Subnet"] == [
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-a",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-b",
    ]
    # No load-balancer role to pass: UpdateService with a task definition alone sends no advancedConfiguration.
    passed = [s for s in statements.values() if "iam:PassRole" in s["Action"]]
    assert passed == [statements["PassTaskRoles"]]


def test_the_deployspec_ships_the_step_and_its_check_unchanged(tmp_path):
    env = _environment()
    env.globals["lookup"] = lambda _kind, path: open(path, encoding="utf-8").read().rstrip("\n")
    names = naming.service_names("prd", "demo", "web", ACCOUNT, REGION)
    text = env.get_template("deployspec.yml.j2").render({"_pipeline_names": names, "role_path": ROLE})
    spec = yaml.safe_load(text)
    writer, run = spec["phases"]["build"]["commands"]
    assert run == 'python3 "/tmp/bluegreen-step/ecs_deploy_step.py"'
    script = writer.replace("/tmp/bluegreen-step", str(tmp_path))
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr
    for shipped, source in (
        ("ecs_deploy_step.py", os.path.join(ROLE, "files", "ecs_deploy_step.py")),
        ("http_check.py", os.path.join(ROOT, "plugins", "module_utils", "http_check.py")),
    ):
        with open(source, encoding="utf-8") as handle:
            assert (tmp_path / shipped).read_text() == handle.read()
