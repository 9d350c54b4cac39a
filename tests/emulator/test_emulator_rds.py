"""RDS on the emulator: a PostgreSQL instance is a real server, its managed secret holds the working password,
rotation changes it, deletion stops it, and what AWS refuses is refused (emulator/patches/rds.py, secretsmanager.py)."""

import json
import socket

import pytest
from botocore.exceptions import ClientError

from emulator.dataplane import postgres

psycopg = pytest.importorskip("psycopg")
pytestmark = pytest.mark.skipif(not postgres.available(), reason="Debian's postgresql is not installed")

BASE = {
    "DBInstanceIdentifier": "stub-db",
    "DBInstanceClass": "db.t4g.micro",
    "Engine": "postgres",
    "EngineVersion": "16",
    "MasterUsername": "app_admin",
    "DBName": "notes",
    "AllocatedStorage": 20,
}


def create(rds, **overrides):
    return rds.create_db_instance(**(BASE | overrides))["DBInstance"]


def secret_value(aws, arn, stage="AWSCURRENT"):
    return json.loads(aws("secretsmanager").get_secret_value(SecretId=arn, VersionStage=stage)["SecretString"])


def connect(instance, password):
    endpoint = instance["Endpoint"]
    return psycopg.connect(
        host=endpoint["Address"],
        port=endpoint["Port"],
        dbname=instance["DBName"],
        user=instance["MasterUsername"],
        password=password,
        sslmode="verify-full",
        sslrootcert=str(postgres.ca_file()),
        connect_timeout=5,
    )


@pytest.fixture
def rds(aws):
    client = aws("rds")
    yield client
    for instance in client.describe_db_instances()["DBInstances"]:
        client.delete_db_instance(DBInstanceIdentifier=instance["DBInstanceIdentifier"], SkipFinalSnapshot=True)


def test_a_managed_password_instance_accepts_the_secret_password_over_verified_tls(aws, rds):
    instance = create(rds, ManageMasterUserPassword=True)
    secret = secret_value(aws, instance["MasterUserSecret"]["SecretArn"])
    assert secret["username"] == "app_admin"
    assert (
        aws("secretsmanager")
        .describe_secret(SecretId=instance["MasterUserSecret"]["SecretArn"])["Name"]
        .startswith("rds!db-")
    )
    assert instance["Endpoint"]["Address"].startswith("127.") and instance["Endpoint"]["Address"] != "127.0.0.1"
    with connect(instance, secret["password"]) as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == ("app_admin", "notes")
    described = rds.describe_db_instances(DBInstanceIdentifier="stub-db")["DBInstances"][0]
    assert described["Endpoint"] == instance["Endpoint"]
    assert described["EngineVersion"] == "16.11"  # a major alone picks its newest minor


def test_a_given_master_password_is_the_server_password(rds):
    instance = create(rds, MasterUserPassword="given-Passw0rd")
    with connect(instance, "given-Passw0rd") as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_rotating_the_secret_changes_the_server_password_and_keeps_the_old_one_as_previous(aws, rds):
    instance = create(rds, ManageMasterUserPassword=True)
    arn = instance["MasterUserSecret"]["SecretArn"]
    before = secret_value(aws, arn)["password"]
    aws("secretsmanager").rotate_secret(SecretId=arn)
    after = secret_value(aws, arn)["password"]
    assert after != before
    assert secret_value(aws, arn, "AWSPREVIOUS")["password"] == before
    with connect(instance, after) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(instance, before)


def test_rotate_master_user_password_through_rds_rotates_the_server_too(aws, rds):
    instance = create(rds, ManageMasterUserPassword=True)
    arn = instance["MasterUserSecret"]["SecretArn"]
    before = secret_value(aws, arn)["password"]
    rds.modify_db_instance(DBInstanceIdentifier="stub-db", RotateMasterUserPassword=True, ApplyImmediately=True)
    with connect(instance, secret_value(aws, arn)["password"]) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert secret_value(aws, arn)["password"] != before


def test_turning_on_managed_password_moves_the_server_to_the_secret(aws, rds):
    create(rds, MasterUserPassword="given-Passw0rd")
    instance = rds.modify_db_instance(
        DBInstanceIdentifier="stub-db", ManageMasterUserPassword=True, ApplyImmediately=True
    )["DBInstance"]
    password = secret_value(aws, instance["MasterUserSecret"]["SecretArn"])["password"]
    with connect(instance, password) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        ("put_secret_value", {"SecretString": '{"username": "app_admin", "password": "mine"}'}),
        ("update_secret", {"SecretString": '{"username": "app_admin", "password": "mine"}'}),
        ("update_secret", {"Description": "renamed"}),
        ("delete_secret", {"ForceDeleteWithoutRecovery": True}),
    ],
)
def test_the_managed_secret_is_changed_only_through_rds(aws, rds, operation, kwargs):
    arn = create(rds, ManageMasterUserPassword=True)["MasterUserSecret"]["SecretArn"]
    before = secret_value(aws, arn)
    secrets = aws("secretsmanager")
    with pytest.raises(ClientError) as refused:
        getattr(secrets, operation)(SecretId=arn, **kwargs)
    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "managed by rds" in refused.value.response["Error"]["Message"]
    assert secret_value(aws, arn) == before
    # RDS itself still removes it with the instance.
    rds.delete_db_instance(DBInstanceIdentifier="stub-db", SkipFinalSnapshot=True)
    with pytest.raises(ClientError) as gone:
        secrets.describe_secret(SecretId=arn)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_secret_of_our_own_is_still_ours_to_change(aws):
    secrets = aws("secretsmanager")
    arn = secrets.create_secret(Name="own", SecretString="one")["ARN"]
    secrets.put_secret_value(SecretId=arn, SecretString="two")
    assert secrets.get_secret_value(SecretId=arn)["SecretString"] == "two"
    secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


