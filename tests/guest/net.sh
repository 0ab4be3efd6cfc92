#!/bin/sh
# shellcheck disable=SC3043  # busybox ash has local
# Guest side of tests/guest/net: runs the steps named on the command line,
# in order, in the fbnic-vm guest, and reports what it saw in sections
# ("=== NAME", then lines) that the host-side checks read.  The peer is the
# host end of a tap in the suite's private network namespace.
#
# Steps:
#   start               kernel, netdev
#   up A4/P A6/P        addresses on the fbnic netdev, link up, carrier
#   ping NAME ADDR OPTS      ping -c 5 OPTS ADDR (section ping-NAME); OPTS is
#                            one argument, split at spaces, "-" for none
#   iperf NAME ADDR SECS OPTS  iperf3 -J client, OPTS as for ping; SECS may
#                            be a size instead (20M: iperf3 -n 20M)
#   mtu N               ip link set mtu N
#   feature F on|off    ethtool -K F on|off (section feature)
#   channels N          ethtool -L combined N
#   rings N             ethtool -G rx N rx-mini N rx-jumbo N (scarce buffers)
#   flood NAME ADDR SECS  the peer sends UDP as fast as it can (iperf3 -u -R
#                       -b 0) while the guest pings it (sections
#                       flood-NAME, flood-ping-NAME)
#   serve SECS          one iperf3 server run (iperf3 -s -1), for at most SECS
#   waitping ADDR SECS  ping ADDR until it answers, for at most SECS
#   route GW            default route via GW
#   tcpsha ADDR PORT N  send N random bytes over TCP, read back the peer's
#                       sha256 of them, compare (section tcpsha)
#   stats NAME          ethtool -S, ip -s link, the fbnic interrupt counts
#                       (sections stats-NAME, link-NAME, irq-NAME)
#   coalesce NAME ADDR OPTS  ethtool -C OPTS (one argument, split at
#                       spaces), ethtool -c; then 20 pings of ADDR between
#                       dumps coalesce-NAME-0 and coalesce-NAME-1 (dump)
#   dump TAG            ask the host for a device dump headed "#TAG" in its
#                       control log (lib.sh ctl_value)
#   tunnel KIND LOCAL REMOTE A6/P  a tunnel over the fbnic netdev, up, with
#                       address A6/P: KIND vxlan (VNI 42, UDP 4789) or
#                       ip6ip6 (section tunnel-KIND)
#   serve2 SECS         like serve, on ports 5201 and 5202 at once
#   hwq N               ask the host for queues 0..N-1's RDE_PKT_CNT (the
#                       answers land in the host's control log)
#   dmesg NAME          the raw dmesg as section dmesg-NAME
export LC_ALL=C
BDF=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1d9b ] && [ "$(cat "$d/device")" = 0x0013 ]; then
		BDF=${d##*/}
	fi
done
DEV=/sys/bus/pci/devices/$BDF
now() { awk '{ print $1 }' /proc/uptime; }
since() { awk -v a="$1" '{ printf "%.2f", $1 - a }' /proc/uptime; }
sec() { echo "=== $1"; }
# dsacks: D-SACKs this host sent so far (TcpExt TCPDSACKOldSent +
# TCPDSACKOfoSent of /proc/net/netstat): one per duplicate it received;
# and received (TCPDSACKRecv + TCPDSACKOfoRecv): one per segment it sent
# that the receiver already had.  "SENT RECEIVED"
dsacks() {
	awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
		else print $c["TCPDSACKOldSent"] + $c["TCPDSACKOfoSent"],
			$c["TCPDSACKRecv"] + $c["TCPDSACKOfoRecv"] }' /proc/net/netstat
}
IF=$(ls "$DEV/net" 2>/dev/null | head -n 1)
carrier() { cat "/sys/class/net/$IF/carrier" 2>/dev/null || echo none; }

