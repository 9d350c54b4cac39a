# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import discovery, naming, service_spec, task_definition
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import SpecError

NAMES = naming.service_names("prd", "demo", "web")


def spec(**fields):
    return service_spec.normalize(dict({"name": "web"}, **fields))


def env_of(definition):
    return {e["name"]: e["value"] for e in definition["containerDefinitions"][0]["environment"]}


def test_namespace_is_per_environment_and_project():
    assert naming.platform_names("prd", "demo")["discovery_namespace"] == "prd.demo.internal"
    assert NAMES["discovery_namespace"] == "prd.demo.internal"


def test_spec_defaults_register_nothing_and_call_nothing():
    assert spec()["discovery"] == {}
    assert spec()["calls"] == []


@pytest.mark.parametrize(
    ("value", "wanted"), [(True, {"ttl": 10}), ({"ttl": 60}, {"ttl": 60}), (False, {}), ({"ttl": "0"}, {"ttl": 0})]
)
def test_discovery_values(value, wanted):
    assert spec(discovery=value)["discovery"] == wanted


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", "bluegreen_service.discovery: 'yes'; allowed true, false"),
        ({"port": 80}, "bluegreen_service.discovery: {'port': 80}; allowed"),
        ({"ttl": 86401}, "bluegreen_service.discovery.ttl: 86401 is out of range; allowed 0..86400"),
    ],
)
def test_bad_discovery_names_the_field(value, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace("{", r"\{").replace("[", r"\[")):
        spec(discovery=value)


def test_calls_are_sorted_unique_labels():
    assert spec(calls=["api", "auth", "api"])["calls"] == ["api", "auth"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("api", "bluegreen_service.calls: 'api'; allowed a list of service names"),
        (["Api"], "bluegreen_service.calls: 'Api' is not a valid name"),
        (["web"], "bluegreen_service.calls: 'web' is this service itself"),
    ],
)
def test_bad_calls_name_the_field(value, message):
    with pytest.raises(SpecError, match=message):
        spec(calls=value)


def test_caller_gets_upstream_variables_in_every_rendering():
    definition = task_definition.task_definition(spec(calls=["api", "auth-svc"]), NAMES, "img", "us-east-1", "e", "t")
    environment = env_of(definition)
    assert environment["UPSTREAM_API"] == "api.prd.demo.internal"
    assert environment["UPSTREAM_AUTH_SVC"] == "auth-svc.prd.demo.internal"


def test_without_calls_no_upstream_variable():
    assert not [
        k for k in env_of(task_definition.task_definition(spec(), NAMES, "i", "r", "e", "t")) if "UPSTREAM" in k
    ]


def test_spec_setting_an_upstream_variable_itself_is_refused():
    with pytest.raises(SpecError, match="bluegreen_service.environment: UPSTREAM_API set by the spec"):
        task_definition.task_definition(
            spec(calls=["api"], environment={"UPSTREAM_API": "x"}), NAMES, "i", "r", "e", "t"
        )


def test_dns_config_has_a_and_srv_multivalue():
    assert discovery.dns_config(10) == {
        "RoutingPolicy": "MULTIVALUE",
        "DnsRecords": [{"Type": "A", "TTL": 10}, {"Type": "SRV", "TTL": 10}],
    }


def test_dns_records_change_only_the_ttl():
    live = discovery.dns_config(10)
    assert discovery.dns_records_change(live, 10) is None
    assert discovery.dns_records_change(live, 30) == {
        "DnsRecords": [{"Type": "A", "TTL": 30}, {"Type": "SRV", "TTL": 30}]
    }


def test_dns_records_of_another_shape_are_refused():
    with pytest.raises(discovery.DiscoveryError, match="cannot change in place"):
        discovery.dns_records_change({"RoutingPolicy": "WEIGHTED", "DnsRecords": [{"Type": "A", "TTL": 10}]}, 10)


def test_service_registries_and_their_comparison():
    wanted = discovery.service_registries("arn:reg", "api", 8080)
    assert wanted == [{"registryArn": "arn:reg", "containerName": "api", "containerPort": 8080}]
    assert discovery.same_registries(wanted, wanted)
    assert not discovery.same_registries([], wanted)
    assert discovery.service_registries("", "api", 8080) == []


def test_discover_statement_is_limited_to_the_callees():
    [statement] = discovery.discover_statements(["api"], "prd.demo.internal")
    assert statement["Action"] == "servicediscovery:DiscoverInstances"
    assert statement["Condition"]["StringEquals"] == {
        "servicediscovery:NamespaceName": "prd.demo.internal",
        "servicediscovery:ServiceName": ["api"],
    }
    assert discovery.discover_statements([], "prd.demo.internal") == []


def test_security_group_rules_between_caller_and_callee():
    api = service_spec.normalize({"name": "api", "port": 8080, "discovery": True})
    web = spec(calls=["api"])
    assert discovery.callers_of("api", [api, web]) == ["web"]
    [ingress] = discovery.ingress_rules(api, {"web": "sg-web"})
    assert (ingress["ports"], ingress["group_id"]) == ([8080], "sg-web")
    assert discovery.ingress_rules(web, {"x": "sg-x"}) == []  # not discoverable: admits nobody
    [egress] = discovery.egress_rules(web, {"api": {"port": 8080, "group_id": "sg-api"}})
    assert (egress["ports"], egress["group_id"]) == ([8080], "sg-api")
    assert discovery.egress_rules(web, {"api": {"port": 8080, "group_id": ""}}) == []  # not created yet


def test_calls_must_name_a_discoverable_service():
    api = service_spec.normalize({"name": "api", "discovery": True})
    worker = service_spec.normalize({"name": "worker"})
    assert discovery.check_calls(spec(calls=["api"]), [api, worker, spec()])
    with pytest.raises(discovery.DiscoveryError, match=r"bluegreen_service.calls: 'worker' .* allowed: \['api'\]"):
        discovery.check_calls(spec(calls=["worker"]), [api, worker, spec()])
    with pytest.raises(discovery.DiscoveryError, match="'nope'"):
        discovery.check_calls(spec(calls=["nope"]), [api, spec()])


def test_calls_errors_lists_the_message_for_an_assert():
    api = service_spec.normalize({"name": "api", "discovery": True})
    assert discovery.calls_errors(spec(calls=["api"]), [api]) == []
    [message] = discovery.calls_errors(spec(calls=["db"]), [api])
    assert message.startswith("bluegreen_service.calls: 'db' is not a service of this inventory")
