"""The load balancers' data plane: listeners that listen, weighted forwarding, health checks, security groups."""

import http.client
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emulator import clock
from emulator.dataplane import balancers, network
from emulator.server import EmulatorServer

DEADLINE = 15.0


def eventually(check, timeout=DEADLINE, interval=0.02):
    """Poll ``check`` until it returns something truthy; fail with its last value after ``timeout``."""
    end = time.monotonic() + timeout
    value = None
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout} s (last value: {value!r})")


class Target:
    """A stand-in for a task: an HTTP server on its own interface's loopback address."""

    def __init__(self, vpc, subnet, private_ip, body=b"ok"):
        self.interface = network.BOOK.allocate("task", f"arn:task/{private_ip}", vpc, subnet, private_ip)
        # The last request's headers per path: health checks (/health) run meanwhile and must not hide a forwarded one.
        self.status, self.body, self.hits, self.headers_by_path = 200, body, 0, {}
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                target.hits += 1
                target.headers_by_path[self.path] = dict(self.headers)
                self.send_response(target.status)
                self.send_header("Content-Length", str(len(target.body)))
                self.end_headers()
                self.wfile.write(target.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((self.interface.loopback, 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def ip(self):
        return self.interface.private_ip

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fast():
    clock.set_minute_seconds(0.6)  # 1 emulated second = 10 ms
    yield
    clock.set_minute_seconds(None)


@pytest.fixture
def targets():
    made = []

    def make(*args, **kwargs):
        made.append(Target(*args, **kwargs))
        return made[-1]

    yield make
    for target in made:
        target.close()


@pytest.fixture
def net(aws):
    """A VPC with a public subnet (NAT gateway) and an app subnet routed to it, and an open ALB security group."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    app = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=table, SubnetId=app)
    open_sg = security_group(ec2, vpc, "open", [("0.0.0.0/0", 8080)])
    return {
        "ec2": ec2,
        "elbv2": aws("elbv2"),
        "vpc": vpc,
        "subnets": [public, app],
        "app": app,
        "sg": open_sg,
        "nat_ip": eip["PublicIp"],
    }


def security_group(ec2, vpc, name, rules):
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    for cidr, port in rules:
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}],
        )
    return group


def balancer(net, name="alb", scheme="internet-facing", groups=None):
    lb = net["elbv2"].create_load_balancer(
        Name=name, Subnets=net["subnets"], SecurityGroups=groups or [net["sg"]], Scheme=scheme, Type="application"
    )["LoadBalancers"][0]
    return lb


def target_group(net, name, interval=5, healthy=2, unhealthy=2, **kwargs):
    return net["elbv2"].create_target_group(
        Name=name,
        Protocol="HTTP",
        Port=8000,
        VpcId=net["vpc"],
        TargetType="ip",
        HealthCheckPath="/health",
        HealthCheckIntervalSeconds=interval,
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=healthy,
        UnhealthyThresholdCount=unhealthy,
        **kwargs,
    )["TargetGroups"][0]["TargetGroupArn"]


def forward(weights):
    return [
        {
            "Type": "forward",
            "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": arn, "Weight": w} for arn, w in weights.items()]},
        }
    ]


def listener(net, lb, port, weights, protocol="HTTP", **kwargs):
    return net["elbv2"].create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol=protocol, Port=port, DefaultActions=forward(weights), **kwargs
    )["Listeners"][0]["ListenerArn"]


def register(net, group, *members):
    net["elbv2"].register_targets(TargetGroupArn=group, Targets=[{"Id": m.ip, "Port": m.port} for m in members])


def health(net, group, **kwargs):
    found = net["elbv2"].describe_target_health(TargetGroupArn=group, **kwargs)["TargetHealthDescriptions"]
    return {(d["Target"]["Id"], d["Target"]["Port"]): d["TargetHealth"] for d in found}


def states(net, group):
    return {key: value["State"] for key, value in health(net, group).items()}


def get(host, port, path="/", source=None, timeout=5):
    conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0) if source else None)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def refused(host, port, source=None):
    """True if the listener resets the connection (a security group does not admit the caller)."""
    try:
        get(host, port, source=source)
    except (ConnectionResetError, ConnectionRefusedError, BrokenPipeError, http.client.RemoteDisconnected):
        return True
    return False


def listening(host, port):
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


def healthy_blue_green(net, targets, blue_body=b"blue", green_body=b"green"):
    blue_tg, green_tg = target_group(net, "blue"), target_group(net, "green")
    blue = targets(net["vpc"], net["app"], "10.0.1.10", blue_body)
    green = targets(net["vpc"], net["app"], "10.0.1.11", green_body)
    register(net, blue_tg, blue)
    register(net, green_tg, green)
    return blue_tg, green_tg, blue, green


# -- addresses and listeners ------------------------------------------------------------------------------------


def test_each_balancer_has_its_own_loopback_address_as_dns_name(net, targets, fast):
    first, second = balancer(net, "first"), balancer(net, "second")
    group = target_group(net, "tg")
    member = targets(net["vpc"], net["app"], "10.0.1.10")
    register(net, group, member)
    listener(net, first, 8080, {group: 1})
    listener(net, second, 8080, {group: 1})

    addresses = {first["DNSName"], second["DNSName"]}
    assert len(addresses) == 2
    assert all(network.BOOK.lookup(a).kind == "load-balancer" for a in addresses)
    assert all(a.startswith("127.") and a != "127.0.0.1" for a in addresses)
    assert not listening("127.0.0.1", 8080)
    described = net["elbv2"].describe_load_balancers(Names=["first"])["LoadBalancers"][0]
    assert described["DNSName"] == first["DNSName"]
    eventually(lambda: states(net, group) == {(member.ip, member.port): "healthy"})
    for lb in (first, second):
        assert get(lb["DNSName"], 8080)[0] == 200


def test_forwarding_adds_the_alb_headers(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg")
    member = targets(net["vpc"], net["app"], "10.0.1.10", b"hello")
    register(net, group, member)
    listener(net, lb, 8080, {group: 1})
    eventually(lambda: states(net, group) == {(member.ip, member.port): "healthy"})

    status, body, _headers = get(lb["DNSName"], 8080, "/version")

    assert (status, body) == (200, b"hello")
    headers = member.headers_by_path["/version"]
    assert headers["X-Forwarded-For"] == network.client_public_ip()
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Forwarded-Port"] == "8080"
    assert headers["X-Amzn-Trace-Id"].startswith("Root=1-")


def test_the_balancer_node_has_an_elb_network_interface_until_deleted(net):
    lb = balancer(net)
    enis = net["ec2"].describe_network_interfaces(Filters=[{"Name": "description", "Values": ["ELB app/alb/*"]}])
    found = [e for e in enis["NetworkInterfaces"] if e["Description"].startswith("ELB app/alb/")]
    assert len(found) == 1
    assert found[0]["PrivateIpAddress"] == network.BOOK.lookup(lb["DNSName"]).private_ip

    net["elbv2"].delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])

    enis = net["ec2"].describe_network_interfaces()["NetworkInterfaces"]
    assert not [e for e in enis if (e.get("Description") or "").startswith("ELB app/alb/")]
    assert network.BOOK.lookup(lb["DNSName"]) is None


def test_listener_moves_with_modify_listener_and_stops_with_delete(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg")
    arn = listener(net, lb, 8080, {group: 1})
    assert listening(lb["DNSName"], 8080)

    net["elbv2"].modify_listener(ListenerArn=arn, Port=8081)

    assert listening(lb["DNSName"], 8081)
    assert not listening(lb["DNSName"], 8080)
    net["elbv2"].delete_listener(ListenerArn=arn)
    assert not listening(lb["DNSName"], 8081)


def test_a_second_listener_on_the_same_port_is_refused(net):
    lb = balancer(net)
    group = target_group(net, "tg")
    listener(net, lb, 8080, {group: 1})
    other = listener(net, lb, 8081, {group: 1})

    with pytest.raises(net["elbv2"].exceptions.DuplicateListenerException):
        listener(net, lb, 8080, {group: 1})
    with pytest.raises(net["elbv2"].exceptions.DuplicateListenerException):
        net["elbv2"].modify_listener(ListenerArn=other, Port=8080)


def test_everything_stops_with_the_emulator(reset, targets):
    reset()  # moto's backends are shared by every server in this process
    clock.set_minute_seconds(0.6)
    server = EmulatorServer(port=0, quiet=True)
    server.start()
    try:
        import boto3

        creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
        ec2 = boto3.client("ec2", endpoint_url=server.endpoint, **creds)
        elbv2 = boto3.client("elbv2", endpoint_url=server.endpoint, **creds)
        vpc = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.7.0.0/24")["Subnet"]["SubnetId"]
        group = security_group(ec2, vpc, "open", [("0.0.0.0/0", 8080)])
        lb = elbv2.create_load_balancer(Name="stops", Subnets=[subnet], SecurityGroups=[group])["LoadBalancers"][0]
        tg = elbv2.create_target_group(Name="tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
        tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
        member = targets(vpc, subnet, "10.7.0.10")
        elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": member.ip, "Port": member.port}])
        elbv2.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=8080, DefaultActions=forward({tg_arn: 1})
        )
        assert listening(lb["DNSName"], 8080)
        eventually(lambda: any(t.name == "elb-health-checks" for t in threading.enumerate()))
    finally:
        server.stop()
        clock.set_minute_seconds(None)

    assert not listening(lb["DNSName"], 8080)
    eventually(lambda: not [t for t in threading.enumerate() if t.name.startswith("elb-")])


# -- routing --------------------------------------------------------------------------------------------------------


def test_weights_90_10_give_exactly_90_and_10_of_100_requests(net, targets, fast):
    lb = balancer(net)
    blue_tg, green_tg, blue, green = healthy_blue_green(net, targets)
    arn = listener(net, lb, 8080, {blue_tg: 1, green_tg: 0})  # weight 0: in use (health checked), no traffic
    eventually(lambda: set(states(net, blue_tg).values()) == {"healthy"} == set(states(net, green_tg).values()))
    assert {get(lb["DNSName"], 8080)[1] for _request in range(10)} == {b"blue"}

    net["elbv2"].modify_listener(ListenerArn=arn, DefaultActions=forward({blue_tg: 90, green_tg: 10}))
    bodies = [get(lb["DNSName"], 8080)[1] for _request in range(100)]

    assert (bodies.count(b"blue"), bodies.count(b"green")) == (90, 10)
    assert bodies[:10].count(b"green") == 1  # smooth: 1 in every 10, not 10 in a row


def test_no_target_answers_503_as_an_alb(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg", interval=300)  # the first check comes, the second not for a while
    listener(net, lb, 8080, {group: 1})

    status, body, headers = get(lb["DNSName"], 8080)
    assert status == 503
    assert b"<title>503 Service Temporarily Unavailable</title>" in body
    assert headers["Server"] == "awselb/2.0"

    member = targets(net["vpc"], net["app"], "10.0.1.10")
    member.status = 500  # initial until a check passes: still 503
    register(net, group, member)
    assert get(lb["DNSName"], 8080)[0] == 503


def test_a_group_of_only_unhealthy_targets_fails_open(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg", unhealthy=2)
    member = targets(net["vpc"], net["app"], "10.0.1.10", b"still here")
    member.status = 500
    register(net, group, member)
    listener(net, lb, 8080, {group: 1})
    eventually(lambda: states(net, group) == {(member.ip, member.port): "unhealthy"})

    assert get(lb["DNSName"], 8080)[:2] == (500, b"still here")


def test_fixed_response_and_redirect_actions(net, fast):
    lb = balancer(net, groups=[security_group(net["ec2"], net["vpc"], "web", [("0.0.0.0/0", 80), ("0.0.0.0/0", 8080)])])
    net["elbv2"].create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}
        ],
    )
    net["elbv2"].create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=8080,
        DefaultActions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {
                    "StatusCode": "404",
                    "ContentType": "text/plain",
                    "MessageBody": "nothing here",
                },
            }
        ],
    )

    conn = http.client.HTTPConnection(lb["DNSName"], 80, timeout=5)
    conn.request("GET", "/a/b?x=1", headers={"Host": "app.example.test"})
    response = conn.getresponse()
    assert (response.status, response.getheader("Location")) == (301, "https://app.example.test/a/b?x=1")
    conn.close()
    assert get(lb["DNSName"], 8080)[:2] == (404, b"nothing here")


# -- health checks --------------------------------------------------------------------------------------------------


def test_health_follows_the_thresholds(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg", healthy=3, unhealthy=2)
    member = targets(net["vpc"], net["app"], "10.0.1.10")
    key = (member.ip, member.port)
    register(net, group, member)

    first = health(net, group)[key]
    assert (first["State"], first["Reason"]) == ("unused", "Target.NotInUse")  # no listener forwards to it yet
    listener(net, lb, 8080, {group: 1})
    eventually(lambda: states(net, group) == {key: "healthy"})
    assert member.hits >= 1  # one passing check is enough for a new target

    member.status, before = 503, member.hits
    report = eventually(lambda: (h := health(net, group)[key])["State"] == "unhealthy" and h)
    assert member.hits - before >= 2  # UnhealthyThresholdCount failures in a row
    assert report["Reason"] == "Target.ResponseCodeMismatch"
    assert report["Description"] == "Health checks failed with these codes: [503]"

    member.status, before = 200, member.hits
    eventually(lambda: states(net, group) == {key: "healthy"})
    assert member.hits - before >= 3  # HealthyThresholdCount successes in a row


def test_health_check_matcher_and_path(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg", Matcher={"HttpCode": "200-299,404"})
    member = targets(net["vpc"], net["app"], "10.0.1.10")
    member.status = 404
    register(net, group, member)
    listener(net, lb, 8080, {group: 1})

    eventually(lambda: states(net, group) == {(member.ip, member.port): "healthy"})
    assert member.headers_by_path["/health"]["User-Agent"] == "ELB-HealthChecker/2.0"


def test_describe_target_health_reports_failures_registration_and_draining(net, targets, fast):
    lb = balancer(net)
    group = target_group(net, "tg", unhealthy=2)
    net["elbv2"].modify_target_group_attributes(
        TargetGroupArn=group, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "60"}]
    )
    listener(net, lb, 8080, {group: 1})
    silent = socket.socket()  # accepts connections (backlog) but never answers
    quiet = network.BOOK.allocate("task", "arn:task/quiet", net["vpc"], net["app"], "10.0.1.20")
    silent.bind((quiet.loopback, 0))
    silent.listen(8)
    closed = network.BOOK.allocate("task", "arn:task/closed", net["vpc"], net["app"], "10.0.1.21")
    member = targets(net["vpc"], net["app"], "10.0.1.10")
    try:
        targets_ = [
            {"Id": "10.0.1.20", "Port": silent.getsockname()[1]},
            {"Id": closed.private_ip, "Port": 8000},
            {"Id": member.ip, "Port": member.port},
        ]
        net["elbv2"].register_targets(TargetGroupArn=group, Targets=targets_)
        fresh = health(net, group)[("10.0.1.20", silent.getsockname()[1])]  # its first check is still waiting
        assert fresh["State"] == "initial"
        assert fresh["Reason"] in ("Elb.RegistrationInProgress", "Elb.InitialHealthChecking")

        def settled():
            found = health(net, group)
            return all(h["State"] != "initial" for h in found.values()) and found

        found = eventually(settled)
        assert found[("10.0.1.20", silent.getsockname()[1])]["Reason"] == "Target.Timeout"
        assert found[(closed.private_ip, 8000)]["Reason"] == "Target.FailedHealthChecks"
        assert found[(member.ip, member.port)]["State"] == "healthy"

        net["elbv2"].deregister_targets(TargetGroupArn=group, Targets=[{"Id": member.ip, "Port": member.port}])
        draining = health(net, group)[(member.ip, member.port)]
        assert (draining["State"], draining["Reason"]) == ("draining", "Target.DeregistrationInProgress")
        assert balancers.target_states(group)[(member.ip, member.port)] == "draining"
        eventually(lambda: (member.ip, member.port) not in health(net, group))  # 60 s of delay = 0.6 s here
        gone = health(net, group, Targets=[{"Id": member.ip, "Port": member.port}])[(member.ip, member.port)]
        assert (gone["State"], gone["Reason"]) == ("unused", "Target.NotRegistered")
    finally:
        silent.close()


# -- security groups ------------------------------------------------------------------------------------------------


def test_test_listener_admits_the_vpc_through_its_nat_gateway_only(net, targets, fast):
    test_sg = security_group(net["ec2"], net["vpc"], "test-listener", [("10.0.0.0/16", 9000)])
    lb = balancer(net, groups=[net["sg"], test_sg])
    group = target_group(net, "tg")
    member = targets(net["vpc"], net["app"], "10.0.1.10")
    register(net, group, member)
    listener(net, lb, 8080, {group: 1})
    listener(net, lb, 9000, {group: 1})
    eventually(lambda: states(net, group) == {(member.ip, member.port): "healthy"})
    caller = network.BOOK.allocate("lambda", "arn:function/validate", net["vpc"], net["app"], "10.0.1.30")
    isolated = net["ec2"].create_subnet(VpcId=net["vpc"], CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    stranded = network.BOOK.allocate("lambda", "arn:function/stranded", net["vpc"], isolated, "10.0.2.30")

    assert get(lb["DNSName"], 8080)[0] == 200  # production: the world, the controller included
    assert refused(lb["DNSName"], 9000)  # the controller is the internet
    assert refused(lb["DNSName"], 9000, source=caller.loopback)  # arrives from the NAT's public IP, not 10.0.1.30

    net["ec2"].authorize_security_group_ingress(
        GroupId=test_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 9000, "ToPort": 9000, "IpRanges": [{"CidrIp": f"{net['nat_ip']}/32"}]}
        ],
    )

    assert get(lb["DNSName"], 9000, source=caller.loopback)[0] == 200
    assert member.headers_by_path["/"]["X-Forwarded-For"] == net["nat_ip"]
    assert refused(lb["DNSName"], 9000)
    assert refused(lb["DNSName"], 8080, source=stranded.loopback)  # no route to the internet: cannot reach it


def test_internal_balancer_admits_the_app_subnet_by_private_ip(net, targets, fast):
    internal_sg = security_group(net["ec2"], net["vpc"], "internal", [("10.0.1.0/24", 9000)])
    lb = balancer(net, "internal", scheme="internal", groups=[internal_sg])
    group = target_group(net, "tg")
    member = targets(net["vpc"], net["app"], "10.0.1.10")
    register(net, group, member)
    listener(net, lb, 9000, {group: 1})
    eventually(lambda: states(net, group) == {(member.ip, member.port): "healthy"})
    caller = network.BOOK.allocate("lambda", "arn:function/validate", net["vpc"], net["app"], "10.0.1.30")

    assert get(lb["DNSName"], 9000, source=caller.loopback)[0] == 200
    assert member.headers_by_path["/"]["X-Forwarded-For"] == "10.0.1.30"
    assert refused(lb["DNSName"], 9000)  # the internet never reaches an internal balancer


def test_security_group_reference_admits_the_callers_group(net, targets, fast):
    ec2 = net["ec2"]
    caller_sg = security_group(ec2, net["vpc"], "caller", [])
    alb_sg = ec2.create_security_group(GroupName="by-ref", Description="by-ref", VpcId=net["vpc"])["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=alb_sg,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 9000, "ToPort": 9000, "UserIdGroupPairs": [{"GroupId": caller_sg}]}
        ],
    )
    lb = balancer(net, "internal", scheme="internal", groups=[alb_sg])
    group = target_group(net, "tg")
    listener(net, lb, 9000, {group: 1})
    eni = ec2.create_network_interface(SubnetId=net["app"], PrivateIpAddress="10.0.1.40", Groups=[caller_sg])
    member = network.BOOK.allocate("task", "arn:task/member", net["vpc"], net["app"], "10.0.1.40")
    stranger = network.BOOK.allocate("task", "arn:task/stranger", net["vpc"], net["app"], "10.0.1.41")

    assert get(lb["DNSName"], 9000, source=member.loopback)[0] == 503  # admitted; the group has no targets
    assert refused(lb["DNSName"], 9000, source=stranger.loopback)
    assert eni["NetworkInterface"]["PrivateIpAddress"] == "10.0.1.40"


# -- HTTPS ----------------------------------------------------------------------------------------------------------


def https_get(host, port, server_name, cadata):
    context = ssl.create_default_context(cadata=cadata)
    with socket.create_connection((host, port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            tls.sendall(f"GET / HTTP/1.1\r\nHost: {server_name}\r\nConnection: close\r\n\r\n".encode())
            return tls.recv(65536).split(b"\r\n", 1)[0]


def test_https_listener_with_a_requested_certificate_verifies_against_the_local_ca(aws, net, targets, fast):
    https_sg = security_group(net["ec2"], net["vpc"], "https", [("0.0.0.0/0", 443)])
    lb = balancer(net, groups=[https_sg])
    certificate = aws("acm").request_certificate(DomainName="app.example.test")["CertificateArn"]
    group = target_group(net, "tg")
    member = targets(net["vpc"], net["app"], "10.0.1.10")
    register(net, group, member)
    listener(net, lb, 443, {group: 1}, protocol="HTTPS", Certificates=[{"CertificateArn": certificate}])
    eventually(lambda: states(net, group) == {(member.ip, member.port): "healthy"})

    assert https_get(lb["DNSName"], 443, "app.example.test", balancers.ca_pem().decode()) == b"HTTP/1.1 200 OK"
    assert member.headers_by_path["/"]["X-Forwarded-Proto"] == "https"
    with pytest.raises(ssl.SSLCertVerificationError):
        https_get(lb["DNSName"], 443, "other.example.test", balancers.ca_pem().decode())


def test_https_listener_serves_an_imported_certificate_as_imported(aws, net, fast):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "imported.example.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("imported.example.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    imported = aws("acm").import_certificate(
        Certificate=pem,
        PrivateKey=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )["CertificateArn"]
    https_sg = security_group(net["ec2"], net["vpc"], "https", [("0.0.0.0/0", 443)])
    lb = balancer(net, groups=[https_sg])
    group = target_group(net, "tg")
    listener(net, lb, 443, {group: 1}, protocol="HTTPS", Certificates=[{"CertificateArn": imported}])

    status = https_get(lb["DNSName"], 443, "imported.example.test", pem.decode())
    assert status == b"HTTP/1.1 503 Service Temporarily Unavailable"  # TLS verified; no targets behind it


# -- ECS ------------------------------------------------------------------------------------------------------------


def test_a_task_unhealthy_past_its_grace_period_is_stopped_once(monkeypatch, fast):
    from emulator.dataplane import health, tasks

    stopped = []
    monkeypatch.setattr(tasks, "stop_task", lambda arn, reason: stopped.append((arn, reason)))
    task_arn = "arn:aws:ecs:us-east-1:123456789012:task/c/0123"
    network.BOOK.allocate("task", task_arn, "vpc-1", "subnet-1", "10.9.0.10")
    group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1"
    spec = health.GroupSpec(
        arn=group_arn,
        vpc_id="vpc-1",
        target_type="ip",
        protocol="HTTP",
        port=80,
        check_protocol="HTTP",
        check_port="traffic-port",
        check_path="/",
        interval=0.05,
        timeout=0.5,
        healthy_threshold=2,
        unhealthy_threshold=2,
        matcher="200",
        enabled=True,
        in_use=True,
        deregistration_delay=0.0,
        targets=(("10.9.0.10", 80),),
        grace=60,  # 60 emulated seconds = 0.6 s here
    )
    key = ("10.9.0.10", 80)
    balancers.STORE.registered(group_arn, [key])
    state = health.TargetState()
    state.set(health.UNHEALTHY, "Target.ResponseCodeMismatch")
    try:
        balancers._react(spec, key, state)  # within the grace period: ignored
        assert stopped == []
        state.registered_at -= 1.0
        balancers._react(spec, key, state)
        balancers._react(spec, key, state)
        assert stopped == [(task_arn, f"Task failed ELB health checks in (target-group {group_arn})")]
    finally:
        balancers.STORE.forget_group(group_arn)
        network.BOOK.release(network.BOOK.owned_by(task_arn)[0].loopback)
