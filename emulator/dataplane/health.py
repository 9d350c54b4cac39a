"""ELB health checks of registered targets, and the target states DescribeTargetHealth reports.

Follows https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html:
a registered target is ``initial`` (``Elb.RegistrationInProgress``, then ``Elb.InitialHealthChecking`` once
checks start) until it passes one health check (``healthy``) or fails ``UnhealthyThresholdCount`` in a row
(``unhealthy``); a healthy target becomes unhealthy after ``UnhealthyThresholdCount`` consecutive failures, an
unhealthy one healthy after ``HealthyThresholdCount`` consecutive successes. Every ``HealthCheckIntervalSeconds``
the load balancer sends ``GET HealthCheckPath`` to the target's health check port and compares the status with
the ``Matcher``; no answer within ``HealthCheckTimeoutSeconds`` is ``Target.Timeout``, a status outside the
matcher ``Target.ResponseCodeMismatch``, a refused or broken connection ``Target.FailedHealthChecks``. A
deregistered target is ``draining`` (``Target.DeregistrationInProgress``) for the target group's
``deregistration_delay.timeout_seconds``; a target group no listener forwards to has ``unused`` targets
(``Target.NotInUse``). States and reason codes: API_TargetHealth.html.

Intervals, timeouts and delays are emulated seconds: scaled by ``minute_seconds() / 60``, with floors so that
threads do not spin and a local request has time to answer.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from emulator import clock

INITIAL, HEALTHY, UNHEALTHY, UNUSED, DRAINING, UNAVAILABLE = (
    "initial",
    "healthy",
    "unhealthy",
    "unused",
    "draining",
    "unavailable",
)
# Descriptions as the ELB API returns them with each reason code.
DESCRIPTIONS = {
    "Elb.RegistrationInProgress": "Target registration is in progress",
    "Elb.InitialHealthChecking": "Initial health checks in progress",
    "Target.Timeout": "Request timed out",
    "Target.FailedHealthChecks": "Health checks failed",
    "Target.NotRegistered": "Target is not registered to the target group",
    "Target.NotInUse": "Target group is not configured to receive traffic from the load balancer",
    "Target.DeregistrationInProgress": "Target deregistration is in progress",
    "Target.HealthCheckDisabled": "Health checks disabled",
}
INTERVAL_FLOOR = 0.02  # seconds between checks of one target, at least
TIMEOUT_FLOOR = 0.5  # a check waits at least this long for an answer
MAX_SLEEP = 0.5  # the scheduler looks at the target groups at least this often
USER_AGENT = "ELB-HealthChecker/2.0"
_LOG = logging.getLogger(__name__)


def scaled(seconds: float, floor: float) -> float:
    """Real seconds for ``seconds`` emulated ones."""
    return max(float(seconds) * clock.minute_seconds() / 60.0, floor)


@dataclass(frozen=True)
class GroupSpec:
    """A target group's health check settings and targets, copied from moto under the engine lock."""

    arn: str
    vpc_id: str
    target_type: str
    protocol: str
    port: int | None
    check_protocol: str
    check_port: str
    check_path: str
    interval: float
    timeout: float
    healthy_threshold: int
    unhealthy_threshold: int
    matcher: str
    enabled: bool
    in_use: bool
    deregistration_delay: float
    targets: tuple[tuple[str, int], ...]  # (Id, Port) of the registered targets
    addresses: dict = field(default_factory=dict)  # (Id, Port) -> (loopback, port) to check, None if unreachable
    grace: float | None = None  # the ECS service's health check grace period, if an ECS service uses the group


@dataclass
class TargetState:
    state: str = INITIAL
    reason: str | None = "Elb.RegistrationInProgress"
    description: str | None = DESCRIPTIONS["Elb.RegistrationInProgress"]
    registered_at: float = field(default_factory=time.monotonic)
    successes: int = 0
    failures: int = 0
    next_check: float = 0.0
    probing: bool = False
    drain_until: float | None = None
    reported: bool = False  # the ECS reaction ran for this unhealthy spell

    def set(self, state: str, reason: str | None, description: str | None = None) -> None:
        self.state, self.reason = state, reason
        self.description = description if description is not None else DESCRIPTIONS.get(reason or "")