while [ $# -gt 0 ]; do
	step=$1
	shift
	case $step in
	start)
		sec kernel; uname -r
		sec netdev; echo "${IF:-none}"
		;;
	up)
		sec up
		# No tail loss probes: they fire after 2 RTTs without an ACK,
		# which a guest under TCG stalls for at times, and count as
		# retransmits though nothing was lost; loss still shows as
		# fast retransmits and timeouts.
		echo 0 >/proc/sys/net/ipv4/tcp_early_retrans; echo "early-retrans-rc $?"
		ip addr add "$1" dev "$IF"; echo "addr4-rc $?"
		ip -6 addr add "$2" dev "$IF" nodad; echo "addr6-rc $?"
		shift 2
		ip link set "$IF" up; echo "ip-rc $?"
		t0=$(now) i=0
		while [ "$(carrier)" != 1 ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
		echo "carrier $(carrier) after $(since "$t0") s"
		;;
	ping)
		name=$1 addr=$2 args=$3
		shift 3
		[ "$args" = - ] && args=
		sec "ping-$name"
		# shellcheck disable=SC2086
		ping -w 60 -c 5 -i 0.2 -W 5 $args "$addr" 2>&1; echo "rc $?"
		;;
	iperf)
		name=$1 addr=$2 secs=$3 args=$4
		shift 4
		[ "$args" = - ] && args=
		sec "iperf-$name"
		case $secs in
		*M) len="-n $secs" ;; # a transfer size instead of a time
		*) len="-t $secs" ;;
		esac
		d=$(dsacks); ds0=${d% *} dr0=${d#* }
		# shellcheck disable=SC2086
		iperf3 -c "$addr" $len -J --connect-timeout 5000 $args 2>&1
		echo "rc $?"
		# D-SACKs this end sent: segments it received twice (the
		# receiver's view of a spurious retransmission, -R); and
		# received: segments it sent twice that the peer had (the
		# sender's view of one)
		d=$(dsacks); ds1=${d% *} dr1=${d#* }
		echo "dsack-sent $((ds1 - ds0))"
		echo "dsack-received $((dr1 - dr0))"
		;;
	mtu)
		sec "mtu-$1"; ip link set "$IF" mtu "$1"; echo "rc $?"
		shift
		;;
	feature)
		sec feature; ethtool -K "$IF" "$1" "$2"; echo "rc $?"
		shift 2
		;;
	channels)
		sec "channels-$1"; ethtool -L "$IF" combined "$1"; echo "rc $?"
		shift
		i=0
		while [ "$(carrier)" != 1 ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
		ethtool -l "$IF" 2>&1
		;;
	rings)
		sec "rings-$1"; ethtool -G "$IF" rx "$1" rx-mini "$1" rx-jumbo "$1"; echo "rc $?"
		shift
		i=0
		while [ "$(carrier)" != 1 ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
		ethtool -g "$IF" 2>&1
		;;
	flood)
		name=$1 addr=$2 secs=$3
		shift 3
		ping -c $((secs * 2)) -i 0.5 -W 5 "$addr" >/tmp/flood-ping 2>&1 &
		p=$!
		sec "flood-$name"
		iperf3 -c "$addr" -u -R -b 0 -t "$secs" -J --connect-timeout 5000 2>&1
		echo "rc $?"
		wait $p
		echo "rc $?" >>/tmp/flood-ping
		sec "flood-ping-$name"; cat /tmp/flood-ping
		;;
	serve)
		sec serve
		timeout "$1" iperf3 -s -1 2>&1; echo "rc $?"
		shift
		;;
	waitping)
		sec "waitping"
		t0=$(now) i=0
		until ping -c 1 -W 1 "$1" >/dev/null 2>&1; do
			i=$((i + 1)); [ $i -ge "$2" ] && break
		done
		echo "answered $i after $(since "$t0") s"
		shift 2
		;;
	route)
		sec route; ip route add default via "$1"; echo "rc $?"
		shift
		;;
	tcpsha)
		sec tcpsha
		python3 - "$1" "$2" "$3" <<'PY' 2>&1; echo "rc $?"
import hashlib, os, socket, sys
data = os.urandom(int(sys.argv[3]))
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    got += d
want = hashlib.sha256(data).hexdigest()
print("sent %d bytes, peer's sha256 %s" % (len(data), "matches" if got.decode().strip() == want else "DIFFERS: " + got.decode()))
sys.exit(0 if got.decode().strip() == want else 1)
PY
		shift 3
		;;
	stats)
		sec "stats-$1"; ethtool -S "$IF" 2>&1
		sec "link-$1"; ip -s -s link show "$IF" 2>&1
		sec "irq-$1"; grep -F "$BDF" /proc/interrupts
		shift
		;;
	coalesce)
		name=$1 addr=$2 args=$3
		shift 3
		sec "coalesce-$name"
		# shellcheck disable=SC2086
		ethtool -C "$IF" $args; echo "rc $?"
		ethtool -c "$IF" 2>&1
		echo "=== req dump #coalesce-$name-0"
		sleep 2 # the host answers before the pings start
		ping -c 20 -i 0.05 -W 5 "$addr" 2>&1 | tail -n 2
		echo "=== req dump #coalesce-$name-1"
		sleep 2
		;;
	dump)
		echo "=== req dump #$1"
		sleep 2 # the host answers before the next step's traffic
		shift
		;;
	tunnel)
		kind=$1 local=$2 remote=$3 addr=$4
		shift 4
		sec "tunnel-$kind"
		case $kind in
		vxlan)
			dev=fbvx
			fbnic-load vxlan; echo "load-rc $?"
			ip link add $dev type vxlan id 42 local "$local" remote "$remote" \
				dstport 4789 dev "$IF"; echo "add-rc $?" ;;
		ip6ip6)
			dev=fbt6
			fbnic-load ip6_tunnel; echo "load-rc $?"
			ip -6 tunnel add $dev mode ip6ip6 local "$local" remote "$remote" \
				dev "$IF"; echo "add-rc $?" ;;
		esac
		ip link set "$dev" up; echo "up-rc $?"
		ip -6 addr add "$addr" dev "$dev" nodad; echo "addr-rc $?"
		;;
	serve2)
		sec serve
		timeout "$1" iperf3 -s -1 -p 5202 >/tmp/serve2.log 2>&1 &
		timeout "$1" iperf3 -s -1 2>&1; echo "rc $?"
		wait $!; echo "rc $?"
		cat /tmp/serve2.log
		shift
		;;
	hwq)
		regs="" q=0
		while [ $q -lt "$1" ]; do regs="$regs QUEUE[$q].RDE_PKT_CNT"; q=$((q + 1)); done
		shift
		sec hwq
		echo "=== req reg$regs"
		sleep 2 # the host answers while the device still has its state
		;;
	dmesg)
		sec "dmesg-$1"; dmesg -r
		shift
		;;
	*)
		echo "net.sh: unknown step $step" >&2
		exit 2
		;;
	esac
done
sec end
