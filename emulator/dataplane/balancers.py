"""Application load balancers that route: an address per balancer, a socket per listener, health checks.

- Address: each application load balancer gets a loopback address of its own (``network.BOOK``, kind
  "load-balancer"; an internet-facing one also a public IP from 203.0.113.0/24, TEST-NET-3) and a private IP
  reserved in its first subnet. Its ``DNSName`` IS that loopback address (AWS answers a name that resolves to the
  nodes' addresses; here no resolver is involved, so ``curl http://<DNSName>:<port>`` works on any machine).
  AWS runs one node per enabled Availability Zone; here one address serves them all.
- Listeners: each listener listens on its port at that address (proxy.py): HTTP, or HTTPS with a certificate for
  the listener's ACM certificate (an imported certificate as imported; a requested one re-issued for its domain
  names by the emulator's local CA, ``ca_pem()``, since moto's stand-in is signed by no real CA). Requests follow
  the listener's default action as it is when they arrive: ``forward`` by the target groups' weights (smooth
  weighted round robin, so a 10 % weight is exactly 1 request in 10), ``fixed-response``, ``redirect``.
  Listener rules other than the default are not evaluated.
- Targets: in the chosen group, round robin over the healthy targets; with none healthy but some unhealthy, over
  those (ALB fails open: "If a target group contains only unhealthy registered targets, the load balancer routes
  requests to all those targets", target-group-health-checks.html); with neither (no targets, or all still
  initial or draining), 503. An IP target's private IP maps to the loopback of the interface holding it
  (``BOOK.by_private_ip``).
- Security groups: firewall.py, evaluated when a connection is accepted.
- Health checks: health.py; ``DescribeTargetHealth`` reports them (``describe_target_health``), and so does
  ``target_states`` for the CodeDeploy engine. When a task's target stays unhealthy past its ECS service's
  ``healthCheckGracePeriodSeconds`` (counted from the target's registration), the task is stopped with ECS's
  reason "Task failed ELB health checks in (target-group <arn>)"
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html, health check grace
  period: API_CreateService.html).

Threads read moto's backends under the engine lock (``emulator.bluegreen.codedeploy_engine.LOCK``), never doing I/O while
holding it; the patch hooks below run inside moto requests, which already hold it, and never wait for a thread
that may be waiting for it. Everything stops with ``dataplane.stop_all()``.
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import ipaddress
import itertools
import logging
import os
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from emulator import dataplane
from emulator.dataplane import firewall, health, network
from emulator.dataplane.proxy import Admission, Fixed, Forward, ListenerServer, error_page

_LOG = logging.getLogger(__name__)
PUBLIC_RANGE = ipaddress.IPv4Network("203.0.113.0/24")
STOPPED_REASON = "Task failed ELB health checks in (target-group {arn})"
STORE = health.HealthStore()
RELOCATIONS = 16  # addresses a balancer tries when another process holds its listener's port


def _engine_lock():
    from emulator.bluegreen.codedeploy_engine import LOCK  # noqa: PLC0415 - bluegreen imports the patches that import us

    return LOCK


def _elbv2(account: str, region: str):
    from moto.elbv2.models import elbv2_backends  # noqa: PLC0415

    return elbv2_backends[account][region]


def _ec2(account: str, region: str):
    from moto.ec2.models import ec2_backends  # noqa: PLC0415

    return ec2_backends[account][region]


@dataclass
class _Listener:
    server: ListenerServer | None
    signature: tuple


@dataclass
class _Node:
    arn: str
    account: str
    region: str
    interface: network.Interface
    subnet_id: str
    eni_id: str | None
    listeners: dict[str, _Listener] = field(default_factory=dict)


class _Swrr:
    """Smooth weighted round robin (nginx): over any ``sum(weights)`` picks, each key exactly ``weight`` times."""

    def __init__(self, weights: tuple[tuple[str, int], ...]):
        self.weights = weights
        self.current = dict.fromkeys((key for key, _weight in weights), 0)

    def pick(self) -> str | None:
        total = sum(weight for _key, weight in self.weights)
        if total <= 0:
            return None
        for key, weight in self.weights:
            self.current[key] += weight
        best = max(self.weights, key=lambda item: self.current[item[0]])[0]
        self.current[best] -= total
        return best


class _Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.nodes: dict[str, _Node] = {}
        self.backends: set[tuple[str, str]] = set()
        self.checker: health.Checker | None = None
        self.registered = False
        self.swrr: dict[str, _Swrr] = {}
        self.round_robin: dict[str, itertools.count] = {}
        self.public_ips = iter(())


_REG = _Registry()


def _ensure_running(account: str, region: str) -> None:
    """Register the stopper with the data plane and start the health checker (idempotent)."""
    with _REG.lock:
        _REG.backends.add((account, region))
        if not _REG.registered:
            dataplane.on_stop(stop_all)
            _REG.registered = True
        if _REG.checker is None:
            _REG.checker = health.Checker(STORE, _specs, _react)
        checker = _REG.checker
    checker.wake()


def stop_all() -> None:
    """Stop every listener and the health checker; forget every balancer address and target state."""
    with _REG.lock:
        nodes = list(_REG.nodes.values())
        _REG.nodes.clear()
        _REG.backends.clear()
        _REG.swrr.clear()
        _REG.round_robin.clear()
        checker, _REG.checker = _REG.checker, None
        _REG.registered = False
        _REG.public_ips = iter(())
    for node in nodes:
        _stop_node(node)
    if checker is not None:
        checker.stop()
    STORE.clear()


def _stop_node(node: _Node) -> None:
    for listener in node.listeners.values():
        if listener.server is not None:
            listener.server.stop()
    node.listeners.clear()
    network.BOOK.release(node.interface.loopback)


# -- hooks for the ELBv2 patches (called inside moto requests) ------------------------------------------------


def balancer_created(backend, balancer) -> None:
    """CreateLoadBalancer: an address for an application load balancer; its DNSName is that address."""
    if balancer.type != "application" or not balancer.subnets:
        return
    subnet = balancer.subnets[0]
    eni = _node_eni(backend.ec2_backend, balancer, subnet)
    private_ip = eni.private_ip_address if eni is not None else str(next(iter(subnet.cidr.hosts())))
    public_ip = _next_public_ip() if balancer.scheme != "internal" else None
    interface = _allocate(balancer, subnet.id, private_ip, public_ip)
    balancer.dns_name = interface.loopback
    node = _Node(balancer.arn, backend.account_id, backend.region_name, interface, subnet.id, eni.id if eni else None)
    with _REG.lock:
        _REG.nodes[balancer.arn] = node
    _ensure_running(backend.account_id, backend.region_name)
    for listener in list(balancer.listeners.values()):
        listener_changed(backend, listener)


def balancer_deleted(backend, arn: str) -> None:
    """DeleteLoadBalancer: its listeners stop, its addresses are released."""
    with _REG.lock:
        node = _REG.nodes.pop(arn, None)
    if node is None:
        return
    _stop_node(node)
    if node.eni_id:
        try:
            backend.ec2_backend.delete_network_interface(node.eni_id)
        except Exception:  # noqa: BLE001 - already gone
            pass
    _wake()


def _node_eni(ec2, balancer, subnet):
    """The node's network interface, as ELB creates one per subnet ("ELB app/<name>/<id>", the balancer's
    security groups; https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html),
    on a private IP no other interface holds."""
    used = {eni.private_ip_address for eni in list(ec2.enis.values())}
    hosts = subnet.cidr.hosts()
    for _reserved in range(3):  # AWS reserves the first four (.0 is not a host) and the last address of a subnet
        next(hosts, None)
    private_ip = next((str(ip) for ip in hosts if str(ip) not in used), None)
    balancer_id = balancer.arn.split("loadbalancer/", 1)[-1]
    try:
        return ec2.create_network_interface(
            subnet=subnet,
            private_ip_address=private_ip,
            group_ids=list(balancer.security_groups or []),
            description=f"ELB {balancer_id}",
        )
    except Exception:  # noqa: BLE001 - e.g. a security group moto does not know; the node still gets an address
        _LOG.warning("no network interface for load balancer %s", balancer.arn, exc_info=True)
        return None


def listener_changed(backend, listener) -> None:
    """CreateListener / ModifyListener: (re)start the listener's socket when its port, protocol or certificate change."""
    with _REG.lock:
        node = _REG.nodes.get(listener.load_balancer_arn)
        _REG.swrr.pop(listener.arn, None)
    if node is None:
        return
    signature = (int(listener.port), listener.protocol, listener.certificate)
    current = node.listeners.get(listener.arn)
    if current is not None and current.signature == signature:
        _wake()
        return
    if current is not None and current.server is not None:
        current.server.stop()
    node.listeners[listener.arn] = _Listener(None, signature)
    for _attempt in range(RELOCATIONS):
        try:
            node.listeners[listener.arn].server = _start_listener(backend, node, listener)
            break
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                _LOG.warning("listener %s cannot listen on %s: %s", listener.arn, node.interface.loopback, err)
                break
            _relocate(backend, node)  # another emulator on this machine holds the address
        except Exception:  # noqa: BLE001 - e.g. a certificate TLS cannot load: the API call still succeeds, as on AWS
            _LOG.warning("listener %s cannot start", listener.arn, exc_info=True)
            break
    _wake()


