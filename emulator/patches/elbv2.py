"""ELBv2: DescribeLoadBalancerAttributes lists every attribute of an application load balancer with its default.

AWS returns each application load balancer attribute, set or not, with the defaults documented at
https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html
moto leaves out access_logs.s3.enabled, idle_timeout.timeout_seconds and the routing.* / waf.* ones, so
amazon.aws.elb_application_lb fails with KeyError 'access_logs_s3_enabled'. A new application load balancer
starts with these defaults; ModifyLoadBalancerAttributes then overrides them as before. Other types are untouched.
"""

from moto.elbv2.models import FakeLoadBalancer

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
