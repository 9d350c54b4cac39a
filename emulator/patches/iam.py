"""IAM: AWS managed policies exist in every account, created on demand from moto's bundled copy.

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
import re

from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy
from moto.iam.responses import IamResponse

_ARN = re.compile(r"arn:[\w-]+:iam::aws:policy(/.*)")
_MARK = "_emulator_aws_managed_policies"
_LIST_ALL = {"ListPolicies", "GetAccountAuthorizationDetails"}


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
