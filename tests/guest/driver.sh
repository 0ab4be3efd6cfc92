#!/bin/sh
# shellcheck disable=SC3043  # busybox ash has local
# Guest side of tests/guest/driver: runs the steps named on the command line,
# in order, in the fbnic-vm guest (busybox sh), and reports what it saw in
# sections ("=== NAME", then lines) that the host-side checks read.
#
# A step that needs something only the host can do (pull the cable, change a
# sensor, stop the firmware heartbeat) prints "=== req CMD": the host sends
# CMD to fbnic-emu's control channel as soon as it reads the line.  The guest
# then polls for the effect, with a bound, and reports what it saw and when.
#
# Steps:
#   start              kernel, BDF, netdev, raw dmesg at the end of probe
#   versions           ethtool -i, devlink dev info
#   linkup             ip link set up, time to carrier, ethtool, FEC
#   module             ethtool -m
#   hwmon T V          fbnic hwmon temp1/in0; then the host sets T mC, V mV
#   idle S             S seconds idle (from linkup's carrier) then devlink health
#   selftest           ethtool -t, then the time for carrier to come back
#   flash NAME FILE    devlink dev flash FILE (under /lib/firmware); info after
#   cable              control "link down" then "link up": carrier 0, then 1
#   flaps N            N x (ip link set down; ip link set up), each timed
#   reloads N          N x (rmmod fbnic; modprobe fbnic), each timed
#   mode MODE FEC      the host sets the link mode and pulls the cable; reload;
#                      the host plugs it back; link up; ethtool
#   heartbeat          control "fw heartbeat stop"; time to a fw reporter error
#   dmesg NAME         the raw dmesg (dmesg -r) as section dmesg-NAME
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
ifname() { ls "$DEV/net" 2>/dev/null | head -n 1; }
sec() { echo "=== $1"; }
req() { echo "=== req $*"; }
carrier() { cat "/sys/class/net/$IF/carrier" 2>/dev/null || echo none; }
# wait_carrier VALUE MAX_S: poll every 0.1 s; prints "carrier VALUE after T s"
# or "carrier still X after T s"; status 0 when VALUE was reached.
wait_carrier() {
	local t0 i=0 max=$(($2 * 10))
	t0=$(now)
	while [ "$(carrier)" != "$1" ]; do
		i=$((i + 1))
		if [ $i -gt $max ]; then
			echo "carrier still $(carrier) after $(since "$t0") s"
			return 1
		fi
		sleep 0.1
	done
	echo "carrier $1 after $(since "$t0") s"
}
hwmon_dir() {
	local h
	for h in /sys/class/hwmon/hwmon*; do
		[ "$(cat "$h/name" 2>/dev/null)" = fbnic ] && { echo "$h"; return; }
	done
}
IF=$(ifname)
while [ $# -gt 0 ]; do
	step=$1
	shift
	case $step in
	start)
		sec kernel; uname -r
		sec bdf; echo "${BDF:-none}"
		sec netdev; echo "${IF:-none}"
		sec dmesg-probe; dmesg -r
		;;
	versions)
		sec ethtool-i; ethtool -i "$IF" 2>&1; echo "rc $?"
		sec devlink-info; devlink dev info "pci/$BDF" 2>&1; echo "rc $?"
		;;
	linkup)
		sec linkup
		ip link set "$IF" up; echo "ip-rc $?"
		wait_carrier 1 10
		now >/tmp/carrier-up-at
		cat "/sys/class/net/$IF/carrier_changes" >/tmp/carrier-changes
		sec ethtool; ethtool "$IF" 2>&1
		sec fec; ethtool --show-fec "$IF" 2>&1
		sec link-dmesg; dmesg | grep -F "$IF: Link is"
		;;
	module)
		sec module; ethtool -m "$IF" 2>&1; echo "rc $?"
		;;
	hwmon)
		t=$1 v=$2
		shift 2
		h=$(hwmon_dir)
		sec hwmon-initial
		echo "dir ${h:-none}"
		echo "temp $(cat "$h/temp1_input" 2>&1)"
		echo "volt $(cat "$h/in0_input" 2>&1)"
		req sensor temp "$t"
		req sensor volt "$v"
		sec hwmon-changed
		t0=$(now) i=0
		while [ "$(cat "$h/temp1_input" 2>/dev/null)" != "$t" ] ||
			[ "$(cat "$h/in0_input" 2>/dev/null)" != "$v" ]; do
			i=$((i + 1)); [ $i -gt 50 ] && break
			sleep 0.1
		done
		echo "temp $(cat "$h/temp1_input" 2>&1)"
		echo "volt $(cat "$h/in0_input" 2>&1)"
		echo "after $(since "$t0") s"
		;;
	idle)
		# Nothing but this loop runs: carrier sampled every second.
		s=$1
		shift
		up=$(cat /tmp/carrier-up-at)
		low=0
		while awk -v a="$up" -v s="$s" '{ exit !($1 - a < s) }' /proc/uptime; do
			[ "$(carrier)" = 1 ] || low=$((low + 1))
			sleep 1
		done
		sec idle
		echo "idle $(since "$up") s since carrier"
		echo "carrier $(carrier)"
		echo "carrier-low-samples $low"
		echo "carrier-changes $(cat /tmp/carrier-changes) -> $(cat "/sys/class/net/$IF/carrier_changes")"
		sec health; devlink health show "pci/$BDF" 2>&1; echo "rc $?"
		;;
	selftest)
		sec selftest; ethtool -t "$IF" 2>&1; echo "rc $?"
		sec selftest-carrier; wait_carrier 1 30
		;;
	flash)
		name=$1 file=$2
		shift 2
		sec "flash-$name"
		t0=$(now)
		devlink dev flash "pci/$BDF" file "$file" 2>&1; echo "rc $?"
		echo "took $(since "$t0") s"
		sec "flash-$name-info"; devlink dev info "pci/$BDF" 2>&1; echo "rc $?"
		sec "flash-$name-carrier"; wait_carrier 1 10
		;;
	cable)
		sec cable-down
		req link down
		# A missed link event: have the host keep the device's trace.
		wait_carrier 0 10 || { req dump trace; req dump; }
		sec cable-up
		req link up
		wait_carrier 1 30
		;;
	flaps)
		n=$1
		shift
		sec flaps
		i=0
		while [ $i -lt "$n" ]; do
			i=$((i + 1))
			t0=$(now)
			ip link set "$IF" down; r1=$?
			ip link set "$IF" up; r2=$?
			echo "cycle $i $(since "$t0") rc $r1 $r2"
		done
		sec flaps-carrier; wait_carrier 1 30
		;;
	reloads)
		n=$1
		shift
		sec reloads
		i=0
		while [ $i -lt "$n" ]; do
			i=$((i + 1))
			t0=$(now)
			rmmod fbnic; r1=$?
			modprobe fbnic; r2=$?
			echo "cycle $i $(since "$t0") rc $r1 $r2 netdev $(ifname)"
		done
		IF=$(ifname)
		sec reloads-link
		ip link set "$IF" up; echo "ip-rc $?"
		wait_carrier 1 30
		;;
	mode)
		m=$1 f=$2
		shift 2
		# The firmware reports a new mode in the capabilities the driver
		# reads at probe: reload.  The cable is pulled first, so that the
		# guest knows (carrier 0) the host has done both requests.
		sec mode-down
		req link mode "$m" fec "$f"
		req link down
		wait_carrier 0 10
		sec mode
		rmmod fbnic; echo "rmmod-rc $?"
		modprobe fbnic; echo "modprobe-rc $?"
		IF=$(ifname)
		req link up
		ip link set "$IF" up; echo "ip-rc $?"
		wait_carrier 1 30
		sec mode-ethtool; ethtool "$IF" 2>&1
		sec mode-fec; ethtool --show-fec "$IF" 2>&1
		sec mode-dmesg; dmesg | grep -F "$IF: Link is" | tail -n 1
		;;
	heartbeat)
		sec heartbeat
		devlink health show "pci/$BDF" reporter fw 2>&1
		req fw heartbeat stop
		t0=$(now) i=0
		until devlink health show "pci/$BDF" reporter fw 2>/dev/null | grep -Eq ' error [1-9]'; do
			i=$((i + 1)); [ $i -gt 65 ] && break
			sleep 1
		done
		echo "after $(since "$t0") s"
		devlink health show "pci/$BDF" 2>&1; echo "rc $?"
		;;
	dmesg)
		sec "dmesg-$1"; dmesg -r
		shift
		;;
	*)
		echo "driver.sh: unknown step $step" >&2
		exit 2
		;;
	esac
done
sec end
