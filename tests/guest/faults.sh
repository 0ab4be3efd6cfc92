#!/bin/sh
# shellcheck disable=SC3043  # busybox ash has local
# Guest side of tests/guest/faults: faults.sh ADDR/PREFIX PEER
# One queue pair (ethtool -L combined 1: its NAPI vector is MSI-X 2), IPv6
# off and the peer's MAC a permanent neighbour (no neighbour discovery,
# MLD or ARP frames among the counted ones); then one fault after
# another, each armed through a
# "=== req fault ..." line the host sends to fbnic-emu's control channel.
# Output in sections ("=== NAME", then lines) the host checks.
export LC_ALL=C
ADDR=$1 PEER=$2
sec() { echo "=== $1"; }
# snmp PROTO FIELD: a counter of /proc/net/snmp
snmp() { awk -v p="$1:" -v f="$2" '$1 == p { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c[f] }' /proc/net/snmp; }
# req CMD: ask the host, give it time to act (it polls our output)
req() { echo "=== req $*"; sleep 1.5; }
# received: how many replies a ping's summary line counts (iputils:
# "N packets transmitted, M received, ..."); 0 when it printed none
received() { grep -oE '[0-9]+ (packets )?received' | grep -oE '^[0-9]+' || echo 0; }
# answered: for ping -w (which sends on until COUNT replies came, so a late
# reply is waited for, not counted lost): the replies, and " of N sent"
# when some echo went unanswered
answered() {
	awk '/packets transmitted/ { t = $1; r = $4 } END { print r + 0 (t != r ? " of " t + 0 " sent" : "") }'
}
wait_carrier() { # VALUE MAX_TENTHS
	local i=0
	while [ "$(cat "/sys/class/net/$IF/carrier" 2>/dev/null)" != "$1" ] && [ $i -lt "$2" ]; do
		i=$((i + 1)); sleep 0.1
	done
	echo "carrier $(cat "/sys/class/net/$IF/carrier" 2>/dev/null) after $i"
}
# bounce: ifdown/ifup, as an operator would to recover a stuck queue
bounce() {
	ip link set "$IF" down; ip link set "$IF" up
	wait_carrier 1 200
	ping -c 1 -W 5 "$PEER" >/dev/null 2>&1 # the neighbour again
}