def _allocate(balancer, subnet_id: str, private_ip: str, public_ip: str | None) -> network.Interface:
    """A loopback address nothing on this machine listens on yet (other emulators share the range)."""
    busy = _listening_addresses()
    burnt = []
    try:
        while True:
            interface = network.BOOK.allocate(
                "load-balancer", balancer.arn, balancer.vpc_id, subnet_id, private_ip, public_ip
            )
            if interface.loopback not in busy or len(burnt) >= RELOCATIONS:
                return interface
            burnt.append(interface.loopback)
    finally:
        for address in burnt:
            network.BOOK.release(address)


def _listening_addresses() -> set[str]:
    """IPv4 addresses with a listening TCP socket, from /proc/net/tcp (Linux; elsewhere: none known)."""
    try:
        lines = Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]
    except OSError:
        return set()
    found = set()
    for line in lines:
        fields = line.split()
        if len(fields) > 3 and fields[3] == "0A":  # TCP_LISTEN
            found.add(str(ipaddress.IPv4Address(int(fields[1].split(":")[0], 16).to_bytes(4, "little"))))
    return found


def _relocate(backend, node: _Node) -> None:
    """Move the balancer (and its running listeners) to a fresh address; its DNSName follows."""
    balancer = backend.load_balancers.get(node.arn)
    old = node.interface
    node.interface = _allocate(balancer, old.subnet_id, old.private_ip, old.public_ip)
    network.BOOK.release(old.loopback)
    balancer.dns_name = node.interface.loopback
    for arn, current in node.listeners.items():
        if current.server is None:
            continue
        current.server.stop()
        try:
            current.server = _start_listener(backend, node, balancer.listeners[arn])
        except Exception:  # noqa: BLE001 - as in listener_changed
            current.server = None


