#!/bin/sh
# Guest side of tools/fbnic-demo: show the emulated NIC from the guest,
# then traffic to the peer: demo.sh ADDR/PREFIX PEER.
ADDR=${1:-} PEER=${2:-}
run() { echo; echo "fbnic-guest# $*"; "$@" 2>&1; }
runsh() { echo; echo "fbnic-guest# $1"; sh -c "$1" 2>&1; }
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")/$(cat "$d/device")" = 0x1d9b/0x0013 ] && dev=${d##*/}
done
run uname -r
run lspci -nn
[ -n "$dev" ] || { echo "fbnic-demo: no 1d9b:0013 device in the guest"; exit 1; }
runsh "lspci -vv -s $dev | grep -E 'Ethernet|Region|MSI-X|Serial|Express|Kernel driver'"
runsh 'dmesg | grep -i fbnic'
run ip -br link
n=$(ls "/sys/bus/pci/devices/$dev/net" 2>/dev/null | head -n 1)
if [ -n "$n" ]; then
	run ethtool -i "$n"
	run devlink dev info
	run ip link set "$n" up
	sleep 2
	run ip -br link show "$n"
	runsh "ethtool $n | grep -E 'Speed|Lanes|Duplex|Link detected'"
	# What the firmware model answers (7.3 driver; 6.12 lacks these).
	# online: the firmware mailbox test; the offline register test needs
	# fbnic-emu --bar0-mmap=off (mapped queue pages read back what the
	# driver stored, not the masked values it expects)
	run ethtool -t "$n" online
	runsh 'for h in /sys/class/hwmon/hwmon*; do [ "$(cat $h/name)" = fbnic ] && echo "temp1_input $(cat $h/temp1_input) m°C, in0_input $(cat $h/in0_input) mV"; done'
	runsh "ethtool -m $n | grep -E 'Identifier|Vendor name|Vendor PN|Transceiver type'"
	run devlink health show
	run ethtool -T "$n"
	if [ -n "$PEER" ]; then
		echo 0 >/proc/sys/net/ipv4/tcp_early_retrans
		run ip addr add "$ADDR" dev "$n"
		run ping -c 3 "$PEER"
		run iperf3 -c "$PEER" -t 10
		run iperf3 -c "$PEER" -t 10 -R
		runsh "ip -s link show $n"
	fi
else
	echo
	echo "fbnic-demo: fbnic is not bound to $dev (see dmesg above)"
fi
exit 0
