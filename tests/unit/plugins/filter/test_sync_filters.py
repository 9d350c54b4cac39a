# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The convergence filters (alb_sync, s3_sync, vpc_sync) through one guard: every filter is there, documented by its
function, and a bad argument is a filter error naming the filter."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.filter import alb_sync, s3_sync, vpc_sync

MODULES = (alb_sync, s3_sync, vpc_sync)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_filter_is_guarded_and_keeps_its_doc(module):
    filters = module.FilterModule().filters()
    assert set(filters) == set(module.FILTERS)
    for name, func in module.FILTERS.items():
        assert filters[name].__doc__ == func.__doc__


def test_a_bad_argument_is_a_filter_error_naming_the_filter():
    filters = s3_sync.FilterModule().filters()
    with pytest.raises(AnsibleFilterError, match=r"^s3_bucket_in_sync: "):
        filters["s3_bucket_in_sync"]({"bucket_versioning": "not a mapping"}, {})