def listener_deleted(listener_arn: str) -> None:
    """DeleteListener: the socket closes."""
    with _REG.lock:
        nodes = list(_REG.nodes.values())
        _REG.swrr.pop(listener_arn, None)
    for node in nodes:
        current = node.listeners.pop(listener_arn, None)
        if current is not None and current.server is not None:
            current.server.stop()
    _wake()


def targets_registered(backend, group_arn: str, targets) -> None:
    """RegisterTargets: the targets start as initial (Elb.RegistrationInProgress)."""
    group = backend.target_groups.get(group_arn)
    STORE.registered(group_arn, [_key(group, t) for t in targets])
    _ensure_running(backend.account_id, backend.region_name)


def targets_deregistered(backend, group_arn: str, targets) -> None:
    """DeregisterTargets: draining for the group's deregistration delay (emulated seconds)."""
    group = backend.target_groups.get(group_arn)
    delay = float((group.attributes if group else {}).get("deregistration_delay.timeout_seconds", 300))
    STORE.deregistered(group_arn, [_key(group, t) for t in targets], health.scaled(delay, 0.0))
    _wake()


def target_group_deleted(group_arn: str) -> None:
    STORE.forget_group(group_arn)


def describe_target_health(backend, group, targets) -> list:
    """DescribeTargetHealth from the health checks (API_DescribeTargetHealth.html, API_TargetHealth.html).

    Without ``Targets``: every registered target and those still draining.
    """
    from moto.elbv2.models import FakeHealthStatus  # noqa: PLC0415

    registered = {(t["Id"], int(t["Port"])): t for t in group.targets.values()}
    states = STORE.snapshot(group.arn)
    if targets:
        keys = [_requested_key(group, registered, t) for t in targets]
    else:
        keys = list(registered) + [k for k, s in states.items() if k not in registered and s.state == health.DRAINING]
    in_use = group.arn in _used_groups(backend)
    result = []
    for key in keys:
        state = _reported_state(group, key, key in registered, in_use, states.get(key))
        check_port = str(key[1]) if group.health_check_port in (None, "traffic-port") else group.health_check_port
        result.append(FakeHealthStatus(key[0], key[1], check_port, state.state, state.reason, state.description))
    return result


