"""The preload filter: an empty string, named in the task every layer runs first so that the controller imports the
collection's filters once (issue 15)."""

from pathlib import Path

import pytest
import yaml

from ansible_collections.bluegreen.ecs.plugins.filter.preload import FilterModule

SERVICE_TASKS = Path(__file__).resolve().parents[4] / "roles" / "common" / "tasks" / "service.yml"


@pytest.mark.parametrize("value", ["", "x", None, {"a": 1}])
def test_the_filter_is_an_empty_string_whatever_its_input(value):
    assert FilterModule().filters()["preload_filters"](value) == ""


def test_the_task_every_layer_runs_first_names_itself_with_the_filter():
    first = yaml.safe_load(SERVICE_TASKS.read_text())[0]
    assert "{{ '' | bluegreen.ecs.preload_filters }}" in first["name"]
    assert first["name"].startswith("Resolve the service spec, names and tags")