def test_deleting_the_instance_stops_its_server(rds):
    instance = create(rds, MasterUserPassword="given-Passw0rd")
    address = (instance["Endpoint"]["Address"], instance["Endpoint"]["Port"])
    socket.create_connection(address, timeout=2).close()
    rds.delete_db_instance(DBInstanceIdentifier="stub-db", SkipFinalSnapshot=True)
    with pytest.raises(OSError):
        socket.create_connection(address, timeout=2).close()


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        ({}, "InvalidParameterValue", "MasterUserPassword must be provided"),
        (
            {"MasterUserPassword": "given-Passw0rd", "ManageMasterUserPassword": True},
            "InvalidParameterCombination",
            "ManageMasterUserPassword",
        ),
        ({"ManageMasterUserPassword": True, "DBName": "my-notes"}, "InvalidParameterValue", "DBName must begin"),
        ({"ManageMasterUserPassword": True, "DBName": "1notes"}, "InvalidParameterValue", "DBName must begin"),
        ({"ManageMasterUserPassword": True, "DBName": "select"}, "InvalidParameterValue", "DBName must begin"),
        (
            {"ManageMasterUserPassword": True, "EngineVersion": "15.2"},
            "InvalidParameterCombination",
            "Cannot find version 15.2",
        ),
        (
            {"ManageMasterUserPassword": True, "DBInstanceClass": "db.t2.micro"},
            "InvalidParameterCombination",
            "DBInstanceClass=db.t2.micro, Engine=postgres, EngineVersion=16.11",
        ),
    ],
)
def test_create_refuses_what_aws_refuses(rds, overrides, code, message):
    with pytest.raises(ClientError) as caught:
        create(rds, **overrides)
    assert caught.value.response["Error"]["Code"] == code
    assert message in caught.value.response["Error"]["Message"]
    assert rds.describe_db_instances()["DBInstances"] == []


def test_delete_without_final_snapshot_or_skip_is_refused_and_the_server_keeps_running(rds):
    instance = create(rds, MasterUserPassword="given-Passw0rd")
    with pytest.raises(ClientError, match="FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot"):
        rds.delete_db_instance(DBInstanceIdentifier="stub-db")
    socket.create_connection((instance["Endpoint"]["Address"], 5432), timeout=2).close()


def test_delete_with_a_final_snapshot_takes_it(rds):
    create(rds, MasterUserPassword="given-Passw0rd")
    rds.delete_db_instance(DBInstanceIdentifier="stub-db", FinalDBSnapshotIdentifier="stub-db-final")
    snapshots = rds.describe_db_snapshots(DBSnapshotIdentifier="stub-db-final")["DBSnapshots"]
    assert [s["DBInstanceIdentifier"] for s in snapshots] == ["stub-db"]


def test_delete_of_a_protected_instance_is_refused(rds):
    create(rds, MasterUserPassword="given-Passw0rd", DeletionProtection=True)
    with pytest.raises(ClientError, match="Cannot delete protected DB Instance"):
        rds.delete_db_instance(DBInstanceIdentifier="stub-db", SkipFinalSnapshot=True)
    rds.modify_db_instance(DBInstanceIdentifier="stub-db", DeletionProtection=False, ApplyImmediately=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ManageMasterUserPassword": False}, "MasterUserPassword must be provided when ManageMasterUserPassword"),
        ({"MasterUserPassword": "other-Passw0rd"}, "ManageMasterUserPassword is turned on"),
    ],
)
def test_modify_refuses_password_changes_aws_refuses(rds, kwargs, message):
    create(rds, ManageMasterUserPassword=True)
    with pytest.raises(ClientError, match=message) as caught:
        rds.modify_db_instance(DBInstanceIdentifier="stub-db", ApplyImmediately=True, **kwargs)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterCombination"


def test_orderable_options_list_the_classes_and_versions_create_accepts(rds):
    options = rds.describe_orderable_db_instance_options(Engine="postgres", EngineVersion="16.11")[
        "OrderableDBInstanceOptions"
    ]
    classes = {option["DBInstanceClass"] for option in options}
    assert "db.t4g.micro" in classes and "db.t2.micro" not in classes
    only = rds.describe_orderable_db_instance_options(Engine="postgres", DBInstanceClass="db.t2.micro")
    assert only["OrderableDBInstanceOptions"] == []
