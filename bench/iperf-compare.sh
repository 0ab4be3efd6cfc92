#!/bin/sh
# Guest side of bench/iperf-compare: iperf-compare.sh DRIVER ADDR/PREFIX PEER SECS [COAL [IDLE]]
# DRIVER: fbnic (loaded at boot by fbnic-vm), igb or virtio_net (loaded
# here with fbnic-load).  COAL (fbnic only; "-": none): ethtool -C options
# applied once the netdev is up.  Brings the one netdev up with ADDR, then runs
# iperf3 -J against PEER for SECS seconds, guest->peer then peer->guest
# (-R).  Before that it sits IDLE seconds (default 0) with the link up
# between two dumps.  Before, between and after the two runs a
# "=== req dump" line asks the host for fbnic-emu's counters (answered
# for fbnic only), and the guest waits 2 s for the answer.  Output in
# sections ("=== NAME", lines).
export LC_ALL=C
DRV=$1 ADDR=$2 PEER=$3 SECS=$4 COAL=${5:--} IDLE=${6:-0}
now() { awk '{ print $1 }' /proc/uptime; }
since() { awk -v a="$1" '{ printf "%.2f", $1 - a }' /proc/uptime; }
sec() { echo "=== $1"; }

sec start
uname -r
if [ "$DRV" != fbnic ]; then
	fbnic-load "$DRV"; echo "load-rc $?"
fi
# The netdev: the one interface that is not lo (the driver may still be
# probing).
IF="" i=0
while [ $i -lt 100 ]; do
	for n in /sys/class/net/*; do
		[ "${n##*/}" = lo ] || { IF=${n##*/}; break; }
	done
	[ -n "$IF" ] && break
	i=$((i + 1)); sleep 0.1
done
sec netdev
[ -n "$IF" ] || { echo "none"; sec end; exit 1; }
echo "$IF $(basename "$(readlink "/sys/class/net/$IF/device/driver")")"
ethtool -l "$IF" 2>&1 | awk '/^Current/ { c = 1 } c && /^(Combined|RX|TX):/ { printf "%s %s ", $1, $2 } END { print "" }'

sec up
# As the net suite: no tail loss probes (a vCPU stalled under TCG makes
# them fire spuriously and count as retransmits).
if echo 0 >/proc/sys/net/ipv4/tcp_early_retrans; then echo "early-retrans-rc 0"; else echo "early-retrans-rc 1"; fi
ip addr add "$ADDR" dev "$IF"; echo "addr-rc $?"
ip link set "$IF" up; echo "ip-rc $?"
t0=$(now) i=0
while [ "$(cat "/sys/class/net/$IF/carrier" 2>/dev/null)" != 1 ] && [ $i -lt 300 ]; do
	i=$((i + 1)); sleep 0.1
done
echo "carrier $(cat "/sys/class/net/$IF/carrier" 2>/dev/null) after $(since "$t0") s"
if [ "$DRV" = fbnic ] && [ "$COAL" != - ]; then
	sec coalesce
	# shellcheck disable=SC2086  # options, one per word
	ethtool -C "$IF" $COAL; echo "rc $?"
fi
ethtool -c "$IF" 2>/dev/null | grep -E '^(rx|tx)-(usecs|frames):'
sec ping
ping -c 3 -i 0.2 -W 5 "$PEER" 2>&1; echo "rc $?"

if [ "$IDLE" -gt 0 ]; then
	echo "=== req dump"
	sleep 2
	sec idle
	sleep "$IDLE"; echo "slept $IDLE"
fi
for dir in up down; do
	echo "=== req dump"
	sleep 2
	sec "iperf-$dir"
	if [ $dir = up ]; then
		iperf3 -c "$PEER" -t "$SECS" -J --connect-timeout 5000 2>&1
	else
		iperf3 -c "$PEER" -t "$SECS" -J --connect-timeout 5000 -R 2>&1
	fi
	echo "rc $?"
done
echo "=== req dump"
sleep 2
sec stats
ip -s link show "$IF" 2>&1
ethtool -S "$IF" 2>&1 | grep -Ei 'drop|miss|no_buf|err|fifo|overrun' | grep -Ev ': 0$'
sec end
