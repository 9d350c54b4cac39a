# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the codepipeline module: input shape, validation and comparison with GetPipeline.

``community.aws.codepipeline`` calls UpdatePipeline on every run, and UpdatePipeline bumps the
pipeline version even when nothing changed. Here the wanted declaration and the live one go through
one normalizer that drops what AWS adds by itself (version, metadata, default run order, empty
artifact lists, masked secrets), so the module writes only when something really differs.
"""

from __future__ import annotations

import copy
import re

# Map-typed fields: their keys are data (action configuration keys, region names), never converted.
_OPAQUE_KEYS = ("configuration",)
_MAP_KEYS = ("artifactStores",)
# GetPipeline returns secret action configuration values (GitHub OAuthToken, ...) as this mask.
MASK = "****"
_SECRET_KEY = re.compile(r"token|secret|password", re.IGNORECASE)

# Optional top-level fields compared only when the task sets them: AWS fills its own defaults.
OPTIONAL_FIELDS = ("pipelineType", "executionMode", "variables", "triggers")


# The CodeBuild environment that builds an image for each ECS CPU architecture (the service spec's
# ``architecture``, runtimePlatform.cpuArchitecture). A build runs on the host's architecture, so an
# ARM64 task needs an ARM build host: environment type ARM_CONTAINER with an aarch64 image.
# Images: CodeBuild user guide, "Docker images provided by CodeBuild" (build-env-ref-available.html);
# types: "Build environment compute modes and types" (build-env-ref-compute-types.html).
BUILD_ENVIRONMENTS = {
    "X86_64": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0"},
    "ARM64": {"type": "ARM_CONTAINER", "image": "aws/codebuild/amazonlinux-aarch64-standard:3.0"},
}
# CodeBuild's curated Linux images name their architecture; only these can be checked by name.
_CURATED_IMAGE = re.compile(
    r"^aws/codebuild/(?:(?P<x86>standard|amazonlinux2?-x86_64-standard)|(?P<arm>amazonlinux2?-aarch64-standard)):"
)


class PipelineError(ValueError):
    """Invalid pipeline input; the message names the option and the path in it."""


def curated_image_architecture(image):
    """``X86_64`` or ``ARM64`` for a CodeBuild curated Linux image, ``None`` for any other image
    (ECR, Docker Hub): their architecture cannot be told from the name."""
    match = _CURATED_IMAGE.match(image or "")
    if not match:
        return None
    return "ARM64" if match.group("arm") else "X86_64"


def build_environment(architecture, image=""):
    """The CodeBuild environment ``{"type", "image"}`` that builds an image for ``architecture``.

    ``image`` overrides the default image of that architecture; a curated image of the other
    architecture is refused (CodeBuild would refuse it for the environment type, or build an image
    the task cannot run).
    """
    if architecture not in BUILD_ENVIRONMENTS:
        raise PipelineError(
            f"bluegreen_service.architecture: {architecture!r}; allowed {', '.join(sorted(BUILD_ENVIRONMENTS))}"
        )
    environment = dict(BUILD_ENVIRONMENTS[architecture])
    if not image:
        return environment
    image_architecture = curated_image_architecture(image)
    if image_architecture not in (None, architecture):
        raise PipelineError(
            f"pipeline_build_image: {image} is a CodeBuild image for {image_architecture}, but the service's "
            f"architecture is {architecture}: use {environment['image']} (or leave pipeline_build_image empty)"
        )
    environment["image"] = image
    return environment


def _camel(key):
    if "_" not in key:
        return key
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _config_value(value):
    """Action configuration values are strings in the API; YAML gives booleans and numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def to_api_shape(value, _parent=None):
    """Accept snake_case or camelCase keys, return the API's camelCase shape.

    Keys inside ``configuration`` (``ProjectName``, ``BranchName``) are passed unchanged and their values
    turned into strings; keys of ``artifactStores`` are region names and are kept as well. ``None`` values
    are dropped.
    """
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if item is None:
                continue
            if _parent in _OPAQUE_KEYS:
                result[key] = _config_value(item)
                continue
            api_key = key if _parent in _MAP_KEYS else _camel(key)
            result[api_key] = to_api_shape(item, api_key)
        return result
    if isinstance(value, list):
        return [to_api_shape(item, None) for item in value]
    return value


def _snake(key):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()


def to_snake_shape(value, _parent=None):
    """API shape -> snake_case keys for return values, leaving ``configuration`` and ``artifactStores`` keys alone
    (``camel_dict_to_snake_dict``'s ignore_list works on the top level only)."""
    if isinstance(value, dict):
        if _parent in _OPAQUE_KEYS:
            return dict(value)
        return {
            (key if _parent in _MAP_KEYS else _snake(key)): to_snake_shape(item, key) for key, item in value.items()
        }
    if isinstance(value, list):
        return [to_snake_shape(item) for item in value]
    return value


def build_declaration(params):
    """Module params -> the ``pipeline`` argument of CreatePipeline (without version)."""
    declaration = {
        "name": params["name"],
        "roleArn": params["role_arn"],
        "artifactStore": to_api_shape(params["artifact_store"]),
        "stages": to_api_shape(params["stages"]),
    }
    for option, key in (("pipeline_type", "pipelineType"), ("execution_mode", "executionMode")):
        if params.get(option) is not None:
            declaration[key] = params[option]
    for option, key in (("variables", "variables"), ("triggers", "triggers")):
        if params.get(option) is not None:
            declaration[key] = to_api_shape(params[option])
    return declaration


def _require(mapping, keys, where):
    for key in keys:
        if mapping.get(key) in (None, "", [], {}):
            raise PipelineError(f"{where}: {key} is required")