def target_states(target_group_arn: str) -> dict[tuple[str, int], str]:
    """{(target Id, port): state} of the group's registered and draining targets, as the health checks found them."""
    return {key: state.state for key, state in STORE.snapshot(target_group_arn).items()}


# -- state helpers -----------------------------------------------------------------------------------------


def _reported_state(group, key, is_registered: bool, in_use: bool, state):
    if not is_registered:
        if state is not None and state.state == health.DRAINING:
            return state
        return _fixed_state(health.UNUSED, "Target.NotRegistered")
    if not in_use:
        return _fixed_state(health.UNUSED, "Target.NotInUse")
    if not group.health_check_enabled:
        return _fixed_state(health.UNAVAILABLE, "Target.HealthCheckDisabled")
    if state is None or state.state in (health.UNUSED, health.UNAVAILABLE, health.DRAINING):
        return health.TargetState()  # just registered (or newly in use): checks have not started
    return state


def _fixed_state(state: str, reason: str) -> health.TargetState:
    result = health.TargetState()
    result.set(state, reason)
    return result


def _key(group, target: dict) -> tuple[str, int]:
    port = target.get("Port") or (group.port if group is not None else 0)
    return target["Id"], int(port or 0)


def _requested_key(group, registered, target: dict) -> tuple[str, int]:
    if target.get("Port"):
        return target["Id"], int(target["Port"])
    same_id = [key for key in registered if key[0] == target["Id"]]
    return same_id[0] if same_id else _key(group, target)


def _next_public_ip() -> str:
    with _REG.lock:
        address = next(_REG.public_ips, None)
        if address is None:
            _REG.public_ips = iter(PUBLIC_RANGE.hosts())
            address = next(_REG.public_ips)
        return str(address)


def _wake() -> None:
    with _REG.lock:
        checker = _REG.checker
    if checker is not None:
        checker.wake()


def _used_groups(backend) -> set[str]:
    """Target groups some listener (default action or rule) forwards to, weight 0 included."""
    used = set()
    for balancer in list(backend.load_balancers.values()):
        for listener in list(balancer.listeners.values()):
            actions = list(listener.default_actions or [])
            for rule in list(listener.rules.values()):
                actions.extend(getattr(rule, "actions", None) or [])
            for action in actions:
                used.update(arn for arn, _weight in _forward_weights(getattr(action, "data", {}) or {}))
    return used


def _forward_weights(data: dict) -> tuple[tuple[str, int], ...]:
    """(target group ARN, weight) of a forward action (API_ForwardActionConfig.html; a lone TargetGroupArn: 1)."""
    if str(data.get("Type", "")).lower() != "forward":
        return ()
    groups = (data.get("ForwardConfig") or {}).get("TargetGroups") or []
    if groups:
        return tuple((g["TargetGroupArn"], int(g.get("Weight", 1) or 0)) for g in groups if g.get("TargetGroupArn"))
    return ((data["TargetGroupArn"], 1),) if data.get("TargetGroupArn") else ()


