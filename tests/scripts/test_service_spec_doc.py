"""docs/service-spec.md, the one reference of bluegreen_service, against service_spec.py (the truth)."""

import os
import re

import pytest
import yaml

from ansible_collections.bluegreen.ecs.plugins.module_utils import service_spec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "docs", "service-spec.md"), encoding="utf-8") as handle:
    DOC = handle.read()


def table_rows(heading_row):
    """{first cell: [cells]} of the Markdown table whose header row starts with ``heading_row``."""
    start = DOC.index(heading_row)
    rows = {}
    for line in DOC[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows[cells[0].strip("`")] = cells
    return rows


FIELDS = table_rows("| Field | Type | Default |")


def test_every_field_is_documented_and_nothing_else():
    assert set(FIELDS) == set(service_spec.DEFAULTS) | {"name"}


@pytest.mark.parametrize("field", sorted(set(service_spec.DEFAULTS) - {"health_check"}))
def test_documented_default_is_the_code_default(field):
    default = service_spec.DEFAULTS[field]
    text = str(default).lower() if isinstance(default, bool) else str(default)
    assert FIELDS[field][2].strip("`") == text


def test_fargate_sizes_match():
    sizes = table_rows("| `cpu` | `memory` |")
    assert sorted(int(cpu) for cpu in sizes) == sorted(service_spec.FARGATE_MEMORY)
    for cpu, allowed in service_spec.FARGATE_MEMORY.items():
        cell = sizes[str(cpu)][1]
        if "steps of" in cell:
            low, high, step = (int(n) for n in re.findall(r"\d+", cell))
            assert list(range(low, high + 1, step)) == allowed
        else:
            assert [int(n) for n in re.findall(r"\d+", cell)] == allowed


@pytest.mark.parametrize("key", sorted(service_spec.HEALTH_CHECK_LIMITS))
def test_health_check_limits_and_defaults_match(key):
    low, high = service_spec.HEALTH_CHECK_LIMITS[key]
    line = next(line for line in DOC.splitlines() if line.startswith(f"  {key}: "))
    assert f"{key}: {service_spec.HEALTH_CHECK_DEFAULTS[key]} " in line
    assert f"{low}..{high}" in line


def test_the_example_spec_is_valid():
    example = DOC[DOC.index("```yaml\n# host_vars/web.yml") :].split("```")[1]
    spec = yaml.safe_load(example.removeprefix("yaml\n"))["bluegreen_service"]
    assert service_spec.normalize(spec)["name"] == "web"