def validate_declaration(declaration):
    """Structural checks AWS would make, run before any call; errors name the path."""
    store = declaration.get("artifactStore") or {}
    _require(store, ("type", "location"), "artifact_store")
    stages = declaration.get("stages") or []
    if len(stages) < 2:
        raise PipelineError(f"stages: a pipeline needs at least 2 stages, got {len(stages)}")
    stage_names = set()
    for s_index, stage in enumerate(stages):
        where = f"stages[{s_index}]"
        if not isinstance(stage, dict):
            raise PipelineError(f"{where}: each stage is a dict with name and actions")
        _require(stage, ("name", "actions"), where)
        if stage["name"] in stage_names:
            raise PipelineError(f"{where}: stage name {stage['name']!r} is used twice")
        stage_names.add(stage["name"])
        action_names = set()
        for a_index, action in enumerate(stage["actions"]):
            a_where = f"{where}.actions[{a_index}]"
            if not isinstance(action, dict):
                raise PipelineError(f"{a_where}: each action is a dict")
            _require(action, ("name", "actionTypeId"), a_where)
            if not isinstance(action["actionTypeId"], dict):
                raise PipelineError(f"{a_where}.action_type_id: a dict with category, owner, provider and version")
            _require(action["actionTypeId"], ("category", "owner", "provider", "version"), f"{a_where}.action_type_id")
            if action["name"] in action_names:
                raise PipelineError(
                    f"{a_where}: action name {action['name']!r} is used twice in stage {stage['name']!r}"
                )
            action_names.add(action["name"])
            run_order = action.get("runOrder", 1)
            if isinstance(run_order, bool) or not isinstance(run_order, int) or not 1 <= run_order <= 999:
                raise PipelineError(f"{a_where}.run_order: {run_order!r} is not an integer in 1..999")
    pipeline_type = declaration.get("pipelineType")
    if pipeline_type != "V2":
        for key, option in (("triggers", "triggers"), ("variables", "variables")):
            if declaration.get(key):
                raise PipelineError(f"{option}: only V2 pipelines have {option}; set pipeline_type: V2")
        if declaration.get("executionMode") in ("QUEUED", "PARALLEL"):
            raise PipelineError(
                f"execution_mode: {declaration['executionMode']} needs pipeline_type: V2 (V1 pipelines only supersede)"
            )


def _prune(value):
    """Drop None, empty lists and empty dicts (AWS returns ``[]``/``{}`` for what was never set)."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def normalize_declaration(declaration):
    """The comparable form of a pipeline declaration (wanted, or ``GetPipeline()['pipeline']``)."""
    result = copy.deepcopy(declaration)
    result.pop("version", None)
    result.pop("metadata", None)
    for stage in result.get("stages") or []:
        for action in stage.get("actions") or []:
            action.setdefault("runOrder", 1)
            action["configuration"] = {
                key: _config_value(item) for key, item in (action.get("configuration") or {}).items()
            }
    return _prune(result)


def _unmask(live, wanted):
    """Where AWS shows a secret as ``****``, take the wanted value: the real one cannot be read back."""
    wanted_stages = {stage.get("name"): stage for stage in wanted.get("stages") or []}
    for stage in live.get("stages") or []:
        wanted_actions = {a.get("name"): a for a in (wanted_stages.get(stage.get("name")) or {}).get("actions") or []}
        for action in stage.get("actions") or []:
            config = action.get("configuration") or {}
            wanted_config = (wanted_actions.get(action.get("name")) or {}).get("configuration") or {}
            for key, item in config.items():
                if item == MASK and key in wanted_config:
                    config[key] = wanted_config[key]


def compare_pipeline(wanted, live):
    """Return ``(before, after)`` normalized declarations; equal means no UpdatePipeline call.

    Fields in OPTIONAL_FIELDS are compared only when ``wanted`` sets them.
    """
    after = normalize_declaration(wanted)
    if live is None:
        return {}, after
    before = normalize_declaration(live)
    _unmask(before, after)
    for key in OPTIONAL_FIELDS:
        if key not in after:
            before.pop(key, None)
    return before, after


def changed_paths(before, after, prefix=""):
    """Human readable list of what differs: ``stages[Deploy].actions[Deploy].configuration``."""
    if isinstance(before, dict) and isinstance(after, dict):
        paths = []
        for key in sorted(set(before) | set(after)):
            paths.extend(changed_paths(before.get(key), after.get(key), f"{prefix}.{key}" if prefix else key))
        return paths
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        named = all(isinstance(item, dict) and "name" in item for item in before + after)
        if named and [b["name"] for b in before] == [a["name"] for a in after]:
            paths = []
            for b_item, a_item in zip(before, after):
                paths.extend(changed_paths(b_item, a_item, f"{prefix}[{a_item['name']}]"))
            return paths
    return [] if before == after else [prefix]


def mask_secrets(declaration):
    """Copy with secret-looking action configuration values replaced by ``****`` (for diff output)."""
    result = copy.deepcopy(declaration)
    for stage in result.get("stages") or []:
        for action in stage.get("actions") or []:
            config = action.get("configuration") or {}
            for key in config:
                if _SECRET_KEY.search(key):
                    config[key] = MASK
    return result


def update_declaration(wanted, live):
    """UpdatePipeline argument: the wanted declaration with the live version, and the live value of each
    optional field the task leaves unset (UpdatePipeline replaces the whole declaration)."""
    declaration = copy.deepcopy(wanted)
    for key in OPTIONAL_FIELDS:
        if key not in declaration and live.get(key) is not None:
            declaration[key] = copy.deepcopy(live[key])
    declaration["version"] = live.get("version", 1)
    return declaration
