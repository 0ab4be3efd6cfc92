#!/bin/sh
# shellcheck disable=SC3043  # busybox ash has local
# Guest side of tests/guest/xdp (fbnic-vm --full-root --peer virtio): the
# fbnic port under test in the init namespace, QEMU's virtio-net cabled to
# it in namespace "peer".  For each xdp-bench mode (drop, tx) the peer
# sends N UDP frames to the fbnic address while xdp-bench runs its native
# XDP program on the fbnic netdev; then ethtool -L changes the channels
# with the queue statistics read around it; then an AF_XDP socket in copy
# mode (xsk.c, built here) takes the N frames (rxdrop), then sends them
# back (l2fwd).  Sections ("=== NAME") for the
# host-side checks; "=== req dump #TAG" asks the host for fbnic-emu's
# counters (tests/guest/lib.sh boot).
# Usage: xdp.sh N
export LC_ALL=C
N=${1:-20000}
KSFT=/opt/ksft/$(uname -r)/net/lib
sec() { echo "=== $1"; }
# qstats: the device-wide queue statistics (netdev netlink qstats-get),
# as "rx-packets N" lines and such
qstats() {
	python3 "$KSFT/ynl/pyynl/cli.py" --spec "$KSFT/specs/netdev.yaml" \
		--no-schema --dump qstats-get --output-json 2>&1 |
		python3 -c 'import json, sys
try:
    d = json.load(sys.stdin)
except Exception as e:
    print("error", e); sys.exit(0)
for q in d:
    if q.get("ifindex") == '"$IFX"':
        for k, v in sorted(q.items()):
            print(k, v)'
}
# peer_count rx|tx: the virtio end's packets
peer_count() {
	ip -n peer -s -j link show "$VIF" | python3 -c "import json, sys; print(json.load(sys.stdin)[0]['stats64']['$1']['packets'])"
}
xdp_attached() { ip -d link show "$IF" | grep -q 'prog/xdp'; }
# wait_for WANT CMD...: until CMD prints a number >= WANT, at most 120
# tries half a second apart (the frames still in the rings when the
# sender is done: under TCG they can take seconds)
wait_for() {
	local want="$1" i=0 v
	shift
	while [ $i -lt 120 ]; do
		v=$("$@" 2>/dev/null)
		case $v in '' | *[!0-9]*) v=0 ;; esac
		[ "$v" -ge "$want" ] && break
		i=$((i + 1)); sleep 0.5
	done
}
qstat() { qstats | awk -v k="$1" '$1 == k { print $2 }'; }

