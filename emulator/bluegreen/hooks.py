"""CodeDeploy lifecycle hooks of an ECS deployment: the AppSpec's Lambda validation functions, and whether the
deployment group's service role may invoke them.

Follows:
- https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs
  (the hookable events BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic; each
  hook is one Lambda function, run once per deployment; it receives {"DeploymentId", "LifecycleEventHookExecutionId"}
  and must report Succeeded or Failed with PutLifecycleEventHookExecutionStatus; CodeDeploy waits up to one hour)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_PutLifecycleEventHookExecutionStatus.html
- https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForECS.html (lambda:InvokeFunction
  on "*") and AWSCodeDeployRoleForECSLimited.html (only arn:aws:lambda:*:*:function:CodeDeployHook_*);
  https://docs.aws.amazon.com/codedeploy/latest/userguide/getting-started-create-service-role.html#getting-started-create-service-role-ecs
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html (an explicit Deny wins;
  otherwise an Allow is needed)
"""

from __future__ import annotations

import fnmatch
import json
import urllib.parse
from dataclasses import dataclass

HOOKABLE = ("BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
TIMEOUT_MINUTES = 60.0  # a hook must report within one hour (reference-appspec-file-structure-hooks.html)
INVOKE = "lambda:InvokeFunction"


@dataclass
class HookExecution:
    """One run of a hook: the event it belongs to, the function, and what it reported (None: nothing yet)."""

    execution_id: str
    event: str
    function: str
    status: str | None = None


def payload(deployment_id: str, execution_id: str) -> dict:
    """The event a hook function receives (the sample function of the AppSpec hooks page reads these two keys)."""
    return {"DeploymentId": deployment_id, "LifecycleEventHookExecutionId": execution_id}


def _document(text) -> dict:
    if isinstance(text, dict):
        return text
    for candidate in (text or "", urllib.parse.unquote(text or "")):
        try:
            doc = json.loads(candidate)
        except (TypeError, ValueError):
            continue
        return doc if isinstance(doc, dict) else {}
    return {}


def _listed(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _matches(patterns: list[str], value: str, case_sensitive: bool) -> bool:
    if not case_sensitive:
        return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def statement_applies(statement: dict, action: str, resource: str) -> bool:
    """Whether a statement names ``action`` on ``resource`` (Action/Resource with wildcards; NotAction,
    NotResource and conditional statements are treated as not applying: the emulator evaluates no conditions)."""
    if statement.get("Condition") or "NotAction" in statement or "NotResource" in statement:
        return False
    return _matches(_listed(statement.get("Action")), action, case_sensitive=False) and _matches(
        _listed(statement.get("Resource")), resource, case_sensitive=True
    )


def allows(documents, action: str, resource: str) -> bool:
    """IAM's evaluation over identity policy documents: an explicit Deny wins, else an Allow is needed."""
    allowed = False
    for document in documents:
        statements = _document(document).get("Statement") or []
        for statement in statements if isinstance(statements, list) else [statements]:
            if not isinstance(statement, dict) or not statement_applies(statement, action, resource):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def role_documents(role) -> list:
    """The policy documents of a moto IAM role: its inline policies and the default version of each attached one."""
    documents = list((role.policies or {}).values())
    for policy in (role.managed_policies or {}).values():
        versions = getattr(policy, "versions", None) or []
        default = next((v for v in versions if v.version_id == policy.default_version_id), None)
        documents.append(default.document if default is not None else getattr(policy, "document", None))
    return documents


def permission_message(role_arn: str) -> str:
    """CodeDeploy's IAM_ROLE_PERMISSIONS message, naming the service the role may not use."""
    return (
        f"The IAM role {role_arn} does not give you permission to perform operations in the following AWS service: "
        "AWSLambda. Contact your AWS administrator if you need help. If you are an AWS administrator, you can grant "
        "permissions to your users or groups by creating IAM policies."
    )
