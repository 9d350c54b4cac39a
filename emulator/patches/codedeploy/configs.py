"""CodeDeploy deployment configurations (moto has none).

Follows:
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_CreateDeploymentConfig.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_GetDeploymentConfig.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeleteDeploymentConfig.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_ListDeploymentConfigs.html
- predefined configs: https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html
Custom configs live on the moto backend, so moto's reset clears them.
"""

import uuid
from datetime import UTC, datetime

from moto.codedeploy.responses import CodeDeployResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow

from emulator.patches._util import aws_error, raw_json

_PREDEFINED_TIME = datetime(2014, 11, 12, tzinfo=UTC)


def _canary(percent: int, minutes: int) -> dict:
    return {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": percent, "canaryInterval": minutes}}


def _linear(percent: int, minutes: int) -> dict:
    return {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": percent, "linearInterval": minutes}}


_ALL_AT_ONCE = {"type": "AllAtOnce"}
_TRAFFIC = {
    "ECSAllAtOnce": ("ECS", _ALL_AT_ONCE),
    "ECSCanary10Percent5Minutes": ("ECS", _canary(10, 5)),
    "ECSCanary10Percent15Minutes": ("ECS", _canary(10, 15)),
    "ECSLinear10PercentEvery1Minutes": ("ECS", _linear(10, 1)),
    "ECSLinear10PercentEvery3Minutes": ("ECS", _linear(10, 3)),
    "LambdaAllAtOnce": ("Lambda", _ALL_AT_ONCE),
    "LambdaCanary10Percent5Minutes": ("Lambda", _canary(10, 5)),
    "LambdaCanary10Percent10Minutes": ("Lambda", _canary(10, 10)),
    "LambdaCanary10Percent15Minutes": ("Lambda", _canary(10, 15)),
    "LambdaCanary10Percent30Minutes": ("Lambda", _canary(10, 30)),
    "LambdaLinear10PercentEvery1Minute": ("Lambda", _linear(10, 1)),
    "LambdaLinear10PercentEvery2Minutes": ("Lambda", _linear(10, 2)),
    "LambdaLinear10PercentEvery3Minutes": ("Lambda", _linear(10, 3)),
    "LambdaLinear10PercentEvery10Minutes": ("Lambda", _linear(10, 10)),
}
# EC2/on-premises configs; only their names matter to this project.
_SERVER = {
    "AllAtOnce": {"type": "FLEET_PERCENT", "value": 0},
    "HalfAtATime": {"type": "FLEET_PERCENT", "value": 50},
    "OneAtATime": {"type": "FLEET_PERCENT", "value": 99},
}
DEFAULT_FOR_PLATFORM = {
    "ECS": "CodeDeployDefault.ECSAllAtOnce",
    "Lambda": "CodeDeployDefault.LambdaAllAtOnce",
    "Server": "CodeDeployDefault.OneAtATime",
}
COMPUTE_PLATFORMS = ("Server", "Lambda", "ECS")


def _predefined() -> dict[str, dict]:
    configs = {}
    for short, (platform, routing) in _TRAFFIC.items():
        configs[f"CodeDeployDefault.{short}"] = {"computePlatform": platform, "trafficRoutingConfig": routing}
    for short, hosts in _SERVER.items():
        configs[f"CodeDeployDefault.{short}"] = {"computePlatform": "Server", "minimumHealthyHosts": hosts}
    for name, info in configs.items():
        info.update(
            deploymentConfigName=name,
            deploymentConfigId=str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
            createTime=_PREDEFINED_TIME,
        )
    return configs


PREDEFINED = _predefined()


def custom_configs(backend) -> dict[str, dict]:
    """Custom configs of one backend, stored on it so moto's reset clears them."""
    return backend.__dict__.setdefault("emulator_deployment_configs", {})


def find_config(backend, name: str) -> dict | None:
    return PREDEFINED.get(name) or custom_configs(backend).get(name)


def require_config(backend, name: str) -> dict:
    """The config, or DeploymentConfigDoesNotExistException as CodeDeploy raises for an unknown name."""
    config = find_config(backend, name)
    if config is None:
        raise aws_error(
            "DeploymentConfigDoesNotExistException",
            f"The deployment configuration {name} does not exist with the user or AWS account.",
        )
    return config


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_routing(routing: dict) -> dict:
    """Check a TrafficRoutingConfig the way CodeDeploy does; return only the members that apply to its type."""
    kind = routing.get("type")
    sub_keys = {"TimeBasedCanary": ("timeBasedCanary", "canary"), "TimeBasedLinear": ("timeBasedLinear", "linear")}
    if kind == "AllAtOnce":
        return {"type": kind}
    if kind not in sub_keys:
        raise aws_error(
            "InvalidTrafficRoutingConfigurationException",
            f"Traffic routing type must be one of AllAtOnce, TimeBasedCanary, TimeBasedLinear, not {kind!r}.",
        )
    member, prefix = sub_keys[kind]
    spec = routing.get(member)
    if not isinstance(spec, dict):
        raise aws_error(
            "InvalidTrafficRoutingConfigurationException",
            f"{member} is required when the traffic routing type is {kind}.",
        )
    percentage, interval = spec.get(f"{prefix}Percentage"), spec.get(f"{prefix}Interval")
    if not _is_int(percentage) or not 1 <= percentage <= 99:
        raise aws_error(
            "InvalidTrafficRoutingConfigurationException",
            f"{prefix}Percentage must be an integer from 1 to 99, got {percentage!r}.",
        )
    if not _is_int(interval) or interval < 1:
        raise aws_error(
            "InvalidTrafficRoutingConfigurationException",
            f"{prefix}Interval must be a whole number of minutes >= 1, got {interval!r}.",
        )
    return {"type": kind, member: {f"{prefix}Percentage": percentage, f"{prefix}Interval": interval}}


def _validate_hosts(hosts) -> dict:
    if (
        not isinstance(hosts, dict)
        or hosts.get("type") not in ("HOST_COUNT", "FLEET_PERCENT")
        or not _is_int(hosts.get("value"))
    ):
        raise aws_error(
            "InvalidMinimumHealthyHostValueException",
            "minimumHealthyHosts needs a type (HOST_COUNT or FLEET_PERCENT) and an integer value.",
        )
    if hosts["type"] == "FLEET_PERCENT" and not 0 <= hosts["value"] <= 99:
        raise aws_error("InvalidMinimumHealthyHostValueException", "A FLEET_PERCENT minimum must be from 0 to 99.")
    return {"type": hosts["type"], "value": hosts["value"]}


def build_config(name: str, platform: str | None, routing, hosts, zonal) -> dict:
    platform = platform or "Server"
    if platform not in COMPUTE_PLATFORMS:
        raise aws_error(
            "InvalidComputePlatformException",
            f"The computePlatform {platform!r} is invalid; use Server, Lambda or ECS.",
        )
    info = {
        "deploymentConfigName": name,
        "deploymentConfigId": str(uuid.uuid4()),
        "computePlatform": platform,
        "createTime": utcnow(),
    }
    if platform == "Server":
        if routing is not None:
            raise aws_error(
                "InvalidTrafficRoutingConfigurationException",
                "trafficRoutingConfig applies to Lambda and ECS deployment configurations only.",
            )
        info["minimumHealthyHosts"] = _validate_hosts(hosts)
    else:
        if hosts is not None:
            raise aws_error(
                "InvalidMinimumHealthyHostValueException",
                f"minimumHealthyHosts does not apply to the {platform} compute platform.",
            )
        info["trafficRoutingConfig"] = _validate_routing(routing if isinstance(routing, dict) else {"type": None})
    if zonal is not None:
        info["zonalConfig"] = zonal
    return info


class DeploymentConfigPatch(CodeDeployResponse):
    """Operations copied onto moto's CodeDeployResponse."""

    def create_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        if not name:
            raise aws_error(
                "DeploymentConfigNameRequiredException", "The deployment configuration name was not specified."
            )
        if find_config(self.codedeploy_backend, name) is not None:
            raise aws_error(
                "DeploymentConfigAlreadyExistsException", f"A deployment configuration named {name} already exists."
            )
        raw = raw_json(self.body)
        info = build_config(
            name,
            self._get_param("computePlatform"),
            raw.get("trafficRoutingConfig"),
            raw.get("minimumHealthyHosts"),
            self._get_param("zonalConfig"),
        )
        custom_configs(self.codedeploy_backend)[name] = info
        return ActionResult({"deploymentConfigId": info["deploymentConfigId"]})

    def get_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        if not name:
            raise aws_error(
                "DeploymentConfigNameRequiredException", "The deployment configuration name was not specified."
            )
        return ActionResult({"deploymentConfigInfo": require_config(self.codedeploy_backend, name)})

    def delete_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        if name in PREDEFINED:
            raise aws_error(
                "InvalidOperationException", f"{name} is a predefined deployment configuration and cannot be deleted."
            )
        backend = self.codedeploy_backend
        for groups in backend.deployment_groups.values():
            if any(str(group.deployment_config_name) == name for group in groups.values()):
                raise aws_error(
                    "DeploymentConfigInUseException",
                    f"The deployment configuration {name} is in use by a deployment group.",
                )
        custom_configs(backend).pop(name, None)  # deleting an unknown name is not an error in CodeDeploy
        return EmptyResult()

    def list_deployment_configs(self):
        names = sorted(PREDEFINED) + sorted(custom_configs(self.codedeploy_backend))
        return ActionResult({"deploymentConfigsList": names})
