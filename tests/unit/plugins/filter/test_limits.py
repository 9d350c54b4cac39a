import pytest

from ansible_collections.bluegreen.ecs.plugins.filter.limits import FilterModule
from ansible_collections.bluegreen.ecs.plugins.module_utils import limits

FILTER = FilterModule().filters()["log_retention_days"]


@pytest.mark.parametrize("value", [1, 30, 3653, "14", " 90 "])
def test_an_accepted_retention_has_no_message(value):
    assert FILTER(value, "ecs_log_retention_days") == ""


@pytest.mark.parametrize("value", [0, 2, 31, 3654, -1, "thirty", "", None, True, 30.0])
def test_another_value_names_the_variable_the_value_and_the_allowed_ones(value):
    message = FILTER(value, "vpc_flow_logs_retention_days")
    assert message.startswith(f"vpc_flow_logs_retention_days: {value} is not a retention CloudWatch Logs accepts")
    assert message.endswith(
        "allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
    )


def test_the_list_is_the_one_of_the_logs_api_model():
    # botocore's logs model documents the Days shape's allowed values; the list must match it exactly.
    import gzip
    import json
    import re
    from pathlib import Path

    import botocore

    model = next(Path(botocore.__file__).parent.joinpath("data", "logs").glob("*/service-2.json*"))
    opener = gzip.open if model.suffix == ".gz" else open
    with opener(model, "rt") as handle:
        documentation = json.load(handle)["shapes"]["Days"]["documentation"]
    values = re.search(r"Possible values are: ([0-9, and]+)\.", documentation).group(1)
    assert tuple(int(v) for v in re.findall(r"\d+", values)) == limits.LOG_RETENTION_DAYS
