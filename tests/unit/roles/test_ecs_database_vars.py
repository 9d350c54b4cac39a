# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecs role's policies and egress (vars/main.yml) for a service with and without a database, rendered by
Ansible's own templar with the collection's filters (in a subprocess: the collection loader replaces the import
machinery of the process that installs it)."""

import json
import os
import subprocess
import sys

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import database_facts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0f6b1c2d-AbCdEf"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/0f6b1c2d-0000-0000-0000-000000000000"
DATABASE = database_facts(
    {
        "db_instance_identifier": "prd-demo-app-db",
        "db_name": "app",
        "endpoint": {"address": "10.0.3.10", "port": 5432},
        "master_user_secret": {"secret_arn": SECRET, "kms_key_id": KEY},
        "vpc_security_groups": [{"vpc_security_group_id": "sg-0db", "status": "active"}],
    },
    "app",
)
HTTPS = {
    "proto": "tcp",
    "ports": [443],
    "cidr_ip": "0.0.0.0/0",
    "rule_desc": "HTTPS to AWS APIs (ECR, S3, CloudWatch Logs, SSM, Secrets Manager)",
}

_RENDER = """
import json, os, sys, yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

_AnsibleCollectionFinder(paths=[os.path.join(sys.argv[1], ".collections")])._install()

def trust(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {key: trust(item) for key, item in value.items()}
    if isinstance(value, list):
        return [trust(item) for item in value]
    return value

with open(os.path.join(sys.argv[1], "roles", "ecs", "vars", "main.yml"), encoding="utf-8") as handle:
    variables = trust(yaml.safe_load(handle))
variables.update(json.loads(sys.argv[2]))
templar = Templar(loader=DataLoader(), variables=variables)
print(json.dumps({name: templar.template(trust("{{ %s }}" % name)) for name in json.loads(sys.argv[3])}))
"""


def render(names, **context):
    base = {
        "_common_service": {
            "spec": {
                "name": "web",
                "port": 8000,
                "secrets": {},
                "database": "app" if context.get("_ecs_database") else "",
                "calls": [],
                "discovery": {},
            },
            "names": naming.service_names("prd", "demo", "web"),
            "platform": naming.platform_names("prd", "demo"),
            "tags": {},
            "platform_tags": {},
        },
        "_common_caller": {"partition": "aws", "account": "123456789012"},
        "bluegreen_region": "eu-west-1",
        "bluegreen_env": "prd",
        "bluegreen_project": "demo",
        "ecs_task_role_policy_statements": [],
        # One service host and nothing discovered (tests/unit/roles/test_ecs_discovery_vars.py covers discovery).
        "groups": {"services": ["web"]},
        "hostvars": {"web": {"bluegreen_service": {"port": 8000, "cpu": 256, "memory": 512, "health_check_path": "/"}}},
    }
    base.update(context)
    proc = subprocess.run(
        [sys.executable, "-c", _RENDER, ROOT, json.dumps(base), json.dumps(names)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(proc.stdout)


def test_without_a_database_the_policies_and_egress_are_unchanged():
    found = render(["_ecs_execution_policy", "_ecs_task_statements", "_ecs_service_egress"])
    sids = [s["Sid"] for s in found["_ecs_execution_policy"]["Statement"]]
    assert sids == ["PullServiceImages", "EcrLogin", "WriteServiceLogs"]
    assert found["_ecs_task_statements"] == []
    assert found["_ecs_service_egress"] == [HTTPS]


def test_with_a_database_both_roles_read_its_secret_and_egress_reaches_it_only():
    found = render(
        ["_ecs_execution_policy", "_ecs_task_statements", "_ecs_service_egress", "_ecs_db_instance"],
        _ecs_database=DATABASE,
    )
    read = {
        "Sid": "ReadDatabaseSecret",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": SECRET,
    }
    assert found["_ecs_execution_policy"]["Statement"][-1] == read
    assert found["_ecs_task_statements"] == [read]
    assert found["_ecs_service_egress"] == [
        HTTPS,
        {
            "proto": "tcp",
            "ports": [5432],
            "group_id": "sg-0db",
            "rule_desc": "PostgreSQL to DB instance prd-demo-app-db",
        },
    ]
    assert found["_ecs_db_instance"] == "prd-demo-app-db"


def test_a_customer_key_adds_the_decrypt_to_both_roles():
    found = render(
        ["_ecs_execution_policy", "_ecs_task_statements"],
        _ecs_database=DATABASE,
        _ecs_db_key_manager="CUSTOMER",
        ecs_task_role_policy_statements=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
    )
    assert [s["Sid"] for s in found["_ecs_execution_policy"]["Statement"][-2:]] == [
        "ReadDatabaseSecret",
        "DecryptDatabaseSecret",
    ]
    actions = [s["Action"] for s in found["_ecs_task_statements"]]
    assert actions == ["s3:GetObject", "secretsmanager:GetSecretValue", "kms:Decrypt"]
