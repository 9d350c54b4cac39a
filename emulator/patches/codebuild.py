"""CodeBuild projects: UpdateProject, CODEPIPELINE sources without a location, full project documents.

Follows:
- https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html and API_ProjectSource.html:
  source.location is not required for CODEPIPELINE and NO_SOURCE sources (NO_SOURCE needs a buildspec);
  artifacts.location is not required for CODEPIPELINE / NO_ARTIFACTS.
- https://docs.aws.amazon.com/codebuild/latest/APIReference/API_UpdateProject.html: members sent replace the
  stored ones, the others are kept; answers the updated project.
- A curated image runs on one environment type only (see _check_curated_image).
- https://docs.aws.amazon.com/codebuild/latest/APIReference/API_BatchGetProjects.html and API_Project.html:
  the project as set, with AWS's defaults (timeoutInMinutes 60, queuedTimeoutInMinutes 480, the aws/s3 KMS
  alias, cloudWatchLogs ENABLED, NO_CACHE, ...), lastModified, and projectsNotFound.
"""

import re

from moto.codebuild.responses import CodeBuildResponse
from moto.core.responses import ActionResult
from moto.core.utils import get_service_model, utcnow

from emulator.patches._util import aws_error, install

_MODEL = get_service_model("codebuild")
_MEMBERS = [
    m for m in _MODEL.operation_model("UpdateProject").input_shape.members if m not in ("name", "tags", "badgeEnabled")
]
_ENUMS = {
    kind: set(_MODEL.shape_for(kind).enum) for kind in ("SourceType", "ArtifactsType", "EnvironmentType", "ComputeType")
}


def _check_source(source: dict) -> None:
    kind = source.get("type")
    if kind not in _ENUMS["SourceType"]:
        raise aws_error("InvalidInputException", f"Invalid type provided: Project source type {kind}")
    if kind not in ("CODEPIPELINE", "NO_SOURCE") and not source.get("location"):
        raise aws_error("InvalidInputException", "Project source location is required")
    if kind == "NO_SOURCE" and not source.get("buildspec"):
        raise aws_error("InvalidInputException", "Project source buildspec is required when source type is NO_SOURCE")


def _check_artifacts(artifacts: dict) -> None:
    kind = artifacts.get("type")
    if kind not in _ENUMS["ArtifactsType"]:
        raise aws_error("InvalidInputException", f"Invalid type provided: Artifact type {kind}")
    if kind == "S3" and not artifacts.get("location"):
        raise aws_error("InvalidInputException", "Project artifacts location is required")
    if kind == "NO_ARTIFACTS" and artifacts.get("location"):
        raise aws_error(
            "InvalidInputException", "Invalid artifacts: artifact type NO_ARTIFACTS should have null location"
        )


# CodeBuild's curated Linux images run on one architecture each ("Docker images provided by CodeBuild",
# https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-available.html): the aarch64 ones on
# ARM_CONTAINER, the x86_64 ones (standard:N, amazonlinux[2]-x86_64-standard:N) on LINUX_CONTAINER.
# CreateProject/UpdateProject refuse a curated image on the other container type with InvalidInputException
# "AWS CodeBuild curated image <image> is not supported for projects with environment type <type> and compute
# type <compute>" (the message AWS answers, quoted in aws/copilot-cli#3110 and aws/aws-cdk#35368; the API
# reference lists only InvalidInputException). Other images (ECR, Docker Hub) are not checked: AWS cannot
# tell their architecture from the name either.
_CURATED_IMAGE = re.compile(
    r"^aws/codebuild/(?:(?P<LINUX_CONTAINER>standard|amazonlinux2?-x86_64-standard)"
    r"|(?P<ARM_CONTAINER>amazonlinux2?-aarch64-standard)):"
)


def _check_curated_image(environment: dict) -> None:
    kind, image = environment.get("type"), environment.get("image") or ""
    match = _CURATED_IMAGE.match(image)
    if kind not in ("LINUX_CONTAINER", "ARM_CONTAINER") or not match or match.lastgroup == kind:
        return
    raise aws_error(
        "InvalidInputException",
        f"AWS CodeBuild curated image {image} is not supported for projects with environment type {kind} "
        f"and compute type {environment.get('computeType')}",
    )


def _check_environment(environment: dict) -> None:
    if environment.get("type") not in _ENUMS["EnvironmentType"]:
        raise aws_error("InvalidInputException", f"Invalid type provided: {environment.get('type')}")
    if environment.get("computeType") not in _ENUMS["ComputeType"]:
        raise aws_error("InvalidInputException", f"Invalid compute type provided: {environment.get('computeType')}")
    _check_curated_image(environment)


