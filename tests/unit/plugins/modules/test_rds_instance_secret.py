# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.bluegreen.ecs.plugins.module_utils import rds_secret
from ansible_collections.bluegreen.ecs.plugins.modules import rds_instance_secret
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

ID = "stub-db"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:rds!db-0f6b1c2d-AbCdEf"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1111"


def instance(managed=False, status="available", key=KEY_ARN):
    found = {"DBInstanceIdentifier": ID, "DBInstanceStatus": status}
    if managed:
        found["MasterUserSecret"] = {"SecretArn": SECRET_ARN, "SecretStatus": "active", "KmsKeyId": key}
    return found


def describe(stubs, *found):
    stubs.rds.add_response("describe_db_instances", {"DBInstances": list(found)}, {"DBInstanceIdentifier": ID})


def test_turns_on_management_waits_and_returns_the_secret(capsys):
    stubs = AwsStubs("rds")
    describe(stubs, instance())
    stubs.rds.add_response(
        "modify_db_instance",
        {"DBInstance": instance(status="modifying")},
        {"DBInstanceIdentifier": ID, "ManageMasterUserPassword": True, "ApplyImmediately": True},
    )
    describe(stubs, instance(status="available"))  # the waiter
    describe(stubs, instance(managed=True))
    failed, result = run_module(rds_instance_secret, {"db_instance_identifier": ID}, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["secret_arn"] == SECRET_ARN
    assert result["diff"]["before"]["manage_master_user_password"] is False
    assert result["diff"]["after"]["manage_master_user_password"] is True


def test_a_managed_instance_is_left_alone(capsys):
    stubs = AwsStubs("rds")
    describe(stubs, instance(managed=True))
    failed, result = run_module(rds_instance_secret, {"db_instance_identifier": ID}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["secret_arn"] == SECRET_ARN


def test_check_mode_reports_the_change_without_modifying(capsys):
    stubs = AwsStubs("rds")
    describe(stubs, instance())
    failed, result = run_module(rds_instance_secret, {"db_instance_identifier": ID}, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True


def test_the_kms_key_is_sent_when_turning_management_on(capsys):
    stubs = AwsStubs("rds")
    describe(stubs, instance())
    stubs.rds.add_response(
        "modify_db_instance",
        {"DBInstance": instance(status="modifying")},
        {
            "DBInstanceIdentifier": ID,
            "ManageMasterUserPassword": True,
            "ApplyImmediately": True,
            "MasterUserSecretKmsKeyId": "alias/db",
        },
    )
    describe(stubs, instance(managed=True, key=f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/db"))
    args = {"db_instance_identifier": ID, "master_user_secret_kms_key_id": "alias/db", "wait": False}
    failed, result = run_module(rds_instance_secret, args, stubs, capsys)
    assert not failed, result
    assert result["kms_key_id"].endswith("alias/db")


def test_another_key_for_a_managed_secret_fails_naming_the_option(capsys):
    stubs = AwsStubs("rds")
    describe(stubs, instance(managed=True))
    args = {"db_instance_identifier": ID, "master_user_secret_kms_key_id": "alias/other"}
    failed, result = run_module(rds_instance_secret, args, stubs, capsys)
    assert failed
    assert result["msg"].startswith("master_user_secret_kms_key_id:")


def test_a_missing_instance_is_a_change_in_check_mode_and_an_error_otherwise(capsys):
    stubs = AwsStubs("rds")
    stubs.rds.add_client_error("describe_db_instances", "DBInstanceNotFound", "DBInstance stub-db not found.")
    failed, result = run_module(rds_instance_secret, {"db_instance_identifier": ID}, stubs, capsys, check_mode=True)
    assert not failed and result["changed"] is True

    stubs = AwsStubs("rds")
    stubs.rds.add_client_error("describe_db_instances", "DBInstanceNotFound", "DBInstance stub-db not found.")
    failed, result = run_module(rds_instance_secret, {"db_instance_identifier": ID}, stubs, capsys)
    assert failed
    assert result["msg"].startswith("db_instance_identifier:")


def test_turning_management_off_needs_a_password():
    assert rds_secret.plan(instance(managed=True), manage=False) == (
        None,
        "master_user_password: required to turn off manage_master_user_password (RDS needs a new password)",
    )
    params, error = rds_secret.plan(instance(managed=True), manage=False, password_given=True)
    assert error is None and params["ManageMasterUserPassword"] is False


def test_same_key_accepts_the_arn_a_key_id_or_an_alias_of_it():
    assert rds_secret.same_key(KEY_ARN, KEY_ARN)
    assert rds_secret.same_key(KEY_ARN, "1111")
    assert rds_secret.same_key(KEY_ARN, None)
    assert not rds_secret.same_key(KEY_ARN, "2222")