def _address(account: str, region: str, group, target_id: str, port: int) -> tuple[str, int] | None:
    """The loopback address and port that reach a target, or None if no interface holds its IP."""
    private_ip = target_id
    if group.target_type == "instance":
        instance = _ec2(account, region).get_instance_by_id(target_id)
        private_ip = getattr(instance, "private_ip", None)
    interface = network.BOOK.by_private_ip(group.vpc_id, private_ip) if private_ip else None
    return (interface.loopback, port) if interface is not None else None


# -- health check snapshots and the ECS reaction ----------------------------------------------------------------


def _specs() -> list[health.GroupSpec]:
    with _REG.lock:
        backends = list(_REG.backends)
    specs = []
    with _engine_lock():
        for account, region in backends:
            backend = _elbv2(account, region)
            used = _used_groups(backend)
            graces = _graces(account, region)
            for group in list(backend.target_groups.values()):
                if group.target_type == "lambda" or (group.health_check_protocol or "HTTP") not in ("HTTP", "HTTPS"):
                    continue
                specs.append(_spec(account, region, group, group.arn in used, graces.get(group.arn)))
    return specs


def _spec(account, region, group, in_use: bool, grace) -> health.GroupSpec:
    targets = tuple((t["Id"], int(t["Port"])) for t in list(group.targets.values()))
    check_port = group.health_check_port
    addresses = {}
    for target_id, port in targets:
        port_to_check = port if check_port in (None, "traffic-port") else int(check_port)
        addresses[(target_id, port)] = _address(account, region, group, target_id, port_to_check)
    return health.GroupSpec(
        arn=group.arn,
        vpc_id=group.vpc_id,
        target_type=group.target_type,
        protocol=group.protocol or "HTTP",
        port=int(group.port) if group.port else None,
        check_protocol=group.health_check_protocol or "HTTP",
        check_port=str(check_port),
        check_path=group.health_check_path or "/",
        interval=health.scaled(int(group.health_check_interval_seconds), health.INTERVAL_FLOOR),
        timeout=health.scaled(int(group.health_check_timeout_seconds), health.TIMEOUT_FLOOR),
        healthy_threshold=int(group.healthy_threshold_count),
        unhealthy_threshold=int(group.unhealthy_threshold_count),
        matcher=(getattr(group, "matcher", None) or {}).get("HttpCode", "200"),
        enabled=bool(group.health_check_enabled),
        in_use=in_use,
        deregistration_delay=float(group.attributes.get("deregistration_delay.timeout_seconds", 300)),
        targets=targets,
        addresses=addresses,
        grace=grace,
    )


def _graces(account: str, region: str) -> dict[str, int]:
    """{target group ARN: healthCheckGracePeriodSeconds} of the ACTIVE ECS services using the group."""
    from moto.ecs.models import ecs_backends  # noqa: PLC0415

    graces = {}
    for service in list(ecs_backends[account][region].services.values()):
        if service.status != "ACTIVE":
            continue
        grace = int(getattr(service, "health_check_grace_period_seconds", None) or 0)
        balancers = list(service.load_balancers or [])
        for task_set in [*(service.task_sets or []), *getattr(service, "emulator_revisions", ())]:
            balancers.extend(task_set.load_balancers or [])
        for balancer in balancers:
            if balancer.get("targetGroupArn"):
                graces[balancer["targetGroupArn"]] = grace
    return graces


def _react(spec: health.GroupSpec, key, state: health.TargetState) -> None:
    """ECS stops a service's task whose target is unhealthy once the grace period is over."""
    if state.state != health.UNHEALTHY or spec.grace is None:
        return
    if time.monotonic() - state.registered_at < health.scaled(spec.grace, 0.0):
        return
    interface = network.BOOK.by_private_ip(spec.vpc_id, key[0])
    if interface is None or interface.kind != "task":
        return
    try:
        from emulator.dataplane import tasks  # noqa: PLC0415 - part F's module; absent, nothing runs tasks
    except ImportError:
        return
    if STORE.mark_reported(spec.arn, key):
        tasks.stop_task(interface.owner, STOPPED_REASON.format(arn=spec.arn))


