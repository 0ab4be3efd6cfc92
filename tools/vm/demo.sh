#!/bin/sh
# Guest side of tools/fbnic-demo: show the emulated NIC from the guest.
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
	run ethtool "$n"
else
	echo
	echo "fbnic-demo: fbnic is not bound to $dev (see dmesg above)"
fi
exit 0
