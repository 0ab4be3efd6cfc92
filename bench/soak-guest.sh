#!/bin/sh
# Guest side of bench/soak: soak-guest.sh MODE PEER [ARGS]
#   xfer PEER COUNT   the checksummed transfers: /root/blob COUNT times to
#                     the peer ("=== req recv PORT": the host starts its
#                     receiver), then COUNT times from it ("=== req send
#                     PORT"), each end printing "xfer BYTES SHA256 SECONDS";
#                     then the guest's counters
#   traffic PEER      ping, then "=== req iperf PORT" and iperf3 both ways
#                     for 300 s: the host kills QEMU meanwhile
#   reboot PEER       each boot: ping, "boot ok", iperf3 both ways in
#                     the background ("=== req iperf PORT"), and 2 s later
#                     an immediate reboot (sysrq b) in the middle of it
# Output in sections ("=== NAME", then lines) that bench/soak reads.
export LC_ALL=C
MODE=$1 PEER=$2
sec() { echo "=== $1"; }

sec start
IF="" i=0
while [ $i -lt 100 ]; do
	for n in /sys/class/net/*; do
		[ "${n##*/}" = lo ] || { IF=${n##*/}; break; }
	done
	[ -n "$IF" ] && break
	i=$((i + 1)); sleep 0.1
done
[ -n "$IF" ] || { echo "no netdev"; sec end; exit 1; }
ip addr add 10.99.1.2/24 dev "$IF"
ip link set "$IF" up
i=0
while [ "$(cat "/sys/class/net/$IF/carrier" 2>/dev/null)" != 1 ] && [ $i -lt 300 ]; do
	i=$((i + 1)); sleep 0.1
done
echo "carrier $(cat "/sys/class/net/$IF/carrier" 2>/dev/null)"
sec ping
ping -c 2 -i 0.2 -W 5 "$PEER" >/dev/null 2>&1; echo "rc $?"

# port: one the host has not served yet in this run (the guest cannot
# count boots; the host kills an older server before it starts a new one)
port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))

case $MODE in
xfer)
	COUNT=$3
	echo "=== req recv $port"
	sleep 2
	sec xfer-up
	python3 /root/soak-xfer.py send --connect "$PEER:$port" /root/blob "$COUNT" 2>&1
	echo "rc $?"
	port=$((port + 1))
	echo "=== req send $port"
	sleep 2
	sec xfer-down
	python3 /root/soak-xfer.py recv --connect "$PEER:$port" 2>&1
	echo "rc $?"
	sec stats
	ip -s -s link show "$IF" 2>&1
	ethtool -S "$IF" 2>&1 | grep -Ei 'drop|miss|no_buf|err|fifo|overrun' | grep -Ev ': 0$'
	awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print "retrans", $c["RetransSegs"] }' /proc/net/snmp
	;;
traffic)
	echo "=== req iperf $port"
	sleep 2
	sec traffic
	iperf3 -c "$PEER" -p "$port" --bidir -t 300 -i 0 --connect-timeout 5000 2>&1
	echo "rc $?"
	;;
reboot)
	echo 1 >/proc/sys/kernel/sysrq
	sec boot
	echo "boot ok"
	echo "=== req iperf $port"
	sleep 2
	iperf3 -c "$PEER" -p "$port" --bidir -t 300 -i 0 --connect-timeout 5000 >/dev/null 2>&1 &
	sleep 2
	echo b >/proc/sysrq-trigger
	;;
esac
sec end
