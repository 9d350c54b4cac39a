"""The database a service spec names, rendered once for the ecs role, the pipeline and the release module."""

import copy

import pytest

from ansible_collections.bluegreen.ecs.plugins.filter.spec import FilterModule
from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import SpecError, normalize
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import (
    RDS_CA_BUNDLE,
    database_egress_rules,
    database_facts,
    database_policy_statements,
    task_definition,
)

NAMES = naming.service_names("prd", "demo", "web")
DB = naming.database_names("prd", "demo", "app")
EXEC = "arn:aws:iam::123456789012:role/exec"
TASK = "arn:aws:iam::123456789012:role/task"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0f6b1c2d-AbCdEf"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/0f6b1c2d-0000-0000-0000-000000000000"

# One instance as DescribeDBInstances answers it (botocore's DBInstance shape, the keys we read).
BOTO_INSTANCE = {
    "DBInstanceIdentifier": DB["instance"],
    "DBName": "notes",
    "Endpoint": {"Address": "prd-demo-app-db.abc.eu-west-1.rds.amazonaws.com", "Port": 5432},
    "MasterUserSecret": {"SecretArn": SECRET, "SecretStatus": "active", "KmsKeyId": KEY},
    "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0db", "Status": "active"}],
}
# The same instance as amazon.aws.rds_instance_info returns it (camel_dict_to_snake_dict).
ANSIBLE_INSTANCE = {
    "db_instance_identifier": DB["instance"],
    "db_name": "notes",
    "endpoint": {"address": "prd-demo-app-db.abc.eu-west-1.rds.amazonaws.com", "port": 5432},
    "master_user_secret": {"secret_arn": SECRET, "secret_status": "active", "kms_key_id": KEY},
    "vpc_security_groups": [{"vpc_security_group_id": "sg-0db", "status": "active"}],
}


def build(facts=None, bootstrap=False, **spec):
    return task_definition(normalize(spec, "web"), NAMES, "repo:abc", "eu-west-1", EXEC, TASK, bootstrap, facts)


def test_facts_are_the_same_from_boto3_and_from_rds_instance_info():
    facts = database_facts(BOTO_INSTANCE, "app")
    assert facts == database_facts(ANSIBLE_INSTANCE, "app")
    assert facts == {
        "identifier": "prd-demo-app-db",
        "address": "prd-demo-app-db.abc.eu-west-1.rds.amazonaws.com",
        "port": 5432,
        "db_name": "notes",
        "secret_arn": SECRET,
        "kms_key_id": KEY,
        "security_group_ids": ["sg-0db"],
    }


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("MasterUserSecret", "RDS does not manage the master password of DB instance prd-demo-app-db"),
        ("Endpoint", "DB instance prd-demo-app-db has no endpoint yet"),
    ],
)
def test_facts_refuse_an_instance_the_services_cannot_use(drop, message):
    instance = {k: v for k, v in BOTO_INSTANCE.items() if k != drop}
    with pytest.raises(SpecError, match=r"^bluegreen_service\.database: 'app': ") as err:
        database_facts(instance, "app")
    assert message in str(err.value)


def test_database_adds_its_environment_and_secrets():
    (container,) = build(database_facts(BOTO_INSTANCE), database="app", environment={"LOG_LEVEL": "info"})[
        "containerDefinitions"
    ]
    assert container["environment"] == [
        {"name": "DB_HOST", "value": "prd-demo-app-db.abc.eu-west-1.rds.amazonaws.com"},
        {"name": "DB_NAME", "value": "notes"},
        {"name": "DB_PORT", "value": "5432"},
        {"name": "DB_SECRET_ARN", "value": SECRET},
        {"name": "DB_SSLMODE", "value": "verify-full"},
        {"name": "DB_SSLROOTCERT", "value": RDS_CA_BUNDLE},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "PORT", "value": "8000"},
    ]
    # JSON keys of the secret, AWSCURRENT (stage and version left empty): no password in the definition.
    assert container["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": SECRET + ":password::"},
        {"name": "DB_USER", "valueFrom": SECRET + ":username::"},
    ]


