import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.filter.db import FilterModule

FILTER = FilterModule().filters()


def test_every_db_filter_is_exposed():
    assert sorted(FILTER) == [
        "db_consumers",
        "db_ingress_rules",
        "db_instance_errors",
        "db_instances_plan",
        "db_offer_errors",
        "db_service_errors",
        "db_version_errors",
    ]


def test_a_bad_service_spec_is_a_filter_error_naming_the_filter_and_field():
    with pytest.raises(AnsibleFilterError, match=r"^db_consumers: bluegreen_service\.database: "):
        FILTER["db_consumers"]({"web": {"database": "No"}}, "prd", "demo")
