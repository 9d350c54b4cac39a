# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the validation function's wiring (codedeploy, pipeline and alb roles); the decisions live in
module_utils (http_check, validation_wiring), where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import http_check, validation_wiring


def validation_settings_errors(settings):
    """Messages for bad codedeploy_validation_* settings, each naming the variable ([] when all are good)."""
    return validation_wiring.settings_errors(settings or {})


def validation_environment(definition):
    """The validation function's environment variables for a check definition."""
    try:
        return http_check.definition_to_environment(definition)
    except http_check.DefinitionError as exc:
        raise AnsibleFilterError(str(exc)) from None


def validation_url(dns_name, protocol, port, path):
    """The test listener's URL from the load balancer's DNS name and the listener."""
    try:
        return http_check.test_listener_url(dns_name, protocol, port, path)
    except http_check.DefinitionError as exc:
        raise AnsibleFilterError(str(exc)) from None


def validation_lambda_timeout(attempts, interval_seconds, timeout_seconds):
    return validation_wiring.lambda_timeout(attempts, interval_seconds, timeout_seconds)


def test_listener_ingress(scheme, nat_public_ips=(), app_subnet_cidrs=(), extra_cidrs=()):
    """Who the test listener admits (see validation_wiring.test_ingress)."""
    try:
        return validation_wiring.test_ingress(scheme, nat_public_ips, app_subnet_cidrs, extra_cidrs)
    except validation_wiring.IngressError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """bluegreen.ecs validation filters."""

    def filters(self):
        return {
            "validation_settings_errors": validation_settings_errors,
            "validation_environment": validation_environment,
            "validation_url": validation_url,
            "validation_lambda_timeout": validation_lambda_timeout,
            "test_listener_ingress": test_listener_ingress,
        }
