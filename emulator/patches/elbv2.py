"""ELBv2: DescribeLoadBalancerAttributes lists every attribute of an application load balancer with its default.

AWS returns each application load balancer attribute, set or not, with the defaults documented at
https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html
moto leaves out access_logs.s3.enabled, idle_timeout.timeout_seconds and the routing.* / waf.* ones, so
amazon.aws.elb_application_lb fails with KeyError 'access_logs_s3_enabled'. A new application load balancer
starts with these defaults; ModifyLoadBalancerAttributes then overrides them as before. Other types are untouched.

The data plane (emulator/dataplane/balancers.py) hangs off the backend's operations, so that the CodeDeploy
engine's direct ModifyListener calls are seen too:

- CreateLoadBalancer: an application load balancer gets its loopback address, which becomes its ``DNSName``;
  DeleteLoadBalancer releases it and stops its listeners.
- CreateListener / ModifyListener / DeleteListener: the listener's socket starts, moves, stops. Two listeners
  of one balancer on the same port are refused with ``DuplicateListener`` (API_CreateListener.html,
  API_ModifyListener.html "Errors"; moto compares the port with listener ARNs and never refuses).
- RegisterTargets / DeregisterTargets: targets start initial, or drain for the deregistration delay.
- DescribeTargetHealth: what the health checks found (API_DescribeTargetHealth.html, API_TargetHealth.html),
  instead of moto's "healthy" for every registered target.
"""

import functools

from moto.elbv2.exceptions import DuplicateListenerError, TargetGroupNotFoundError
from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer

from emulator.dataplane import balancers

ALB_DEFAULTS = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
}
_MARK = "_emulator_alb_defaults"


def apply() -> None:
    _apply_defaults()
    _apply_data_plane()


def _apply_defaults() -> None:
    original = FakeLoadBalancer.__init__
    if getattr(original, _MARK, False):
        return

    def __init__(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        if self.type == "application":
            for key, value in ALB_DEFAULTS.items():
                self.attrs.setdefault(key, value)

    setattr(__init__, _MARK, True)
    FakeLoadBalancer.__init__ = __init__


def _wraps(name: str):
    """Replace ELBv2Backend.<name> with the decorated function, called with moto's original first (once)."""

    def decorate(function):
        original = getattr(ELBv2Backend, name)
        if getattr(original, _MARK, False):
            return original

        @functools.wraps(original)
        def method(self, *args, **kwargs):
            return function(original, self, *args, **kwargs)

        setattr(method, _MARK, True)
        setattr(ELBv2Backend, name, method)
        return method

    return decorate


def _listener_ports(balancer, except_arn: str | None = None) -> set[int]:
    return {int(listener.port) for arn, listener in balancer.listeners.items() if arn != except_arn}


def _apply_data_plane() -> None:
    @_wraps("create_load_balancer")
    def create_load_balancer(original, self, *args, **kwargs):
        balancer = original(self, *args, **kwargs)
        balancers.balancer_created(self, balancer)
        return balancer

    @_wraps("delete_load_balancer")
    def delete_load_balancer(original, self, arn):
        original(self, arn)
        balancers.balancer_deleted(self, arn)

    @_wraps("create_listener")
    def create_listener(original, self, load_balancer_arn, protocol, port, *args, **kwargs):
        balancer = self.load_balancers.get(load_balancer_arn)
        if balancer is not None and port is not None and int(port) in _listener_ports(balancer):
            raise DuplicateListenerError()
        listener = original(self, load_balancer_arn, protocol, port, *args, **kwargs)
        balancers.listener_changed(self, listener)
        return listener

    @_wraps("modify_listener")
    def modify_listener(original, self, arn, port=None, *args, **kwargs):
        if port is not None:
            for balancer in self.load_balancers.values():
                if arn in balancer.listeners and int(port) in _listener_ports(balancer, except_arn=arn):
                    raise DuplicateListenerError()
        listener = original(self, arn, port, *args, **kwargs)
        balancers.listener_changed(self, listener)
        return listener

    @_wraps("delete_listener")
    def delete_listener(original, self, listener_arn):
        listener = original(self, listener_arn)
        balancers.listener_deleted(listener_arn)
        return listener

    @_wraps("register_targets")
    def register_targets(original, self, target_group_arn, instances):
        original(self, target_group_arn, instances)
        balancers.targets_registered(self, target_group_arn, instances)

    @_wraps("deregister_targets")
    def deregister_targets(original, self, target_group_arn, instances):
        original(self, target_group_arn, instances)
        balancers.targets_deregistered(self, target_group_arn, instances)

    @_wraps("delete_target_group")
    def delete_target_group(original, self, target_group_arn):
        group = original(self, target_group_arn)
        balancers.target_group_deleted(target_group_arn)
        return group

    @_wraps("describe_target_health")
    def describe_target_health(original, self, target_group_arn, targets):
        del original  # moto reports every registered target healthy
        group = self.target_groups.get(target_group_arn)
        if group is None:
            raise TargetGroupNotFoundError()
        return balancers.describe_target_health(self, group, targets)
