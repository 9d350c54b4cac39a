import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import http_check as hc
from ansible_collections.bluegreen.ecs.plugins.module_utils import release


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def scripted(answers, clock, latency=0.25):
    calls = []

    def fetch(url, timeout, server_name):
        calls.append((url, timeout, server_name))
        clock.now += latency
        return answers[len(calls) - 1]

    fetch.calls = calls
    return fetch


DEFINITION = {"url": "http://lb.example:8080/version", "attempts": 3, "interval_seconds": 2, "timeout_seconds": 4}


def test_release_module_judges_answers_with_the_shared_check():
    assert release.check_response is hc.check_response


def test_first_passing_attempt_ends_the_check():
    clock = Clock()
    fetch = scripted([(503, b"<html>Service Unavailable</html>"), (200, b'{"version": "2.0.0"}')], clock)
    seen = []
    result = hc.run(
        dict(DEFINITION, body_pattern='"version": "2.0.0"'),
        fetch=fetch,
        sleep=clock.sleep,
        clock=clock,
        on_attempt=seen.append,
    )
    assert result["ok"] is True
    assert [a["attempt"] for a in result["attempts"]] == [1, 2]
    first = result["attempts"][0]
    assert first["status"] == 503 and first["ok"] is False and first["latency_ms"] == 250
    assert first["body_excerpt"] == "<html>Service Unavailable</html>"
    assert "body_excerpt" not in result["attempts"][1]
    assert clock.slept == [2]
    assert seen == result["attempts"]


def test_every_attempt_failing_reports_the_last_reason():
    clock = Clock()
    fetch = scripted([(None, "ConnectionRefusedError: refused")] * 3, clock)
    result = hc.run(DEFINITION, fetch=fetch, sleep=clock.sleep, clock=clock)
    assert result["ok"] is False
    assert len(result["attempts"]) == 3 and clock.slept == [2, 2]
    assert result["detail"] == "no answer (ConnectionRefusedError: refused)"


def test_image_tag_in_the_pattern_is_the_released_tag_escaped():
    clock = Clock()
    fetch = scripted([(200, b'{"version": "1x0x0"}'), (200, b'{"version": "1.0.0"}')], clock)
    definition = dict(DEFINITION, body_pattern='"version":\\s*"{image_tag}"')
    result = hc.run(definition, image_tag="1.0.0", fetch=fetch, sleep=clock.sleep, clock=clock)
    # "1.0.0" is escaped: the dots do not match "x".
    assert [a["ok"] for a in result["attempts"]] == [False, True]


def test_a_pattern_naming_the_tag_without_a_tag_is_refused():
    with pytest.raises(hc.DefinitionError, match="image tag is unknown"):
        hc.run(dict(DEFINITION, body_pattern="{image_tag}"), fetch=scripted([], Clock()))


def test_deadline_stops_before_an_attempt_that_could_not_end_in_time():
    clock = Clock()
    fetch = scripted([(500, b"boom")] * 3, clock)
    result = hc.run(DEFINITION, fetch=fetch, sleep=clock.sleep, clock=clock, deadline=clock.now + 5)
    assert len(result["attempts"]) == 1
    assert result["detail"].startswith("out of time before attempt 2")


def test_environment_round_trip():
    definition = dict(DEFINITION, body_pattern="ok", server_name="www.example.com", container_name="web")
    env = hc.definition_to_environment(definition)
    assert env["VALIDATION_ATTEMPTS"] == "3" and env["VALIDATION_SERVER_NAME"] == "www.example.com"
    assert hc.definition_from_environment(env) == hc.validate(definition)


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, "VALIDATION_URL is not set"),
        ({"VALIDATION_URL": "ftp://x/"}, "http:// or https://"),
        ({"VALIDATION_URL": "http://x/", "VALIDATION_ATTEMPTS": "many"}, "VALIDATION_ATTEMPTS must be a whole number"),
        ({"VALIDATION_URL": "http://x/", "VALIDATION_ATTEMPTS": "0"}, "attempts must be from 1 to 100"),
        ({"VALIDATION_URL": "http://x/", "VALIDATION_BODY_PATTERN": "("}, "not a regular expression"),
    ],
)
def test_bad_environment_names_the_setting(env, message):
    with pytest.raises(hc.DefinitionError, match=message):
        hc.definition_from_environment(env)


def test_worst_case_counts_every_timeout_and_pause():
    assert hc.worst_case_seconds(DEFINITION) == 3 * 4 + 2 * 2


@pytest.mark.parametrize(
    "protocol, port, path, url",
    [("HTTP", 8080, "/version", "http://lb:8080/version"), ("HTTPS", "8443", "/health", "https://lb:8443/health")],
)
def test_test_listener_url(protocol, port, path, url):
    assert hc.test_listener_url("lb", protocol, port, path) == url


def test_test_listener_url_refuses_a_path_without_slash():
    with pytest.raises(hc.DefinitionError, match="codedeploy_validation_path"):
        hc.test_listener_url("lb", "HTTP", 80, "version")


def test_fetch_reports_no_answer_with_the_reason():
    status, reason = hc.fetch("http://127.0.0.1:9/", 1)
    assert status is None and "Error" in reason


def test_excerpt_is_one_short_line():
    assert hc.excerpt(b"a\n  b" + b"c" * 300, limit=10) == "a bccccccc..."
