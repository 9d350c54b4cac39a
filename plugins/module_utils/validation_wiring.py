# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure decisions of the validation function's wiring: the codedeploy role's settings and the alb role's
test-listener ingress.

Who must reach the test listener: the validation function, which runs in the app subnets. An internal load
balancer sees it arrive from its private address, inside the app subnets' CIDRs. An internet-facing one has only
public addresses, so the function's connection leaves the VPC through the NAT gateway its subnet routes to and
arrives from that gateway's Elastic IP (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-scenarios.html:
"the source IP address ... is replaced with the NAT gateway's address"). A VPC CIDR rule on an internet-facing
balancer therefore admits nobody.
"""

from __future__ import annotations

import ipaddress
import re

from .http_check import IMAGE_TAG

WORLD = ("0.0.0.0/0", "::/0")
LAMBDA_MAX_TIMEOUT = 900  # Lambda CreateFunction Timeout: 1-900 seconds
LAMBDA_MARGIN_SECONDS = 15  # startup, the image-tag lookup and the report after the last attempt
RANGES = {
    "codedeploy_validation_expected_status": (100, 599),
    "codedeploy_validation_attempts": (1, 100),
    "codedeploy_validation_interval_seconds": (0, 300),
    "codedeploy_validation_timeout_seconds": (1, 60),
}


def lambda_timeout(attempts, interval_seconds, timeout_seconds):
    """The function's timeout: room for every attempt to time out, the pauses, and the report."""
    worst = int(attempts) * int(timeout_seconds) + (int(attempts) - 1) * int(interval_seconds)
    return worst + LAMBDA_MARGIN_SECONDS


def settings_errors(settings):
    """Messages for bad codedeploy_validation_* settings (a dict of them), each naming the variable."""
    errors = []
    path = str(settings.get("codedeploy_validation_path", ""))
    if not path.startswith("/") or any(c.isspace() for c in path):
        errors.append(f"codedeploy_validation_path must be a URL path starting with '/', got {path!r}")
    numbers = {}
    for name, (low, high) in RANGES.items():
        value = settings.get(name)
        try:
            numbers[name] = int(value)
        except (TypeError, ValueError):
            errors.append(f"{name} must be a whole number from {low} to {high}, got {value!r}")
            continue
        if not low <= numbers[name] <= high:
            errors.append(f"{name} must be from {low} to {high}, got {value}")
    pattern = settings.get("codedeploy_validation_body_pattern") or ""
    try:
        re.compile(str(pattern).replace(IMAGE_TAG, "tag"))
    except re.error as e:
        errors.append(f"codedeploy_validation_body_pattern {pattern!r} is not a Python regular expression ({e})")
    if len(numbers) == len(RANGES):
        timeout = lambda_timeout(
            numbers["codedeploy_validation_attempts"],
            numbers["codedeploy_validation_interval_seconds"],
            numbers["codedeploy_validation_timeout_seconds"],
        )
        if timeout > LAMBDA_MAX_TIMEOUT:
            errors.append(
                "codedeploy_validation_attempts x codedeploy_validation_timeout_seconds + the intervals between "
                f"attempts must fit in Lambda's {LAMBDA_MAX_TIMEOUT} s limit with {LAMBDA_MARGIN_SECONDS} s to spare; "
                f"these settings need {timeout} s"
            )
    return errors


class IngressError(ValueError):
    """A test-listener ingress that must not be: the message names the variable."""


def _cidr(value, variable):
    try:
        network = ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        raise IngressError(f"{variable}: {value!r} is not a CIDR such as 203.0.113.0/24") from None
    if network.prefixlen == 0:
        raise IngressError(
            f"{variable}: {value} would open the test listener, which serves the unreleased version, to the world; "
            "list the networks that must reach it"
        )
    return str(network)


def test_ingress(scheme, nat_public_ips=(), app_subnet_cidrs=(), extra_cidrs=()):
    """The CIDRs the test listener admits, and why: ``{"cidrs": [...], "sources": {cidr: reason}}``.

    internet-facing: each NAT gateway's Elastic IP (/32), the validation function's public source address.
    internal: the app subnets' CIDRs, where the function runs. Then alb_test_ingress_cidrs. Never 0.0.0.0/0.
    """
    if scheme not in ("internet-facing", "internal"):
        raise IngressError(f"alb_scheme must be internet-facing or internal, got {scheme!r}")
    sources = {}
    if scheme == "internet-facing":
        for ip in nat_public_ips or ():
            if ip:
                sources.setdefault(_cidr(f"{ip}/32", "NAT gateway address"), "NAT gateway (validation function)")
    else:
        for cidr in app_subnet_cidrs or ():
            sources.setdefault(_cidr(cidr, "app subnet CIDR"), "app subnet (validation function)")
    warning = ""
    if not sources:
        found = "NAT gateway" if scheme == "internet-facing" else "app subnet"
        warning = (
            f"no {found} found for the {scheme} load balancer: the validation function cannot reach the test "
            "listener, so every validated deployment will fail"
        )
    for cidr in extra_cidrs or ():
        sources.setdefault(_cidr(cidr, "alb_test_ingress_cidrs"), "alb_test_ingress_cidrs")
    cidrs = sorted(sources, key=ipaddress.ip_network)
    return {"cidrs": cidrs, "sources": sources, "warning": warning}