modprobe virtio_net
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
IF="" VIF=""
for i in $(seq 50); do
	for d in /sys/class/net/*; do
		drv=$(basename "$(readlink "$d/device/driver" 2>/dev/null)" 2>/dev/null)
		[ "$drv" = fbnic ] && IF=${d##*/}
		[ "$drv" = virtio_net ] && VIF=${d##*/}
	done
	[ -n "$IF" ] && [ -n "$VIF" ] && break
	sleep 0.1
done
sec setup
echo "fbnic $IF virtio $VIF"
IFX=$(cat "/sys/class/net/$IF/ifindex")
ip netns add peer
ip link set "$VIF" netns peer
ip -n peer addr add 10.97.0.1/24 dev "$VIF"
ip -n peer link set "$VIF" up
ip addr add 10.97.0.2/24 dev "$IF"
ip link set "$IF" up
i=0
while [ "$(cat "/sys/class/net/$IF/carrier")" != 1 ] && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
ping -c 2 -W 5 10.97.0.1 >/dev/null 2>&1 && echo "ping ok"
# the peer knows the fbnic MAC for good: no ARP that XDP would drop
ip -n peer neigh replace 10.97.0.2 lladdr "$(cat "/sys/class/net/$IF/address")" dev "$VIF" nud permanent
# blast.py N [PROGRESS]: N UDP frames to the fbnic address; with
# PROGRESS (xsk.c's count of frames taken), at most WINDOW in flight, well
# below the AF_XDP fill ring (2048): UDP has no flow control of its own
cat >/tmp/blast.py <<'EOF'
import os, socket, struct, sys, time
n = int(sys.argv[1])
prog = os.open(sys.argv[2], os.O_RDONLY) if len(sys.argv) > 2 else None
WINDOW = 512
def taken():
    b = os.pread(prog, 8, 0)
    return struct.unpack("<Q", b)[0] if len(b) == 8 else 0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
pay = bytes(range(64))
waits = 0
for i in range(n):
    if prog is not None and i - taken() >= WINDOW:
        waits += 1
        end = time.monotonic() + 60
        while i - taken() >= WINDOW:
            if time.monotonic() > end:
                print("receiver stalled at", taken(), "of", i)
                sys.exit(1)
            time.sleep(0.001)
    s.sendto(pay, ("10.97.0.2", 9))
print("sent", n)
if prog is not None:
    print("window waits", waits)
EOF

for mode in drop tx; do
	sec "req dump #$mode-0"
	sec "qstats-$mode-0"; qstats
	prx=$(peer_count rx) ptx=$(peer_count tx) qrx=$(qstat rx-packets)
	xdp-bench "$mode" "$IF" -i 1 >/tmp/xb 2>&1 &
	xb=$!
	i=0
	while ! xdp_attached && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
	sec "blast-$mode"
	xdp_attached && echo attached
	ip netns exec peer python3 /tmp/blast.py "$N"
	# every frame through the program (the driver counts a frame after
	# its XDP verdict), and with tx every one back at the peer, before
	# xdp-bench stops counting
	wait_for $((${qrx:-0} + N)) qstat rx-packets
	[ "$mode" = tx ] && wait_for $((prx + N)) peer_count rx
	sleep 1 # the count may include a few frames of the stack's own
	kill -INT $xb
	wait $xb
	echo "xdp-bench rc $?"
	echo "peer rx $(($(peer_count rx) - prx)) tx $(($(peer_count tx) - ptx))"
	xdp_attached && echo "still attached"
	sec "xdp-bench-$mode"; cat /tmp/xb
	sec "req dump #$mode-1"
	sec "qstats-$mode-1"; qstats
done
sec ethtool-S; ethtool -S "$IF" | grep -E 'xdp_tx_queue_[0-9]+_(packets|dropped): [1-9]'

# ethtool -L: the rings go and come back; the device's totals stay
ch=$(ethtool -l "$IF" | awk '/^Current/ { c = 1 } c && /^Combined:/ { print $2; exit }')
sec "channels"; echo "combined $ch"
sec "qstats-L-0"; qstats
sec "L-1"; ethtool -L "$IF" combined 1; echo "rc $?"
sec "qstats-L-1"; qstats
sec "L-2"; ethtool -L "$IF" combined "$ch"; echo "rc $?"
sec "qstats-L-2"; qstats
# AF_XDP in copy mode (xsk.c: generic XDP, the only kind the driver's
# missing XDP_REDIRECT leaves), on one channel so that every frame comes
# to queue 0, where the socket is bound
sec xsk-build; gcc -O2 -o /tmp/xsk /root/xsk.c 2>&1; echo "rc $?"
ethtool -L "$IF" combined 1
for mode in rxdrop l2fwd; do
	prx=$(peer_count rx)
	rm -f /tmp/xsk.progress
	/tmp/xsk "$mode" "$IF" "$N" 120 /tmp/xsk.progress >/tmp/xsk.out 2>&1 &
	xp=$!
	i=0
	while ! grep -q '^ready' /tmp/xsk.out && kill -0 $xp 2>/dev/null && [ $i -lt 300 ]; do
		i=$((i + 1)); sleep 0.1
	done
	sec "xsk-$mode"
	ip netns exec peer python3 /tmp/blast.py "$N" /tmp/xsk.progress
	wait $xp
	echo "xsk rc $?"
	sleep 1
	echo "peer rx $(($(peer_count rx) - prx))"
	cat /tmp/xsk.out
done
ethtool -L "$IF" combined "$ch"
sec "dmesg"; dmesg | grep -Ei 'fbnic|xdp|warn|bug' | tail -n 20
sec end
