# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.bluegreen.ecs.plugins.modules import rds_orderable_info
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import AwsStubs, run_module


def option(version, klass, storage="gp3", vpc=True):
    return {"EngineVersion": version, "DBInstanceClass": klass, "StorageType": storage, "Vpc": vpc}


def test_reads_every_page_and_returns_distinct_vpc_pairs(capsys):
    stubs = AwsStubs("rds")
    stubs.rds.add_response(
        "describe_orderable_db_instance_options",
        {
            "OrderableDBInstanceOptions": [option("17.7", "db.t4g.micro"), option("17.7", "db.t4g.micro", "gp2")],
            "Marker": "p2",
        },
        {"Engine": "postgres", "Vpc": True},
    )
    stubs.rds.add_response(
        "describe_orderable_db_instance_options",
        {"OrderableDBInstanceOptions": [option("16.11", "db.m7g.large"), option("15.13", "db.t3.micro", vpc=False)]},
        {"Engine": "postgres", "Vpc": True, "Marker": "p2"},
    )
    failed, result = run_module(rds_orderable_info, {}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["options"] == [
        {"engine_version": "16.11", "db_instance_class": "db.m7g.large"},
        {"engine_version": "17.7", "db_instance_class": "db.t4g.micro"},
    ]
    assert result["engine_versions"] == ["16.11", "17.7"]
    assert result["db_instance_classes"] == ["db.m7g.large", "db.t4g.micro"]


def test_filters_are_passed_through(capsys):
    stubs = AwsStubs("rds")
    stubs.rds.add_response(
        "describe_orderable_db_instance_options",
        {"OrderableDBInstanceOptions": []},
        {"Engine": "postgres", "Vpc": True, "EngineVersion": "17.7", "DBInstanceClass": "db.t4g.micro"},
    )
    failed, result = run_module(
        rds_orderable_info, {"engine_version": "17.7", "db_instance_class": "db.t4g.micro"}, stubs, capsys
    )
    assert not failed, result
    assert result["options"] == []


def test_access_denied_fails_naming_the_call(capsys):
    stubs = AwsStubs("rds")
    stubs.rds.add_client_error("describe_orderable_db_instance_options", "AccessDenied", "no", 403)
    failed, result = run_module(rds_orderable_info, {}, stubs, capsys)
    assert failed
    assert "describe the orderable RDS DB instance options" in result["msg"]
