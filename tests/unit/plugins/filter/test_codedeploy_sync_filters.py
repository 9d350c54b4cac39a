# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The codedeploy and pipeline convergence filters through the one guard: each is there, documented by its function
and by a YAML file, and a bad argument is a filter error naming the filter."""

from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.filter import codedeploy_sync, pipeline_sync

MODULES = (codedeploy_sync, pipeline_sync)
FILTER_DIR = Path(codedeploy_sync.__file__).parent


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_filter_is_guarded_documented_and_keeps_its_doc(module):
    filters = module.FilterModule().filters()
    assert set(filters) == set(module.FILTERS)
    for name, func in module.FILTERS.items():
        assert filters[name].__doc__ == func.__doc__
        assert (FILTER_DIR / f"{name}.yml").is_file(), name


def test_a_bad_argument_is_a_filter_error_naming_the_filter():
    filters = codedeploy_sync.FilterModule().filters()
    with pytest.raises(AnsibleFilterError, match=r"^lambda_function_in_sync: "):
        filters["lambda_function_in_sync"]({"Configuration": {"Role": "r"}}, {}, "sha")