# -- listeners ---------------------------------------------------------------------------------------------------


def _start_listener(backend, node: _Node, listener) -> ListenerServer | None:
    port, protocol = int(listener.port), listener.protocol
    if protocol not in ("HTTP", "HTTPS"):
        return None
    account, region, listener_arn, balancer_arn = node.account, node.region, listener.arn, node.arn
    context = _ssl_context(backend, listener) if protocol == "HTTPS" else None

    def admit(peer: str) -> Admission:
        return _admit(account, region, balancer_arn, port, peer)

    def route(path: str, host: str) -> Forward | Fixed:
        return _route(account, region, balancer_arn, listener_arn, path, host)

    return ListenerServer(node.interface.loopback, port, protocol, admit, route, context)


def _admit(account: str, region: str, balancer_arn: str, port: int, peer: str) -> Admission:
    with _engine_lock():
        balancer = _elbv2(account, region).load_balancers.get(balancer_arn)
        if balancer is None:
            return Admission(False)
        ec2 = _ec2(account, region)
        source = firewall.source_for(ec2, balancer, peer)
        if source is None or not firewall.admits(ec2, balancer, port, source):
            return Admission(False)
        idle = float(balancer.attrs.get("idle_timeout.timeout_seconds") or 60)
        return Admission(True, source.ip, idle)


def _route(account, region, balancer_arn, listener_arn, path: str, host: str) -> Forward | Fixed:
    with _engine_lock():
        backend = _elbv2(account, region)
        balancer = backend.load_balancers.get(balancer_arn)
        listener = balancer.listeners.get(listener_arn) if balancer is not None else None
        if listener is None:
            return error_page(503)
        actions = sorted(listener.default_actions or [], key=lambda a: int((a.data or {}).get("Order") or 0))
        data = next((a.data for a in actions if not str(a.data.get("Type", "")).startswith("authenticate")), {})
        kind = str(data.get("Type", "")).lower()
        if kind == "fixed-response":
            return _fixed_response(data.get("FixedResponseConfig") or {})
        if kind == "redirect":
            return _redirect(data.get("RedirectConfig") or {}, listener, path, host)
        weights = tuple((arn, weight) for arn, weight in _forward_weights(data) if arn in backend.target_groups)
        group_arn = _pick_group(listener_arn, weights)
        group = backend.target_groups.get(group_arn) if group_arn else None
        if group is None:
            return error_page(503)
        target = _pick_target(group)
        if target is None:
            return error_page(503)
        return Forward(_address(account, region, group, *target), group.protocol or "HTTP")


def _pick_group(listener_arn: str, weights) -> str | None:
    with _REG.lock:
        swrr = _REG.swrr.get(listener_arn)
        if swrr is None or swrr.weights != weights:
            swrr = _REG.swrr[listener_arn] = _Swrr(weights)
        return swrr.pick()


def _pick_target(group) -> tuple[str, int] | None:
    """Round robin over the healthy targets; fail open over the unhealthy ones when none is healthy."""
    states = STORE.snapshot(group.arn)
    registered = [(t["Id"], int(t["Port"])) for t in list(group.targets.values())]
    if not group.health_check_enabled:
        candidates = registered
    else:
        healthy = [k for k in registered if k in states and states[k].state == health.HEALTHY]
        candidates = healthy or [k for k in registered if k in states and states[k].state == health.UNHEALTHY]
    if not candidates:
        return None
    with _REG.lock:
        counter = _REG.round_robin.setdefault(group.arn, itertools.count())
        return candidates[next(counter) % len(candidates)]


def _fixed_response(config: dict) -> Fixed:
    """fixed-response (API_FixedResponseActionConfig.html)."""
    return Fixed(
        int(config.get("StatusCode") or 200),
        str(config.get("MessageBody") or "").encode(),
        config.get("ContentType") or "text/plain",
    )