def test_database_keeps_the_specs_own_secrets():
    other = "arn:aws:ssm:eu-west-1:123456789012:parameter/token"
    (container,) = build(database_facts(BOTO_INSTANCE), database="app", secrets={"TOKEN": other})[
        "containerDefinitions"
    ]
    assert [s["name"] for s in container["secrets"]] == ["DB_PASSWORD", "DB_USER", "TOKEN"]


def test_no_database_leaves_the_definition_unchanged():
    plain = build(environment={"LOG_LEVEL": "info"})
    assert plain == build(None, environment={"LOG_LEVEL": "info"})
    (container,) = plain["containerDefinitions"]
    assert [e["name"] for e in container["environment"]] == ["LOG_LEVEL", "PORT"]
    assert container["secrets"] == []
    assert database_policy_statements(None) == [] and database_policy_statements({}) == []
    assert database_egress_rules(None) == [] and database_egress_rules({}) == []


def test_a_spec_naming_a_database_needs_its_facts():
    with pytest.raises(SpecError, match=r"^bluegreen_service\.database: 'app' needs its DB instance's facts"):
        build(None, database="app")


def test_facts_without_a_database_in_the_spec_are_refused():
    with pytest.raises(SpecError, match=r"^bluegreen_service\.database: not set, but the facts of DB instance"):
        build(database_facts(BOTO_INSTANCE))


@pytest.mark.parametrize("field", ["environment", "secrets"])
def test_the_spec_cannot_set_what_the_database_sets(field):
    value = {"DB_HOST": "elsewhere"} if field == "environment" else {"DB_PASSWORD": SECRET}
    with pytest.raises(SpecError, match=rf"^bluegreen_service\.{field}: DB_(HOST|PASSWORD) set by the spec"):
        build(database_facts(BOTO_INSTANCE), database="app", **{field: value})


def test_the_bootstrap_placeholder_gets_the_same_database_wiring():
    facts = database_facts(BOTO_INSTANCE)
    assert (
        build(facts, True, database="app")["containerDefinitions"][0]["secrets"]
        == build(facts, database="app")["containerDefinitions"][0]["secrets"]
    )


def test_roles_read_exactly_the_secret_with_the_aws_managed_key():
    assert database_policy_statements(database_facts(BOTO_INSTANCE), "AWS") == [
        {"Sid": "ReadDatabaseSecret", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": SECRET}
    ]


def test_a_customer_key_is_decrypted_only_through_secrets_manager():
    read, decrypt = database_policy_statements(database_facts(BOTO_INSTANCE), "CUSTOMER")
    assert read["Resource"] == SECRET
    assert decrypt == {
        "Sid": "DecryptDatabaseSecret",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY,
        "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}},
    }


def test_egress_goes_to_the_database_port_and_groups_only():
    instance = copy.deepcopy(BOTO_INSTANCE)
    instance["Endpoint"]["Port"] = 6543
    instance["VpcSecurityGroups"].append({"VpcSecurityGroupId": "sg-0old", "Status": "removing"})
    assert database_egress_rules(database_facts(instance)) == [
        {
            "proto": "tcp",
            "ports": [6543],
            "group_id": "sg-0db",
            "rule_desc": "PostgreSQL to DB instance prd-demo-app-db",
        }
    ]


def test_the_filter_passes_the_database_through():
    filters = FilterModule().filters()
    spec = filters["service_spec"]({"name": "web", "database": "app"})
    facts = filters["database_facts"](ANSIBLE_INSTANCE, "app")
    td = filters["task_definition"](spec, NAMES, "repo:abc", "eu-west-1", EXEC, TASK, False, facts)
    assert {"name": "DB_USER", "valueFrom": SECRET + ":username::"} in td["containerDefinitions"][0]["secrets"]
    assert filters["database_egress_rules"](facts)[0]["group_id"] == "sg-0db"
    assert filters["database_policy_statements"](facts)[0]["Resource"] == SECRET
