"""IAM: AWS managed policies exist in every account; a new role reaches other services only after a while.

Eventual consistency. https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency:
"IAM ... changes are eventually consistent" and a role just created may not yet be usable by another service. On
AWS, CreateDeploymentGroup right after CreateRole commonly answers InvalidRoleException, which is why
terraform-provider-aws retries CreateDeploymentGroup on that error for minutes (research/aws-audit.md item 4). ``role_propagated`` tells a patch (CodeDeploy)
whether a role is old enough to be seen: ``propagation_seconds()`` emulated seconds after CreateRole (env
``EMULATOR_IAM_PROPAGATION_SECONDS``, default 10; 0 turns it off), on the emulator's clock (emulator.clock
minute_seconds), so a sped-up emulator propagates as much faster as it runs deployments.

AWS managed policies.

Follows https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies:
AWS managed policies (``arn:aws:iam::aws:policy/...``, e.g. AWSCodeDeployRoleForECS) are always there to attach
and read. moto only has them with MOTO_IAM_LOAD_MANAGED_POLICIES, which builds all ~1,600 after every reset
(0.8-2 s each time). Instead, a request that names an AWS managed policy ARN (AttachRolePolicy, GetPolicy,
GetPolicyVersion, ListEntitiesForPolicy, a PermissionsBoundary, ...) first creates just that policy from
``moto.iam.aws_managed_policies``; ListPolicies (Scope All or AWS) and GetAccountAuthorizationDetails, which list
them, create them all. An ARN that AWS does not manage is left to moto (NoSuchEntity, as in AWS).
"""

import functools
import json
import os
import re
import urllib.parse

from moto.core.utils import utcnow
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy
from moto.iam.responses import IamResponse

from emulator.clock import minute_seconds

_ARN = re.compile(r"arn:[\w-]+:iam::aws:policy(/.*)")
_MARK = "_emulator_aws_managed_policies"
_LIST_ALL = {"ListPolicies", "GetAccountAuthorizationDetails"}
DEFAULT_PROPAGATION_SECONDS = 10.0
_PROPAGATION_OVERRIDE: list[float | None] = [None]


def set_propagation_seconds(value: float | None) -> None:
    """Override EMULATOR_IAM_PROPAGATION_SECONDS in this process (tests); None goes back to the environment."""
    _PROPAGATION_OVERRIDE[0] = None if value is None else max(float(value), 0.0)


def propagation_seconds() -> float:
    """Emulated seconds before a new role is visible to other services."""
    if _PROPAGATION_OVERRIDE[0] is not None:
        return _PROPAGATION_OVERRIDE[0]
    try:
        return max(float(os.environ.get("EMULATOR_IAM_PROPAGATION_SECONDS", DEFAULT_PROPAGATION_SECONDS)), 0.0)
    except ValueError:
        return DEFAULT_PROPAGATION_SECONDS


def role_propagated(role) -> bool:
    """Whether ``role`` (moto's Role) is old enough, in emulated seconds, for other services to see it."""
    wait = propagation_seconds()
    if wait <= 0:
        return True
    per_minute = minute_seconds()
    if per_minute <= 0:
        return True
    emulated_age = (utcnow() - role.create_date).total_seconds() * 60.0 / per_minute
    return emulated_age >= wait


def trust_document(role) -> dict:
    """The role's trust policy as a dict (moto keeps the string as sent, sometimes URL-encoded)."""
    text = role.assume_role_policy_document or "{}"
    if isinstance(text, dict):
        return text
    for candidate in (text, urllib.parse.unquote(text)):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return {}


def trusts_service(role, service: str) -> bool:
    """Whether the trust policy lets ``service`` (e.g. codedeploy.amazonaws.com) call sts:AssumeRole."""
    statements = trust_document(role).get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        principals = (
            (statement.get("Principal") or {}).get("Service") if isinstance(statement.get("Principal"), dict) else None
        )
        principals = [principals] if isinstance(principals, str) else principals or []
        if service in principals and any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            return True
    return False


@functools.cache
def _catalog() -> dict[str, tuple[str, dict]]:
    """Path + name (``/service-role/AWSCodeDeployRoleForECS``) -> (name, moto's data for it)."""
    return {data["Path"] + name: (name, data) for name, data in json.loads(aws_managed_policies_data).items()}


def ensure_policy(backend, arn: str) -> None:
    """Create the AWS managed policy ``arn`` in ``backend`` unless it is there already or AWS has no such policy."""
    match = _ARN.fullmatch(arn)
    if match is None or arn in backend.managed_policies:
        return
    entry = _catalog().get(match.group(1))
    if entry is None:
        return
    policy = AWSManagedPolicy.from_data(entry[0], backend.account_id, backend.region_name, entry[1])
    if policy.arn == arn:
        _add(backend, policy)


def ensure_all(backend) -> None:
    for name, data in _catalog().values():
        policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
        if policy.arn not in backend.managed_policies:
            _add(backend, policy)


def _add(backend, policy) -> None:
    backend.managed_policies[policy.arn] = policy
    backend.aws_managed_policies.append(policy)  # GetAccountAuthorizationDetails(Filter=AWSManagedPolicy) reads it


def _values(querystring) -> list[str]:
    values = []
    for value in (querystring or {}).values():
        values.extend(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
    return values


def apply() -> None:
    original = IamResponse.call_action
    if getattr(original, _MARK, False):
        return

    def call_action(self):
        action = self._get_action()  # pylint: disable=protected-access
        backend = self.backend
        if action in _LIST_ALL and (self._get_param("Scope") or "All") != "Local":
            ensure_all(backend)
        else:
            for value in _values(self.querystring):
                if value.startswith("arn:"):
                    ensure_policy(backend, value)
        return original(self)

    setattr(call_action, _MARK, True)
    IamResponse.call_action = call_action
