# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""servicediscovery_namespace and servicediscovery_service against stubbed Cloud Map answers."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import cloudmap
from ansible_collections.bluegreen.ecs.plugins.modules import servicediscovery_namespace, servicediscovery_service
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, ANY, AwsStubs, run_module

NS = "prd.demo.internal"
NS_ID = "ns-0123456789abcdef"
NS_ARN = f"arn:aws:servicediscovery:us-east-1:{ACCOUNT}:namespace/{NS_ID}"
SRV_ID = "srv-0123456789abcdef"
SRV_ARN = f"arn:aws:servicediscovery:us-east-1:{ACCOUNT}:service/{SRV_ID}"
NAME_FILTER = [{"Name": "NAME", "Values": [NS], "Condition": "EQ"}]
NS_FILTER = [{"Name": "NAMESPACE_ID", "Values": [NS_ID], "Condition": "EQ"}]


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(cloudmap, "POLL_SECONDS", 0)


def namespace_listed(stubs, found=True):
    listed = [{"Id": NS_ID, "Arn": NS_ARN, "Name": NS, "Type": "DNS_PRIVATE"}] if found else []
    stubs.servicediscovery.add_response("list_namespaces", {"Namespaces": listed}, {"Filters": NAME_FILTER})
    if found:
        stubs.servicediscovery.add_response(
            "get_namespace",
            {
                "Namespace": {
                    "Id": NS_ID,
                    "Arn": NS_ARN,
                    "Name": NS,
                    "Type": "DNS_PRIVATE",
                    "Properties": {"DnsProperties": {"HostedZoneId": "Z123"}},
                }
            },
            {"Id": NS_ID},
        )


def operation(stubs, status, **extra):
    stubs.servicediscovery.add_response(
        "get_operation",
        {"Operation": dict({"Id": "op-1", "Status": status, "Type": "CREATE_NAMESPACE"}, **extra)},
        {"OperationId": "op-1"},
    )


def test_namespace_created_in_the_vpc_after_its_operation_succeeds(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs, found=False)
    stubs.servicediscovery.add_response(
        "create_private_dns_namespace",
        {"OperationId": "op-1"},
        {"Name": NS, "Vpc": "vpc-1", "CreatorRequestId": ANY, "Tags": [{"Key": "Environment", "Value": "prd"}]},
    )
    operation(stubs, "PENDING")
    operation(stubs, "SUCCESS")
    namespace_listed(stubs)
    args = {"name": NS, "vpc_id": "vpc-1", "tags": {"Environment": "prd"}}
    failed, result = run_module(servicediscovery_namespace, args, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["operation_id"] == "op-1"
    assert result["namespace"]["id"] == NS_ID
    assert result["namespace"]["hosted_zone_id"] == "Z123"


def test_namespace_operation_that_fails_fails_the_module_with_aws_code(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs, found=False)
    stubs.servicediscovery.add_response("create_private_dns_namespace", {"OperationId": "op-1"}, None)
    operation(stubs, "FAIL", ErrorCode="CANNOT_CREATE_HOSTED_ZONE", ErrorMessage="conflicting domain")
    failed, result = run_module(servicediscovery_namespace, {"name": NS, "vpc_id": "vpc-1"}, stubs, capsys)
    assert failed
    assert "CANNOT_CREATE_HOSTED_ZONE: conflicting domain" in result["msg"]


def test_namespace_converged_makes_no_write_call(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs)
    failed, result = run_module(servicediscovery_namespace, {"name": NS, "vpc_id": "vpc-1"}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False


def test_namespace_plan_on_an_empty_account_writes_nothing(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs, found=False)
    failed, result = run_module(
        servicediscovery_namespace, {"name": NS, "vpc_id": "vpc-1"}, stubs, capsys, check_mode=True, diff=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"]["name"] == NS


def test_namespace_absent_deletes_and_waits(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs)
    stubs.servicediscovery.add_response("delete_namespace", {"OperationId": "op-1"}, {"Id": NS_ID})
    operation(stubs, "SUCCESS")
    failed, result = run_module(servicediscovery_namespace, {"name": NS, "state": "absent"}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True


def service_listed(stubs, ttl=None, custom=True):
    listed = [{"Id": SRV_ID, "Arn": SRV_ARN, "Name": "api"}] if ttl is not None else []
    stubs.servicediscovery.add_response("list_services", {"Services": listed}, {"Filters": NS_FILTER})
    if ttl is not None:
        service = {
            "Id": SRV_ID,
            "Arn": SRV_ARN,
            "Name": "api",
            "NamespaceId": NS_ID,
            "DnsConfig": {
                "RoutingPolicy": "MULTIVALUE",
                "DnsRecords": [{"Type": "A", "TTL": ttl}, {"Type": "SRV", "TTL": ttl}],
            },
        }
        if custom:
            service["HealthCheckCustomConfig"] = {}
        stubs.servicediscovery.add_response("get_service", {"Service": service}, {"Id": SRV_ID})


def test_service_created_with_a_and_srv_records_and_custom_health(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs)
    service_listed(stubs)
    stubs.servicediscovery.add_response(
        "create_service",
        {
            "Service": {
                "Id": SRV_ID,
                "Arn": SRV_ARN,
                "Name": "api",
                "NamespaceId": NS_ID,
                "DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 10}]},
            }
        },
        {
            "Name": "api",
            "NamespaceId": NS_ID,
            "CreatorRequestId": ANY,
            "DnsConfig": {
                "RoutingPolicy": "MULTIVALUE",
                "DnsRecords": [{"Type": "A", "TTL": 10}, {"Type": "SRV", "TTL": 10}],
            },
            "HealthCheckCustomConfig": {},
        },
    )
    failed, result = run_module(servicediscovery_service, {"name": "api", "namespace": NS}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["service"]["arn"] == SRV_ARN


def test_service_ttl_change_sends_every_record(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs)
    service_listed(stubs, ttl=10)
    stubs.servicediscovery.add_response(
        "update_service",
        {"OperationId": "op-1"},
        {
            "Id": SRV_ID,
            "Service": {"DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 60}, {"Type": "SRV", "TTL": 60}]}},
        },
    )
    operation(stubs, "SUCCESS")
    failed, result = run_module(servicediscovery_service, {"name": "api", "namespace": NS, "ttl": 60}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["service"]["ttl"] == 60


def test_service_converged_makes_no_write_call(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs)
    service_listed(stubs, ttl=10)
    failed, result = run_module(servicediscovery_service, {"name": "api", "namespace": NS}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False


def test_service_without_custom_health_is_refused(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs)
    service_listed(stubs, ttl=10, custom=False)
    failed, result = run_module(servicediscovery_service, {"name": "api", "namespace": NS}, stubs, capsys)
    assert failed
    assert "no custom health check configuration" in result["msg"]


def test_service_in_a_missing_namespace_fails_naming_it(capsys):
    stubs = AwsStubs("servicediscovery")
    namespace_listed(stubs, found=False)
    failed, result = run_module(servicediscovery_service, {"name": "api", "namespace": NS}, stubs, capsys)
    assert failed
    assert f"Cloud Map namespace {NS} does not exist" in result["msg"]


def test_service_ttl_out_of_range_fails_before_any_call(capsys):
    failed, result = run_module(
        servicediscovery_service, {"name": "api", "namespace": NS, "ttl": -1}, AwsStubs("servicediscovery"), capsys
    )
    assert failed
    assert result["msg"] == "ttl: -1 is out of range; allowed 0..86400"
