"""AWS_LAMBDA lifecycle hooks of ECS-native blue/green deployments: ECS invokes the function with the stage's payload
and its hookStatus decides (SUCCEEDED moves on, IN_PROGRESS is invoked again after callBackDelay with the returned
hookDetails, FAILED rolls back); the hook's role must allow lambda:InvokeFunction."""

import io
import json
import textwrap
import zipfile

from tests.emulator.test_ecs_native_engine import TRUST_ECS, status_is, wait_deployment, wait_for

HOOK_SOURCE = textwrap.dedent(
    """
    import json
    import os


    def handler(event, context):
        print("EVENT", json.dumps(event, sort_keys=True))
        if os.environ["ANSWER"] == "FAILED":
            return {"hookStatus": "FAILED"}
        if (event.get("hookDetails") or {}).get("calls", 0) < 1:
            return {"hookStatus": "IN_PROGRESS", "callBackDelay": 1, "hookDetails": {"calls": 1}}
        return {"hookStatus": "SUCCEEDED"}
    """
)


def hook_function(stack, name: str, answer: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = stack.aws("iam").create_role(RoleName=f"fn-{name}", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hook.py", HOOK_SOURCE)
    return stack.aws("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler="hook.handler",
        Code={"ZipFile": buffer.getvalue()},
        Timeout=10,
        Environment={"Variables": {"ANSWER": answer}},
    )["FunctionArn"]


def invoke_role(stack, allowed: bool = True) -> str:
    iam = stack.aws("iam")
    name = "hook-invoker" if allowed else "hook-mute"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST_ECS)["Role"]["Arn"]
    if allowed:
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}],
        }
        iam.put_role_policy(RoleName=name, PolicyName="invoke", PolicyDocument=json.dumps(policy))
    return arn


def events(stack, function: str) -> list[dict]:
    logs = stack.aws("logs")
    found = []
    for log_stream in logs.describe_log_streams(logGroupName=f"/aws/lambda/{function}")["logStreams"]:
        for event in logs.get_log_events(
            logGroupName=f"/aws/lambda/{function}", logStreamName=log_stream["logStreamName"]
        )["events"]:
            if event["message"].startswith("EVENT "):
                found.append(json.loads(event["message"][len("EVENT ") :]))
    return found


def deploy_with_hook(stack, function_arn: str, role: str) -> str:
    hook = {
        "targetType": "AWS_LAMBDA",
        "hookTargetArn": function_arn,
        "roleArn": role,
        "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"],
        "hookDetails": {"suite": "smoke"},
    }
    stack.create({"strategy": "BLUE_GREEN", "lifecycleHooks": [hook]}, runs=False)
    return stack.release("2.0.0", runs=False)


def test_lambda_hook_in_progress_is_invoked_again_then_succeeds(stack, no_health):
    function = hook_function(stack, "validate", "SUCCEEDED")
    arn = deploy_with_hook(stack, function, invoke_role(stack))

    found = wait_deployment(stack, arn, status_is("SUCCESSFUL"), timeout=60)

    assert found["status"] == "SUCCESSFUL"
    calls = wait_for(lambda: events(stack, "validate"), lambda seen: len(seen) >= 2)
    details = [call["hookDetails"] for call in calls]
    assert sorted(details, key=json.dumps) == [{"calls": 1}, {"suite": "smoke"}]  # the IN_PROGRESS answer's, on retry
    first = next(call for call in calls if call["hookDetails"] == {"suite": "smoke"})
    assert first["lifecycleStage"] == "POST_TEST_TRAFFIC_SHIFT"
    assert first["resourceArn"] == arn
    target = first["targetServiceRevisionArn"]
    assert first["testTrafficWeights"][target] == 100.0
    assert first["productionTrafficWeights"][target] == 0.0


def test_lambda_hook_failed_rolls_back(stack, no_health):
    function = hook_function(stack, "reject", "FAILED")
    arn = deploy_with_hook(stack, function, invoke_role(stack))

    found = wait_deployment(stack, arn, status_is("ROLLBACK_SUCCESSFUL"), timeout=60)

    assert "FAILED" in found["rollback"]["reason"]
    assert stack.weights(stack.test_rule) == {"blue": 100, "green": 0}


def test_lambda_hook_whose_role_may_not_invoke_rolls_back(stack, no_health):
    function = hook_function(stack, "unreachable", "SUCCEEDED")
    arn = deploy_with_hook(stack, function, invoke_role(stack, allowed=False))

    found = wait_deployment(stack, arn, status_is("ROLLBACK_SUCCESSFUL"), timeout=60)

    assert "lambda:InvokeFunction" in found["rollback"]["reason"]