class HealthStore:
    """Thread-safe states of every target, by target group ARN and (Id, Port)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.groups: dict[str, dict[tuple[str, int], TargetState]] = {}

    def registered(self, group_arn: str, targets) -> None:
        """RegisterTargets: a new (or draining) target starts over as initial."""
        with self.lock:
            states = self.groups.setdefault(group_arn, {})
            for key in targets:
                current = states.get(key)
                if current is None or current.state == DRAINING:
                    states[key] = TargetState()

    def deregistered(self, group_arn: str, targets, delay: float) -> None:
        """DeregisterTargets: draining for the deregistration delay, then forgotten."""
        now = time.monotonic()
        with self.lock:
            states = self.groups.setdefault(group_arn, {})
            for key in targets:
                state = states.setdefault(key, TargetState())
                state.set(DRAINING, "Target.DeregistrationInProgress")
                state.drain_until = now + delay

    def forget_group(self, group_arn: str) -> None:
        with self.lock:
            self.groups.pop(group_arn, None)

    def clear(self) -> None:
        with self.lock:
            self.groups.clear()

    def snapshot(self, group_arn: str) -> dict[tuple[str, int], TargetState]:
        with self.lock:
            return {key: _copy(state) for key, state in self.groups.get(group_arn, {}).items()}

    def sync(self, spec: GroupSpec, now: float) -> list[tuple[str, int]]:
        """Bring the states in line with moto's registrations; return the targets due for a check."""
        due = []
        with self.lock:
            states = self.groups.setdefault(spec.arn, {})
            registered = set(spec.targets)
            for key in registered:
                state = states.get(key)
                if state is None:
                    states[key] = state = TargetState()
                if state.state == DRAINING:
                    continue  # deregistered after the snapshot; RegisterTargets starts it over
                if not spec.in_use:
                    # A group no listener uses is not checked; its targets start over once one does.
                    state.set(UNUSED, "Target.NotInUse")
                    continue
                if not spec.enabled:
                    state.set(UNAVAILABLE, "Target.HealthCheckDisabled")
                    continue
                if state.state in (UNUSED, UNAVAILABLE):
                    states[key] = state = TargetState()
                if not state.probing and now >= state.next_check:
                    state.probing = True
                    state.next_check = now + spec.interval
                    if state.state == INITIAL:
                        state.set(INITIAL, "Elb.InitialHealthChecking")
                    due.append(key)
            for key in list(states):
                state = states[key]
                if key not in registered and (state.drain_until is None or now >= state.drain_until):
                    del states[key]  # deregistered and drained (or gone without a DeregisterTargets)
        return due

    def record(self, spec: GroupSpec, key, ok: bool, reason: str | None, description: str | None):
        """Apply one check's result; return the state after it (a copy) or None if the target is gone."""
        with self.lock:
            state = self.groups.get(spec.arn, {}).get(key)
            if state is None or state.state in (DRAINING, UNUSED, UNAVAILABLE):
                if state is not None:
                    state.probing = False
                return None
            state.probing = False
            if ok:
                state.successes, state.failures = state.successes + 1, 0
                if state.state == INITIAL or (state.state == UNHEALTHY and state.successes >= spec.healthy_threshold):
                    state.set(HEALTHY, None, None)
                    state.description = None
                    state.reported = False
            else:
                state.successes, state.failures = 0, state.failures + 1
                if state.state == UNHEALTHY or state.failures >= spec.unhealthy_threshold:
                    state.set(UNHEALTHY, reason, description)
            return _copy(state)

    def mark_reported(self, group_arn: str, key) -> bool:
        """True the first time the ECS reaction runs for the target's current unhealthy spell."""
        with self.lock:
            state = self.groups.get(group_arn, {}).get(key)
            if state is None or state.reported:
                return False
            state.reported = True
            return True


def _copy(state: TargetState) -> TargetState:
    return TargetState(**vars(state))


def matches(matcher: str, status: int) -> bool:
    """The Matcher's HttpCode: "200", "200,202" or "200-299" (API_Matcher.html)."""
    for part in (matcher or "200").split(","):
        low, _sep, high = part.strip().partition("-")
        try:
            if int(low) <= status <= int(high or low):
                return True
        except ValueError:
            continue
    return False


def probe(spec: GroupSpec, address) -> tuple[bool, str | None, str | None]:
    """One health check: (passed, reason code, description)."""
    if address is None:
        # Nothing holds the target's IP: on AWS the connection attempt times out.
        return False, "Target.Timeout", DESCRIPTIONS["Target.Timeout"]
    host, port = address
    if spec.check_protocol == "HTTPS":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the ELB does not validate target certificates
        conn = http.client.HTTPSConnection(host, port, timeout=spec.timeout, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=spec.timeout)
    try:
        conn.request("GET", spec.check_path or "/", headers={"User-Agent": USER_AGENT, "Host": f"{host}:{port}"})
        response = conn.getresponse()
        response.read()
    except TimeoutError:
        return False, "Target.Timeout", DESCRIPTIONS["Target.Timeout"]
    except (OSError, http.client.HTTPException):
        return False, "Target.FailedHealthChecks", DESCRIPTIONS["Target.FailedHealthChecks"]
    finally:
        conn.close()
    if matches(spec.matcher, response.status):
        return True, None, None
    return False, "Target.ResponseCodeMismatch", f"Health checks failed with these codes: [{response.status}]"


class Checker:
    """One scheduler thread: takes a snapshot of the target groups, runs each due check in its own thread."""

    def __init__(self, store: HealthStore, snapshot: Callable[[], list[GroupSpec]], on_result: Callable):
        self.store = store
        self.snapshot = snapshot  # called without any lock held; takes the engine lock itself
        self.on_result = on_result  # (spec, key, state copy) after each check
        self.wake_event = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="elb-health-checks", daemon=True)
        self.thread.start()

    def wake(self) -> None:
        self.wake_event.set()

    def stop(self) -> None:
        self.stopped.set()
        self.wake_event.set()
        if self.thread is not threading.current_thread():
            self.thread.join(timeout=5)

    def _loop(self) -> None:
        while not self.stopped.is_set():
            sleep = MAX_SLEEP
            try:
                now = time.monotonic()
                for spec in self.snapshot():
                    for key in self.store.sync(spec, now):
                        self._start_probe(spec, key)
                    sleep = min(sleep, spec.interval)
            except Exception:  # noqa: BLE001 - a bad snapshot must not end health checking
                _LOG.exception("health check round failed")
            self.wake_event.wait(max(sleep, INTERVAL_FLOOR))
            self.wake_event.clear()

    def _start_probe(self, spec: GroupSpec, key) -> None:
        def run() -> None:
            ok, reason, description = probe(spec, spec.addresses.get(key))
            if self.stopped.is_set():
                return
            state = self.store.record(spec, key, ok, reason, description)
            if state is not None:
                try:
                    self.on_result(spec, key, state)
                except Exception:  # noqa: BLE001 - the reaction (ECS) must not stop health checks
                    _LOG.exception("reaction to a health check of %s failed", key)

        threading.Thread(target=run, name="elb-health-check", daemon=True).start()