def _redirect(config: dict, listener, path: str, host: str) -> Fixed:
    """redirect (API_RedirectActionConfig.html): #{protocol}, #{host}, #{port}, #{path}, #{query} keep the request's."""
    request_path, _sep, query = path.partition("?")
    values = {
        "#{protocol}": listener.protocol.lower(),
        "#{host}": host.split(":")[0],
        "#{port}": str(listener.port),
        "#{path}": request_path[1:] if request_path.startswith("/") else request_path,  # without its "/"
        "#{query}": query,
    }

    def fill(key: str, default: str) -> str:
        text = str(config.get(key) or default)
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text

    protocol = fill("Protocol", "#{protocol}").lower()
    port = fill("Port", "#{port}")
    default_port = {"http": "80", "https": "443"}.get(protocol)
    location = f"{protocol}://{fill('Host', '#{host}')}{'' if port == default_port else ':' + port}"
    location += fill("Path", "/#{path}")
    query_text = fill("Query", "#{query}")
    if query_text:
        location += f"?{query_text}"
    status = 302 if str(config.get("StatusCode", "HTTP_301")).endswith("302") else 301
    return Fixed(status, b"", "text/html", location)


# -- TLS ----------------------------------------------------------------------------------------------------------

_CA_LOCK = threading.Lock()
_CA: list = []  # [(key, certificate)] once generated


def ca_pem() -> bytes:
    """The emulator's local CA (PEM): trust it to verify an HTTPS listener whose ACM certificate was requested."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    return _local_ca()[1].public_bytes(serialization.Encoding.PEM)


def ca_file() -> Path:
    """Where the local CA's certificate is written: <EMULATOR_STATE_DIR or .emulator>/elb-local-ca.pem."""
    return Path(os.environ.get("EMULATOR_STATE_DIR") or ".emulator") / "elb-local-ca.pem"


def _local_ca():
    """(key, certificate) of the local CA, one per state directory: every process that issues or trusts a local
    certificate (the emulator, its RDS servers, tests, benchmarks) loads the same one from disk, and the first to
    need it makes it under a file lock. Local only: the key sits beside the certificate in the state directory."""
    with _CA_LOCK:
        if not _CA:
            _CA.append(_load_or_make_ca(ca_file()))
        return _CA[0]


def _load_or_make_ca(cert_path: Path):
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    key_path = cert_path.with_suffix(".key")
    try:
        cert_path.parent.mkdir(parents=True, exist_ok=True)
        with open(cert_path.with_suffix(".lock"), "a", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if cert_path.exists() and key_path.exists():
                key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
                return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
            key, cert = _make_ca()
            key_path.touch(mode=0o600)
            key_path.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            return key, cert
    except (OSError, ValueError) as err:
        _LOG.warning("cannot share the local CA through %s (%s): this process uses its own", cert_path, err)
        return _make_ca()


def _make_ca():
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bluegreen.ecs emulator local CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _issue(domains: list[str]) -> tuple[bytes, bytes]:
    """A certificate for ``domains`` signed by the local CA: (certificate PEM, key PEM)."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    ca_key, ca_cert = _local_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    names = [x509.DNSName(d) for d in dict.fromkeys(domains) if d]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domains[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=395))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _ssl_context(backend, listener) -> ssl.SSLContext | None:
    """The listener's default certificate: an imported one as is (with its chain), a requested one re-issued."""
    from moto.acm.models import AWS_ROOT_CA, acm_backends  # noqa: PLC0415

    try:
        bundle = acm_backends[backend.account_id][backend.region_name].get_certificate(listener.certificate)
    except Exception:  # noqa: BLE001 - an IAM server certificate or a deleted one
        bundle = None
    if bundle is not None and bundle.type == "IMPORTED":
        chain = bundle.chain.replace(AWS_ROOT_CA, b"").strip()
        cert_pem, key_pem = bundle.cert.strip() + b"\n" + (chain + b"\n" if chain else b""), bundle.key
    else:
        domains = (
            [bundle.common_name, *bundle.sans] if bundle is not None else [listener.load_balancer_arn.split("/")[-2]]
        )
        cert_pem, key_pem = _issue([str(d) for d in domains])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as directory:
        cert_file, key_file = Path(directory, "cert.pem"), Path(directory, "key.pem")
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        context.load_cert_chain(cert_file, key_file)
    return context
