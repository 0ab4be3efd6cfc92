#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
mp_cycles.py: a memory provider (a udmabuf, as devmem TCP binds one) bound
to and unbound from one RX queue of the device under test MP_CYCLES times
(default 1000), while checksummed TCP transfers run both ways through the
other queues.  Each bind and each unbind restarts the queue through the
driver's queue API (netdev_queue_mgmt_ops: fbnic_queue_stop, then
fbnic_queue_start with a new page pool).  Written against the kernel's own
selftest library (drivers/net/hw/lib/py), run by tools/fbnic-selftests:

    tools/fbnic-selftests tests/guest/mp_cycles.py
    tools/fbnic-selftests --guest-env MP_CYCLES=50 tests/guest/mp_cycles.py

Passes when every bind succeeded and the queue showed its dmabuf while
bound (netdev queue-get) and none after, every transfer that ran arrived whole
(same length, same SHA-256), transfers ran both ways during the cycles,
the bound queue's TX ring sent nothing (pin_tx_to_queue0 says why),
and the kernel logged no queue-idle timeout, TX watchdog, WARNING or BUG.
"""

import fcntl
import hashlib
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.environ.get("KSFT_HW_DIR", os.getcwd()))
# pylint: disable=wrong-import-position
from lib.py import (ksft_run, ksft_exit, ksft_eq, ksft_ge, ksft_pr,
                    ksft_true, KsftSkipEx, NetDrvEpEnv, EthtoolFamily,
                    NetdevFamily, Netlink,
                    cmd, defer, ethtool, rand_port)

# <linux/udmabuf.h>: _IOW('u', 0x42, struct udmabuf_create { u32 memfd;
# u32 flags; u64 offset; u64 size; }), UDMABUF_FLAGS_CLOEXEC 1.
UDMABUF_CREATE = 0x40187542
UDMABUF_FLAGS_CLOEXEC = 0x01
DMABUF_SIZE = 16 << 20
BLOB_SIZE = int(os.environ.get("MP_BLOB_MIB", "16")) << 20
# What the kernel logs when a queue restart or the data path goes wrong:
# fbnic_wait_queue_idle's "wait for queue ... idle failed", the TX
# watchdog, the page pool's stuck-pages warning, and any WARNING or BUG
# (not any "timed out": TCG makes the clocksource watchdog say that).
BAD_LOG = ("idle failed", "NETDEV WATCHDOG", "WARNING:", "BUG:",
           "stalled pool", "hw csum failure")


def udmabuf(size):
    """A dmabuf over a sealed memfd (what ncdevmem's udmabuf provider makes)."""
    if not os.path.exists("/dev/udmabuf"):
        subprocess.run(["modprobe", "udmabuf"], check=False)
    if not os.path.exists("/dev/udmabuf"):
        raise KsftSkipEx("no /dev/udmabuf (CONFIG_UDMABUF)")
    memfd = os.memfd_create("mp_cycles", os.MFD_ALLOW_SEALING)
    os.ftruncate(memfd, size)
    fcntl.fcntl(memfd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
    dev = os.open("/dev/udmabuf", os.O_RDWR)
    arg = bytearray(struct.pack("IIQQ", memfd, UDMABUF_FLAGS_CLOEXEC, 0, size))
    # with a mutable buffer, ioctl() returns the call's result: the fd
    fd = fcntl.ioctl(dev, UDMABUF_CREATE, arg)
    os.close(dev)
    os.close(memfd)
    return fd


def reopen(nl):
    """A new netlink socket for the family (closing the old one released
    the binding made through it: netdev_nl_sock_priv_destroy)."""
    nl.close()
    nl.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                            nl.nlproto.proto_num)
    for opt in (Netlink.NETLINK_CAP_ACK, Netlink.NETLINK_EXT_ACK,
                Netlink.NETLINK_GET_STRICT_CHK):
        nl.sock.setsockopt(Netlink.SOL_NETLINK, opt, 1)


def tx_dropped(cfg):
    """The netdev's TX drops (fbnic counts there what fbnic_nv_flush frees
    from a stopped queue's TX ring without its completion)."""
    with open(f"/sys/class/net/{cfg.ifname}/statistics/tx_dropped") as f:
        return int(f.read())


def pin_tx_to_queue0(cfg):
    """Every transmit to TX queue 0 (XPS: all CPUs on tx-0, none on the
    others), the old maps restored at the end.  The bound queue's vector
    restarts its TX ring as well as its RX rings, and fbnic_queue_stop
    (fbnic_txrx.c) stops the TX subqueue with netif_stop_subqueue alone,
    which does not wait for a transmit already past that check, where
    fbnic_down uses netif_tx_disable, which does.  Such a transmit rings
    the doorbell after fbnic_enable_twq0 has reset the ring, and the NIC
    sends and completes the ring's stale descriptors: a NULL dereference
    in fbnic_clean_twq0 (README, "devmem TCP").  The cycles test the
    memory provider on the RX queue with traffic on the others, so the
    bound queue's TX ring carries none."""
    base = f"/sys/class/net/{cfg.ifname}/queues"
    cpus = os.cpu_count() or 1
    # a CPU mask as sysfs reads it: 32-bit hex words, comma-separated
    hexmask = format((1 << cpus) - 1, "x")
    hexmask = hexmask.zfill(-(-len(hexmask) // 8) * 8)
    every = ",".join(hexmask[i:i + 8] for i in range(0, len(hexmask), 8))
    for q in sorted(os.listdir(base)):
        if not q.startswith("tx-"):
            continue
        path = f"{base}/{q}/xps_cpus"
        with open(path) as f:
            old = f.read().strip()
        with open(path, "w") as f:
            f.write(every if q == "tx-0" else "0")
        defer(lambda p=path, v=old: open(p, "w").write(v))


def tx_packets(nl, cfg, queue):
    """TX queue QUEUE's packets (netdev qstats, per queue)."""
    for q in nl.qstats_get({"ifindex": cfg.ifindex, "scope": "queue"},
                           dump=True):
        if q.get("queue-type") == "tx" and q.get("queue-id") == queue:
            return q.get("tx-packets", 0)
    return 0


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Transfers(threading.Thread):
    """Back-to-back socat transfers of one random file, alternately from the
    remote end to the device (RX) and from the device to the remote (TX),
    each checked by length and SHA-256, until stopped."""

    def __init__(self, cfg, blob, want):
        super().__init__(daemon=True)
        self.cfg, self.blob, self.want = cfg, blob, want
        self.stop = threading.Event()
        self.done = {"rx": 0, "tx": 0}
        self.bad = []
        self.bytes = 0

    def one(self, direction):
        port = rand_port()
        out = f"/tmp/mp_cycles.{direction}"
        ns = ["ip", "netns", "exec", self.cfg.remote.name]
        recv = ["socat", "-u", f"TCP6-LISTEN:{port},reuseaddr",
                f"OPEN:{out},creat,trunc"]
        send = ["socat", "-u", f"OPEN:{self.blob}",
                f"TCP6:[{self.cfg.addr_v['6'] if direction == 'rx' else self.cfg.remote_addr_v['6']}]:{port}"]
        if direction == "rx":
            send = ns + send
        else:
            recv = ns + recv
        srv = subprocess.Popen(recv, stderr=subprocess.PIPE)
        time.sleep(0.3)
        for _ in range(50):
            cli = subprocess.run(send, stderr=subprocess.PIPE, check=False,
                                 timeout=600)
            if cli.returncode == 0 or b"refused" not in cli.stderr:
                break
            time.sleep(0.2)  # the listener was not up yet
        srv.wait(timeout=600)
        if cli.returncode or srv.returncode:
            self.bad.append(f"{direction}: socat exit {cli.returncode}/{srv.returncode}: "
                            f"{cli.stderr.decode().strip()} {srv.stderr.read().decode().strip()}")
        elif os.path.getsize(out) != BLOB_SIZE or sha256(out) != self.want:
            self.bad.append(f"{direction}: {os.path.getsize(out)} bytes, "
                            f"SHA-256 {'equal' if sha256(out) == self.want else 'differs'}")
        else:
            self.done[direction] += 1
            self.bytes += BLOB_SIZE
        os.unlink(out)

    def run(self):
        # until stopped, and at least one transfer each way
        while len(self.bad) < 4:
            for direction in ("rx", "tx"):
                if self.stop.is_set() and self.done["rx"] and self.done["tx"]:
                    return
                self.one(direction)


def bind_unbind_cycles(cfg):
    """MP_CYCLES binds and unbinds of the last RX queue under traffic."""
    cycles = int(os.environ.get("MP_CYCLES", "1000"))
    ethnl = EthtoolFamily()
    hdr = {"header": {"dev-index": cfg.ifindex}}
    chans = ethnl.channels_get(hdr)
    nq = chans.get("combined-count", 0) + chans.get("rx-count", 0)
    if nq < 2:
        raise KsftSkipEx(f"{cfg.ifname} has {nq} RX queue, 2 needed")
    queue = nq - 1
    # the other queues carry all traffic (ncdevmem's configure_rss), and
    # TX queue 0 all that the device sends
    ethtool(f"-X {cfg.ifname} equal {queue}")
    defer(ethtool, f"-X {cfg.ifname} default")
    pin_tx = os.environ.get("MP_PIN_TX", "1") != "0"
    if pin_tx:
        pin_tx_to_queue0(cfg)
    insmod = os.environ.get("MP_INSMOD", "").split()
    if insmod:
        # a module to load for the cycles (tests/guest/txrace/run)
        cmd(" ".join(["insmod"] + insmod))
        name = os.path.basename(insmod[0])[:-len(".ko")]
        defer(cmd, f"rmmod {name}")
    rings = ethnl.rings_get(hdr)
    ethnl.rings_set({**hdr, "tcp-data-split": "enabled", "hds-thresh": 0})
    defer(ethnl.rings_set, {**hdr, "tcp-data-split": "unknown",
                            "hds-thresh": rings.get("hds-thresh", 0)})
    dmabuf = udmabuf(DMABUF_SIZE)
    defer(os.close, dmabuf)

    blob = "/tmp/mp_cycles.blob"
    with open(blob, "wb") as f:
        f.write(os.urandom(BLOB_SIZE))
    defer(os.unlink, blob)
    xfer = Transfers(cfg, blob, sha256(blob))
    log0 = cmd("dmesg").stdout.count("\n")

    nl = NetdevFamily()
    failed = []
    xfer.start()
    t0 = time.monotonic()
    qid = {"ifindex": cfg.ifindex, "id": queue, "type": "rx"}
    unbind_wait = 0
    tx_drop0 = tx_dropped(cfg)
    txq0 = tx_packets(nl, cfg, queue)
    for i in range(cycles):
        try:
            nl.bind_rx({"ifindex": cfg.ifindex, "fd": dmabuf,
                        "queues": [{"id": queue, "type": "rx"}]})
            # the queue reports its binding (netdev queue-get: dmabuf id)
            if "dmabuf" not in nl.queue_get(qid):
                failed.append(f"cycle {i}: bound, but queue-get shows no dmabuf")
            reopen(nl)  # unbinds, once the old socket is released (RCU)
            t1 = time.monotonic()
            while "dmabuf" in nl.queue_get(qid):
                if time.monotonic() - t1 > 5:
                    failed.append(f"cycle {i}: unbound, but queue-get shows a "
                                  "dmabuf 5 s later")
                    break
                time.sleep(0.001)
            unbind_wait = max(unbind_wait, time.monotonic() - t1)
        except Exception as e:  # pylint: disable=broad-except
            failed.append(f"cycle {i}: {e}")
            reopen(nl)
        if len(failed) > 5:
            break
    secs = time.monotonic() - t0
    txq = tx_packets(nl, cfg, queue) - txq0
    nl.close()
    xfer.stop.set()
    xfer.join(timeout=900)

    ksft_pr(f"{cycles} bind+unbind cycles of queue {queue} in {secs:.1f} s "
            f"({1000 * secs / max(cycles, 1):.1f} ms each)")
    ksft_pr(f"longest wait for an unbind to show: {1000 * unbind_wait:.1f} ms; "
            f"tx_dropped +{tx_dropped(cfg) - tx_drop0} (fbnic_nv_flush counts "
            "there each TX packet not yet reaped at a stop, sent or not)")
    ksft_pr(f"TX queue {queue} sent {txq} packets during the cycles")
    if insmod:
        par = f"/sys/module/{name}/parameters"
        ksft_pr(f"{name}: " + ", ".join(
            f"{p} {open(f'{par}/{p}').read().strip()}"
            for p in sorted(os.listdir(par))))
    ksft_pr(f"transfers from the first cycle on: {xfer.done['rx']} in (RX), "
            f"{xfer.done['tx']} out (TX), "
            f"{xfer.bytes >> 20} MiB, each checked by SHA-256")
    for f in failed + xfer.bad:
        ksft_pr(f)
    log = cmd("dmesg").stdout.splitlines()[log0:]
    bad_log = [l for l in log if any(b in l for b in BAD_LOG)]
    for l in bad_log[:10]:
        ksft_pr("dmesg:", l)
    ksft_eq(failed, [], comment="every bind and unbind took effect")
    ksft_eq(xfer.bad, [], comment="every transfer arrived whole")
    ksft_ge(xfer.done["rx"], 1, comment="a transfer in completed")
    ksft_ge(xfer.done["tx"], 1, comment="a transfer out completed")
    if pin_tx:
        ksft_eq(txq, 0,
                comment=f"TX queue {queue} (restarted with it) sent nothing")
    ksft_true(not bad_log, "no queue timeout, watchdog, WARNING or BUG in dmesg")


def main():
    with NetDrvEpEnv(__file__) as cfg:
        ksft_run([bind_unbind_cycles], args=(cfg,))
    ksft_exit()


if __name__ == "__main__":
    main()
