#!/bin/sh
# Guest side of tests/guest/run: dump what the host-side checks look at, in
# sections ("=== NAME").  Runs in the fbnic-vm guest (busybox sh).
dev=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1d9b ] && [ "$(cat "$d/device")" = 0x0013 ]; then
		dev=${d##*/}
	fi
done
echo "=== kernel"
uname -r
echo "=== bdf"
echo "${dev:-none}"
echo "=== lspci-nn"
lspci -nn -D
echo "=== lspci-vvv"
[ -n "$dev" ] && lspci -vvv -nn -s "$dev"
echo "=== driver"
if [ -n "$dev" ] && [ -e "/sys/bus/pci/devices/$dev/driver" ]; then
	basename "$(readlink "/sys/bus/pci/devices/$dev/driver")"
else
	echo none
fi
echo "=== module"
cat /sys/module/fbnic/initstate 2>/dev/null || echo absent
echo "=== netdev"
[ -n "$dev" ] && ls "/sys/bus/pci/devices/$dev/net" 2>/dev/null
echo "=== dmesg-fbnic"
dmesg | grep -i fbnic
echo "=== end"
