# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error handler (module_utils/errors.py): only "not found" is ever read as an answer."""

import boto3
import botocore.exceptions
import pytest
from botocore.stub import Stubber

from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

APPLICATION = missing_is("ApplicationDoesNotExistException")


@pytest.fixture
def codedeploy():
    client = boto3.client("codedeploy", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@APPLICATION.list_error_handler("get CodeDeploy application {name}")
def get_application(client, name):
    return client.get_application(applicationName=name)["application"]


@APPLICATION.deletion_error_handler("delete CodeDeploy application {name}")
def delete_application(client, name):
    client.delete_application(applicationName=name)
    return True


@APPLICATION.common_error_handler("create CodeDeploy application {name}")
def create_application(client, name):
    return client.create_application(applicationName=name)["applicationId"]


def test_a_read_of_a_missing_resource_returns_the_default(codedeploy):
    client, stubber = codedeploy
    stubber.add_client_error("get_application", "ApplicationDoesNotExistException")
    assert get_application(client, "prd-web") is None


def test_a_read_answers_what_aws_answers(codedeploy):
    client, stubber = codedeploy
    stubber.add_response("get_application", {"application": {"applicationName": "prd-web"}})
    assert get_application(client, "prd-web") == {"applicationName": "prd-web"}


@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException", "InvalidApplicationNameException"])
def test_a_read_that_is_refused_fails_naming_the_resource(codedeploy, code):
    client, stubber = codedeploy
    stubber.add_client_error("get_application", code, "no")
    with pytest.raises(BluegreenAWSError) as info:
        get_application(client, "prd-web")
    assert info.value.message == "Failed to get CodeDeploy application prd-web"
    assert info.value.exception.response["Error"]["Code"] == code


def test_a_delete_of_a_missing_resource_is_already_done(codedeploy):
    client, stubber = codedeploy
    stubber.add_client_error("delete_application", "ApplicationDoesNotExistException")
    assert delete_application(client, "prd-web") is False


def test_a_delete_that_is_refused_fails(codedeploy):
    client, stubber = codedeploy
    stubber.add_client_error("delete_application", "AccessDeniedException")
    with pytest.raises(BluegreenAWSError, match="Failed to delete CodeDeploy application prd-web"):
        delete_application(client, "prd-web")


def test_a_write_fails_even_on_a_not_found_code(codedeploy):
    """Only reads and deletes may read "not found" as an answer: a write that meets one has failed."""
    client, stubber = codedeploy
    stubber.add_client_error("create_application", "ApplicationDoesNotExistException")
    with pytest.raises(BluegreenAWSError, match="Failed to create CodeDeploy application prd-web"):
        create_application(client, "prd-web")


def test_a_handler_without_codes_reads_nothing_as_missing(codedeploy):
    client, stubber = codedeploy
    stubber.add_client_error("get_application", "ApplicationDoesNotExistException")

    @missing_is().list_error_handler("get {name}", "default")
    def read(client, name):
        return client.get_application(applicationName=name)

    with pytest.raises(BluegreenAWSError, match="Failed to get prd-web"):
        read(client, "prd-web")


def test_botocore_errors_without_a_response_fail():
    @missing_is("NoSuchEntity").list_error_handler("reach IAM")
    def read():
        raise botocore.exceptions.EndpointConnectionError(endpoint_url="https://iam.amazonaws.com")

    with pytest.raises(BluegreenAWSError, match="Failed to reach IAM"):
        read()


def test_a_waiter_that_gives_up_is_a_timeout():
    @missing_is("NoSuchEntity").common_error_handler("wait for role {name}")
    def wait(name):
        raise botocore.exceptions.WaiterError(name="role_exists", reason="Max attempts exceeded", last_response={})

    with pytest.raises(BluegreenAWSError, match="Timeout trying to wait for role deploy"):
        wait("deploy")


def test_descriptions_name_attributes_and_keys_of_arguments():
    class Manager:
        params = {"application": "prd-web", "name": "prd-web-dg"}

        @missing_is().common_error_handler("update {self.params[application]}/{self.params[name]} ({changes})")
        def update(self, changes):
            raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied"}}, "UpdateDeploymentGroup")

    with pytest.raises(BluegreenAWSError) as info:
        Manager().update("alarms")
    assert info.value.message == "Failed to update prd-web/prd-web-dg (alarms)"


def test_an_error_the_function_raises_itself_passes_through_unchanged():
    @missing_is().common_error_handler("delete {name}")
    def delete(name):
        raise BluegreenAWSError(message=f"{name} is in use")

    with pytest.raises(BluegreenAWSError) as info:
        delete("config")
    assert info.value.message == "config is in use"