def _check_role(region: str, account: str, role: str) -> None:
    partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    if not role.startswith(f"arn:{partition}:iam::{account}:role/"):
        raise aws_error(
            "InvalidInputException", "Invalid service role: Service role account ID does not match caller's account"
        )


def _normalise(member: str, value, name: str):
    """Fill in the defaults AWS shows for a member that was sent."""
    if member == "source":
        return {"insecureSsl": False, **value}
    if member == "artifacts" and value.get("type") in ("CODEPIPELINE", "S3"):
        defaults = {"packaging": "NONE", "encryptionDisabled": False}
        if value["type"] == "CODEPIPELINE":
            defaults["name"] = name
        return {**defaults, **value}
    if member == "environment":
        return {"environmentVariables": [], "privilegedMode": False, "imagePullCredentialsType": "CODEBUILD", **value}
    if member == "logsConfig":
        return {
            "cloudWatchLogs": {"status": "ENABLED"},
            "s3Logs": {"status": "DISABLED", "encryptionDisabled": False},
            **value,
        }
    return value


def _defaults(name: str, arn: str, region: str, account: str) -> dict:
    partition = arn.split(":")[1]
    now = utcnow()
    return {
        "name": name,
        "arn": arn,
        "secondarySources": [],
        "secondarySourceVersions": [],
        "secondaryArtifacts": [],
        "cache": {"type": "NO_CACHE"},
        "timeoutInMinutes": 60,
        "queuedTimeoutInMinutes": 480,
        "encryptionKey": f"arn:{partition}:kms:{region}:{account}:alias/aws/s3",
        "tags": [],
        "created": now,
        "lastModified": now,
        "badge": {"badgeEnabled": False},
        "logsConfig": _normalise("logsConfig", {}, name),
        "projectVisibility": "PRIVATE",
    }


class CodeBuildPatch(CodeBuildResponse):
    """Operations copied onto moto's CodeBuildResponse."""

    def _apply_members(self, document: dict) -> dict:
        for member in _MEMBERS:
            value = self._get_param(member)
            if value is not None:
                document[member] = _normalise(member, value, document["name"])
        if self._get_param("tags") is not None:
            document["tags"] = self._get_param("tags")
        if self._get_param("badgeEnabled") is not None:
            document["badge"] = {"badgeEnabled": bool(self._get_param("badgeEnabled"))}
        return document

    def _check_members(self) -> None:
        checks = {"source": _check_source, "artifacts": _check_artifacts, "environment": _check_environment}
        for member, check in checks.items():
            if self._get_param(member) is not None:
                check(self._get_param(member))
        if self._get_param("serviceRole") is not None:
            _check_role(self.region, self.current_account, self._get_param("serviceRole"))

    def create_project(self):
        backend = self.codebuild_backend
        name = self._get_param("name")
        for member in ("source", "artifacts", "environment", "serviceRole"):
            if not self._get_param(member):
                raise aws_error("InvalidInputException", f"Project {member} is required")
        self._check_members()
        if name in backend.codebuild_projects:
            raise aws_error(
                "ResourceAlreadyExistsException", f"Project already exists: {backend.codebuild_projects[name].arn}"
            )
        backend.create_project(
            name, None, self._get_param("source"), self._get_param("artifacts"), self._get_param("environment"),
            self._get_param("serviceRole"), self._get_param("tags"), None, None, None, None, None, None,
        )  # fmt: skip
        project = backend.codebuild_projects[name]
        project.project_metadata = self._apply_members(_defaults(name, project.arn, self.region, self.current_account))
        return ActionResult({"project": project.project_metadata})

    def update_project(self):
        backend = self.codebuild_backend
        name = self._get_param("name")
        project = backend.codebuild_projects.get(name)
        if project is None:
            raise aws_error(
                "ResourceNotFoundException",
                f"Project cannot be found: arn:aws:codebuild:{self.region}:{self.current_account}:project/{name}",
            )
        self._check_members()
        document = self._apply_members(dict(project.project_metadata))
        document["lastModified"] = utcnow()
        project.project_metadata = document
        project.service_role = document["serviceRole"]
        project.tags = document["tags"]
        return ActionResult({"project": document})

    def batch_get_projects(self):
        backend = self.codebuild_backend
        found, missing = [], []
        for name in self._get_param("names") or []:
            project = backend.codebuild_projects.get(name) or next(
                (p for p in backend.codebuild_projects.values() if p.arn == name), None
            )
            if project is None:
                missing.append(name)
            else:
                found.append(project.project_metadata)
        return ActionResult({"projects": found, "projectsNotFound": missing})


def apply() -> None:
    install(CodeBuildResponse, CodeBuildPatch)
