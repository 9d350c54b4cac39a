import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import db_spec, naming

ENV, PROJECT = "stg", "stub"
OPTIONS = [
    {"engine_version": version, "db_instance_class": klass}
    for version in ("16.9", "16.11", "17.5", "17.7")
    for klass in ("db.t4g.micro", "db.m7g.large")
] + [{"engine_version": "15.13", "db_instance_class": "db.t3.micro"}]


def errors(instances):
    return db_spec.instance_errors(instances, ENV, PROJECT)


def test_a_good_list_has_no_errors_and_every_concern_is_reported():
    found = errors([{"name": "app"}, {"name": "audit-log", "db_name": "audit", "allocated_storage": "100"}])
    assert found == dict.fromkeys(db_spec.CONCERNS, "")


@pytest.mark.parametrize(
    "instances, text",
    [
        ({"name": "app"}, "db_instances: must be a list"),
        (["app"], "db_instances[0]: 'app' must be a mapping with a name"),
        ([{"instance_class": "db.t4g.micro"}], "db_instances[0]: {'instance_class': 'db.t4g.micro'} must be a mapping"),
        ([{"name": "app", "size": 3}], "db_instances[0]: unknown key(s) ['size']; allowed ["),
    ],
)
def test_the_shape_is_checked_first_and_alone(instances, text):
    found = errors(instances)
    assert text in found["shape"]
    assert [concern for concern, message in found.items() if message] == ["shape"]


@pytest.mark.parametrize(
    "entry, concern, text",
    [
        ({"name": "App"}, "name", "db_instances[0].name: 'App' is not a valid name"),
        ({"name": "a--b"}, "name", "two consecutive hyphens, which RDS refuses"),
        ({"name": "x" * 60}, "name", "AWS allows at most 63"),
        ({"name": "app", "db_name": "1notes"}, "db_name", "db_instances[0].db_name: '1notes' is not a database name"),
        ({"name": "app", "db_name": "select"}, "db_name", "not a PostgreSQL reserved word"),
        ({"name": "app", "db_name": "n" * 64}, "db_name", "1 to 63 letters"),
        ({"name": "user"}, "db_name", "db_instances[0].db_name: 'user'"),
        ({"name": "app", "master_username": "_admin"}, "master_username", "db_instances[0].master_username: '_admin'"),
        ({"name": "app", "master_username": "rdsadmin"}, "master_username", "not a reserved word"),
        (
            {"name": "app", "allocated_storage": 19},
            "allocated_storage",
            "db_instances[0].allocated_storage: 19 GiB; allowed a whole number 20..65536",
        ),
        ({"name": "app", "allocated_storage": 65537}, "allocated_storage", "65537 GiB"),
        ({"name": "app", "allocated_storage": True}, "allocated_storage", "True GiB"),
        ({"name": "app", "multi_az": "yes"}, "multi_az", "db_instances[0].multi_az: 'yes'; allowed true or false"),
    ],
)
def test_each_concern_names_the_field_and_what_is_allowed(entry, concern, text):
    found = errors([entry])
    assert text in found[concern]


def test_a_database_declared_twice_is_refused():
    assert "db_instances[1].name: 'app' is declared twice" in errors([{"name": "app"}, {"name": "app"}])["name"]


def test_the_plan_fills_defaults_and_names():
    planned = db_spec.plan(
        [{"name": "audit-log", "engine_version": 16, "allocated_storage": "30", "multi_az": None}], ENV, PROJECT
    )
    assert planned == [
        {
            "name": "audit-log",
            "instance_class": "db.t4g.micro",
            "engine_version": "16",
            "allocated_storage": 30,
            "db_name": "audit_log",
            "master_username": "dbadmin",
            "multi_az": False,
            "names": naming.database_names(ENV, PROJECT, "audit-log"),
        }
    ]


SERVICES = {
    "web": {"port": 8000, "database": "app"},
    "api": {"name": "api", "database": "app"},
    "worker": {"name": "worker"},
}