sec start
IF=""
for n in /sys/class/net/*; do [ "${n##*/}" = lo ] || IF=${n##*/}; done
echo "netdev $IF"
for k in all default "$IF"; do sysctl -qw "net.ipv6.conf.$k.disable_ipv6=1"; done
ethtool -L "$IF" combined 1; echo "channels-rc $?"
ip addr add "$ADDR" dev "$IF"
ip link set "$IF" up
wait_carrier 1 200
ping -c 2 -W 5 "$PEER" >/dev/null 2>&1; echo "ping-rc $?"
# The peer's address for good (the host did the same for ours): no ARP
# frame later, when a fault counts frames
mac=$(ip neigh show "$PEER" dev "$IF" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
ip neigh replace "$PEER" lladdr "$mac" dev "$IF" nud permanent; echo "neigh-rc $?"

# rx drop: 5 of the next frames from the wire (the echo replies) lost
sec rx-drop
req fault rx drop count 5
echo "received $(ping -c 20 -i 0.2 -W 2 "$PEER" 2>&1 | received)"

# rx corrupt: 10 UDP echo replies with a bit flipped; the stack finds
# their checksums bad (fbnic_rx_csum gave CHECKSUM_COMPLETE, no
# L4_CSUM_UNNECESSARY): Udp InCsumErrors rises by 10, 40 of 50 arrive
sec rx-corrupt
c0=$(snmp Udp InCsumErrors)
req fault rx corrupt count 10
python3 - "$PEER" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
got = 0
for i in range(50):
    s.sendto(b"%04d" % i + bytes(196), (sys.argv[1], 7777))
    try:
        s.recvfrom(2048)
        got += 1
    except socket.timeout:
        pass
print("replies %d" % got)
EOF
echo "csum-errors $(($(snmp Udp InCsumErrors) - c0))"

# rx fcs: 3 frames with a bad FCS, dropped by the MAC and counted where
# the driver reads them (MAC_STAT_RX_PACKET_BAD_FCS: ethtool's eth-mac
# FrameCheckSequenceErrors)
sec rx-fcs
fcs() { ethtool -S "$IF" --groups eth-mac 2>/dev/null | awk '$1 == "eth-mac-FrameCheckSequenceErrors:" || $1 == "FrameCheckSequenceErrors:" { print $2 }'; }
f0=$(fcs)
req fault rx fcs count 3
echo "received $(ping -c 10 -i 0.2 -W 2 "$PEER" 2>&1 | received)"
echo "fcs-errors $(($(fcs) - ${f0:-0}))"
ethtool -S "$IF" --groups eth-mac 2>&1 | grep -i frame | head -n 3

# tx drop: 5 echo requests completed by the device but lost on the wire
sec tx-drop
t0=$(cat "/sys/class/net/$IF/statistics/tx_packets")
req fault tx drop count 5
echo "received $(ping -c 20 -i 0.2 -W 2 "$PEER" 2>&1 | received)"
echo "tx-packets $(($(cat "/sys/class/net/$IF/statistics/tx_packets") - t0))"

# tx stall: nothing leaves; the driver has no ndo_tx_timeout
# (fbnic_netdev_ops), so the kernel arms no TX watchdog
# (netdev_watchdog_up) and logs no timeout; traffic resumes at clear
sec tx-stall
req fault tx stall
echo "stalled-received $(ping -c 3 -i 0.5 -W 1 "$PEER" 2>&1 | received)"
sleep 6
echo "watchdog-lines $(dmesg | grep -c 'NETDEV WATCHDOG')"
req fault clear tx stall
echo "after-received $(ping -w 60 -c 5 -i 0.2 -W 2 "$PEER" 2>&1 | answered)"

# irq drop: the next MSI-X message of vector 2 swallowed.  The vector
# stays masked (auto-mask) and only the NAPI poll re-arms it
# (fbnic_poll -> fbnic_nv_irq_rearm), which nothing schedules now: the
# queue pair is silent until ifdown/ifup
sec irq-drop
req fault irq drop vector 2 count 1
echo "lost-received $(ping -c 5 -i 0.2 -W 1 "$PEER" 2>&1 | received)"
bounce
echo "after-received $(ping -w 60 -c 5 -i 0.2 -W 2 "$PEER" 2>&1 | answered)"

# dma fail: the next DMA of queue 0 (the echo request's descriptor read)
# fails: the ring stops as on a bus error; the driver has no handler for
# it, so the queue stays stopped until ifdown/ifup resets its rings
sec dma-fail
req fault dma fail queue 0 count 1
echo "failed-received $(ping -c 5 -i 0.2 -W 1 "$PEER" 2>&1 | received)"
bounce
echo "after-received $(ping -w 60 -c 5 -i 0.2 -W 2 "$PEER" 2>&1 | answered)"

# completion delay: 3 holds of 300 ms (TX write-back, or frames from the
# wire held, not dropped): late replies, none lost
sec completion-delay
req fault completion delay ms 300 count 3
out=$(ping -w 60 -c 5 -i 0.2 -W 3 "$PEER" 2>&1)
echo "received $(echo "$out" | answered)"
echo "max-rtt $(echo "$out" | sed -n 's|.*= [0-9.]*/[0-9.]*/\([0-9]*\)[0-9.]*/.*|\1|p')"

# link flap under traffic: carrier follows the cable; traffic resumes
sec link-flap
ping -c 100 -i 0.1 -W 1 "$PEER" >/tmp/flap.ping 2>&1 &
sleep 1
req link down
wait_carrier 0 100
req link up
wait_carrier 1 300
wait
echo "during-received $(received </tmp/flap.ping)"
echo "after-received $(ping -w 60 -c 5 -i 0.2 -W 2 "$PEER" 2>&1 | answered)"

# fw crash under traffic: the data path does not go through the
# firmware: no echo lost
sec fw-crash
ping -w 60 -c 30 -i 0.1 -W 2 "$PEER" >/tmp/fw.ping 2>&1 &
sleep 1
req fw reboot injected-crash
wait
echo "during-received $(answered </tmp/fw.ping)"

sec faults
req fault list
sec dmesg
dmesg | grep -iE 'fbnic|watchdog|csum' | tail -n 20
sec end
