# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.bluegreen.ecs.plugins.module_utils import batch_read


def upper_snake(key):
    return key.lower()


def test_reads_pass_and_duplicates_writes_secrets_fail():
    assert (
        batch_read.read_errors([{"name": "a", "operation": "DescribeSubnets"}, {"name": "b", "operation": "ListRoles"}])
        == []
    )
    errors = batch_read.read_errors(
        [
            {"name": "a", "operation": "GetRole"},
            {"name": "a", "operation": "DeleteRole"},
            {"name": "c", "operation": "GetParameter"},
        ]
    )
    assert errors == [
        "reads[1].name: 'a' is used twice; each read needs its own name",
        "reads[1].operation: 'DeleteRole' is not a read; allowed: an AWS API operation named Describe*, List*, Get* or BatchGet*"
        " (as in the API reference, e.g. DescribeSubnets)",
        "reads[2].operation: GetParameter answers with a secret or a credential; it is never read here",
    ]


def test_shape_drops_paging_and_keeps_tag_keys():
    answer = {
        "Services": [{"ServiceName": "web", "tags": [{"key": "Project", "value": "demo"}]}],
        "NextToken": "x",
        "ResponseMetadata": {},
    }
    assert batch_read.shape(answer, False, upper_snake) == {"Services": answer["Services"]}
    assert batch_read.shape(answer, True, upper_snake) == {
        "services": [{"servicename": "web", "tags": {"Project": "demo"}}]
    }


def test_a_list_under_a_tag_key_that_is_not_tags_stays():
    answer = {"Tags": [{"Other": 1}]}
    assert batch_read.shape(answer, True, upper_snake) == {"tags": [{"Other": 1}]}


def test_batch_gets_are_reads_unless_they_answer_with_secrets():
    reads = [{"name": "p", "operation": "BatchGetProjects"}, {"name": "s", "operation": "BatchGetSecretValue"}]
    assert batch_read.read_errors(reads) == [
        "reads[1].operation: BatchGetSecretValue answers with a secret or a credential; it is never read here"
    ]


def test_read_builds_one_entry_of_the_reads_option():
    assert batch_read.read("role", "iam", "GetRole", {"RoleName": "r"}, ["NoSuchEntity"]) == {
        "name": "role",
        "service": "iam",
        "operation": "GetRole",
        "params": {"RoleName": "r"},
        "missing": ["NoSuchEntity"],
        "snake": False,
    }
    assert batch_read.read("subnets", "ec2", "DescribeSubnets", snake=True)["params"] == {}
