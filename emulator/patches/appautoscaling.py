"""Application Auto Scaling: DescribeScalingPolicies filters the way AWS does.

Follows https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalingPolicies.html:
PolicyNames keeps only the named policies, ResourceId and ScalableDimension are exact identifiers, MaxResults
(default 10) pages the answer with a NextToken (InvalidNextTokenException for a token it did not hand out).
moto ignores PolicyNames and matches ResourceId as a substring, so with two policies on one ECS service
community.aws.application_autoscaling_policy (PolicyNames=[name], MaxResults=1) read the other policy and rewrote
its own on every run.
"""

import json

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse, _build_policy

from emulator.patches._util import aws_error, install

DEFAULT_MAX_RESULTS = 10


class AppAutoScalingPatch(ApplicationAutoScalingResponse):
    """Operations copied onto moto's ApplicationAutoScalingResponse."""

    def describe_scaling_policies(self):
        self._validate_params()
        namespace = self._get_param("ServiceNamespace")
        names = self._get_param("PolicyNames") or []
        resource_id = self._get_param("ResourceId")
        dimension = self._get_param("ScalableDimension")
        policies = [
            policy
            for policy in self.applicationautoscaling_backend.policies.values()
            if policy.service_namespace == namespace
            and (not names or policy.policy_name in names)
            and (not resource_id or policy.resource_id == resource_id)
            and (not dimension or policy.scalable_dimension == dimension)
        ]
        token = self._get_param("NextToken")
        if token is None:
            start = 0
        elif token.isdigit() and 0 < int(token) < len(policies):
            start = int(token)
        else:
            raise aws_error("InvalidNextTokenException", "Invalid token")
        end = start + (self._get_int_param("MaxResults") or DEFAULT_MAX_RESULTS)
        answer = {"ScalingPolicies": [_build_policy(policy) for policy in policies[start:end]]}
        if end < len(policies):
            answer["NextToken"] = str(end)
        return json.dumps(answer)


def apply() -> None:
    install(ApplicationAutoScalingResponse, AppAutoScalingPatch)