def test_consumers_are_the_services_that_name_the_database_with_their_security_groups():
    found = db_spec.consumers(SERVICES, ENV, PROJECT, {"CostCenter": "dev"})
    assert [user["service"] for user in found["app"]] == ["api", "web"]
    assert list(found) == ["app"]
    web = found["app"][1]
    names = naming.service_names(ENV, PROJECT, "web")
    assert web["security_group"] == names["service_security_group"]
    # What the ecs role gives the group (roles/ecs/tasks/service.yml), so it adopts the group unchanged.
    assert web["description"] == f"{names['service']} tasks: 8000/tcp from the load balancer only; HTTPS out"
    assert web["tags"] == dict(
        naming.resource_tags(ENV, PROJECT, "web", {"CostCenter": "dev"}), Name=names["service_security_group"]
    )


def test_a_service_naming_an_undeclared_database_names_the_field_and_the_declared_ones():
    message = db_spec.service_errors({"web": {"database": "ap"}}, [{"name": "app"}, {"name": "audit"}])
    assert message == (
        "bluegreen_service.database: service 'web' uses database 'ap', which db_instances does not declare; "
        "allowed: app, audit"
    )
    assert "allowed: none (db_instances is empty)" in db_spec.service_errors({"web": {"database": "app"}}, [])
    assert db_spec.service_errors(SERVICES, [{"name": "app"}]) == ""


def planned(**entry):
    return db_spec.plan([dict({"name": "app"}, **entry)], ENV, PROJECT)


def test_a_major_stands_for_its_minors_and_an_exact_version_for_itself():
    assert db_spec.offered_versions("16", OPTIONS) == ["16.9", "16.11"]
    assert db_spec.offered_versions("17.5", OPTIONS) == ["17.5"]
    assert db_spec.offered_versions("17.4", OPTIONS) == []
    assert db_spec.offer_errors(planned(engine_version="16"), OPTIONS, "us-east-1") == {
        "engine_version": "",
        "instance_class": "",
    }


def test_a_version_not_offered_lists_the_majors_and_versions():
    found = db_spec.offer_errors(planned(engine_version="18"), OPTIONS, "eu-west-3")
    assert found["engine_version"] == (
        "db_instances[0].engine_version: '18' is not offered for postgres in eu-west-3; offered: 15, 16, 17 "
        "(a major, RDS picks its minor) or 15.13, 16.9, 16.11, 17.5, 17.7"
    )
    assert found["instance_class"] == ""


def test_a_class_not_offered_for_the_version_lists_the_classes_offered_for_it():
    found = db_spec.offer_errors(planned(engine_version="15", instance_class="db.t4g.micro"), OPTIONS, "us-east-1")
    assert found["instance_class"] == (
        "db_instances[0].instance_class: 'db.t4g.micro' is not offered for postgres 15 in us-east-1; offered: db.t3.micro"
    )


def test_an_existing_instance_keeps_its_major_and_may_be_ahead_in_minor():
    database = planned(engine_version="17.5")
    identifier = database[0]["names"]["instance"]
    assert db_spec.version_errors(database, {identifier: "17.7"}) == ""
    assert db_spec.version_errors(database, {}) == ""
    message = db_spec.version_errors(database, {identifier: "16.11"})
    assert message.startswith(
        f"db_instances[0].engine_version: '17.5', but DB instance {identifier} runs PostgreSQL 16.11"
    )
    assert "allowed: a version of major 16" in message


def test_ingress_admits_the_port_from_each_group_once_and_nothing_for_no_group():
    rules = db_spec.ingress_rules(["sg-2", "sg-1", "sg-2", ""], 5432, "app")
    assert rules == [
        {"proto": "tcp", "ports": [5432], "group_id": "sg-1", "rule_desc": "PostgreSQL from a service that uses app"},
        {"proto": "tcp", "ports": [5432], "group_id": "sg-2", "rule_desc": "PostgreSQL from a service that uses app"},
    ]
    assert db_spec.ingress_rules([], 5432, "app") == []
