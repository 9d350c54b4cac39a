"""Loopback addresses for emulated network interfaces, and who a connection comes from.

AWS gives every awsvpc ECS task, every VPC-attached Lambda function and every load balancer node an elastic
network interface with a private IP in a subnet of the VPC. Here each such interface also gets a loopback
address of its own (Linux routes all of 127.0.0.0/8 to lo, no setup needed): the process behind it listens on
it, or connects from it, and a listener maps the peer address of a connection back to the interface, so it can
evaluate its security group rules against the source AWS would see.

Each emulator takes its own /16 of loopback addresses, chosen by its port (``configure``), so emulators that run
side by side (``make local`` and ``make test``, molecule scenarios and test workers in parallel) never bind the same
address. Two ports can map to the same /16 (there are 191 blocks): the first emulator to use a block holds a lock on
it (a file lock, released when its process ends) and the other moves on to the next free block.

A peer address that is no interface's (127.0.0.1, the machine running Ansible and curl) is the internet, with
the public address ``CLIENT_PUBLIC_IP`` (``EMULATOR_CLIENT_IP``; default 198.51.100.10, a documentation
address, RFC 5737).
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import tempfile
import threading
from dataclasses import dataclass

DEFAULT_CLIENT_IP = "198.51.100.10"


BLOCKS = 191  # 127.64.0.0/16 to 127.254.0.0/16
LOCK_DIR = os.path.join(tempfile.gettempdir(), "bluegreen-emulator-blocks")


def _block(octet: int) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
    return ipaddress.IPv4Address(f"127.{octet}.0.1"), ipaddress.IPv4Address(f"127.{octet}.255.254")


def block_for(port: int) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
    """First and last address of the /16 an emulator on ``port`` prefers: 127.64.0.0/16 to 127.254.0.0/16."""
    return _block(64 + port % BLOCKS)


def claim_block(port: int) -> tuple[int, tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]]:
    """(lock file descriptor, block): the preferred block of ``port``, or the next one no other emulator holds."""
    os.makedirs(LOCK_DIR, exist_ok=True)
    for step in range(BLOCKS):
        octet = 64 + (port + step) % BLOCKS
        fd = os.open(os.path.join(LOCK_DIR, f"127.{octet}.lock"), os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd, _block(octet)
    raise RuntimeError(f"every loopback block is held by another emulator ({LOCK_DIR})")


def client_public_ip() -> str:
    """The public address the internet-side caller (the controller) connects from."""
    return os.environ.get("EMULATOR_CLIENT_IP", DEFAULT_CLIENT_IP)


@dataclass(frozen=True)
class Interface:
    """One emulated ENI. ``public_ip`` is set for load balancer nodes of an internet-facing balancer."""

    loopback: str
    kind: str  # "task", "lambda", "load-balancer"
    owner: str  # task ARN, function ARN, load balancer ARN
    vpc_id: str
    subnet_id: str
    private_ip: str
    public_ip: str | None = None


class AddressBook:
    """Thread-safe map loopback address <-> interface."""

    def __init__(self, port: int = 0):
        self._lock = threading.Lock()
        self._by_loopback: dict[str, Interface] = {}
        self._claim = None
        self.configure(port)

    def configure(self, port: int) -> None:
        """Use the address block of the emulator on ``port`` (forgets every interface). The block is claimed
        when the first interface needs it, so a process that only imports this module holds none."""
        with self._lock:
            self._unclaim()
            self._port = port
            self._by_loopback.clear()

    def _unclaim(self) -> None:
        if self._claim is not None:
            os.close(self._claim)
        self._claim = None
        self._first = self._last = self._next = None

    def block(self) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
        """First and last address of this book's block (claimed now if it was not yet)."""
        with self._lock:
            self._claimed()
            return self._first, self._last

    def _claimed(self) -> None:
        if self._claim is None:
            self._claim, (self._first, self._last) = claim_block(self._port)
            self._next = self._first

    def allocate(self, kind, owner, vpc_id, subnet_id, private_ip, public_ip=None) -> Interface:
        """A new interface on the next free loopback address."""
        with self._lock:
            self._claimed()
            address = self._next
            while str(address) in self._by_loopback:
                address += 1
            if address > self._last:
                raise RuntimeError("the emulator ran out of loopback addresses")
            self._next = address + 1
            interface = Interface(str(address), kind, owner, vpc_id, subnet_id, private_ip, public_ip)
            self._by_loopback[interface.loopback] = interface
            return interface

    def release(self, loopback: str) -> None:
        with self._lock:
            self._by_loopback.pop(loopback, None)

    def lookup(self, loopback: str) -> Interface | None:
        """The interface a peer address belongs to; None for the internet (127.0.0.1 or unknown)."""
        with self._lock:
            return self._by_loopback.get(loopback)

    def by_private_ip(self, vpc_id: str, private_ip: str) -> Interface | None:
        """The interface holding ``private_ip`` in ``vpc_id`` (a target group's IP target)."""
        with self._lock:
            return next(
                (i for i in self._by_loopback.values() if i.vpc_id == vpc_id and i.private_ip == private_ip), None
            )

    def owned_by(self, owner: str) -> list[Interface]:
        with self._lock:
            return [i for i in self._by_loopback.values() if i.owner == owner]

    def clear(self) -> None:
        with self._lock:
            self._by_loopback.clear()
            self._next = self._first


BOOK = AddressBook()
