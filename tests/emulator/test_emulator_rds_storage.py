"""RDS on the emulator: gp3 storage reports its baseline IOPS and throughput, as RDS does (emulator/patches/rds.py)."""

import pytest

from emulator.patches import rds as rds_patch

BASE = {
    "DBInstanceIdentifier": "stub-gp3",
    "DBInstanceClass": "db.t4g.micro",
    "Engine": "postgres",
    "MasterUsername": "app_admin",
    "MasterUserPassword": "given-Passw0rd",
    "StorageType": "gp3",
}


@pytest.mark.parametrize("storage, iops, throughput", [(20, 3000, 125), (400, 12000, 500)])
def test_a_gp3_instance_reports_the_baseline_iops_and_throughput(aws, storage, iops, throughput):
    client = aws("rds")
    try:
        created = client.create_db_instance(**BASE, AllocatedStorage=storage)["DBInstance"]
        described = client.describe_db_instances(DBInstanceIdentifier="stub-gp3")["DBInstances"][0]
    finally:
        client.delete_db_instance(DBInstanceIdentifier="stub-gp3", SkipFinalSnapshot=True)
    for instance in (created, described):
        assert (instance["StorageType"], instance["Iops"], instance["StorageThroughput"]) == ("gp3", iops, throughput)


def test_the_baseline_threshold_is_the_engines():
    assert rds_patch.gp3_baseline("postgres", 399) == (3000, 125)
    assert rds_patch.gp3_baseline("oracle-ee", 200) == (12000, 500)
    assert rds_patch.gp3_baseline("sqlserver-ex", 1000) == (3000, 125)
