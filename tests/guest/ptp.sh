#!/bin/sh
# Guest side of tests/guest/ptp: ptp.sh ROLE ADDR PEER SECS
# ROLE master: the PHC checked with phc_ctl (sections phc-set, phc-freq),
#   then ptp4l as the grandmaster for SECS + 60 s (section ptp4l).
# ROLE slave: waits until PEER answers ping, then ptp4l slave-only for
#   SECS s, with phc2sys disciplining CLOCK_REALTIME from the PHC for the
#   same time (sections ptp4l, phc2sys).
# Both: the fbnic netdev up with ADDR (sections netdev, tstamp: ethtool
# -T), ptp4l over layer 2 with hardware timestamps, 4 Sync messages a
# second; a TX timestamp has been seen to take 200 ms to come back under
# TCG, so ptp4l waits up to 2 s for one (its default is 1 ms; a wait that
# runs out faults the port and restarts the servo).  Output in sections ("=== NAME", then lines).
export LC_ALL=C
ROLE=$1 ADDR=$2 PEER=$3 SECS=$4
sec() { echo "=== $1"; }
# linuxptp's management sockets live there (the initramfs has no /var/run)
mkdir -p /var/run

sec netdev
IF="" i=0
while [ $i -lt 100 ]; do
	for n in /sys/class/net/*; do
		[ -e "$n/device" ] && IF=${n##*/}
	done
	[ -n "$IF" ] && break
	i=$((i + 1)); sleep 0.1
done
echo "$IF"
ip addr add "$ADDR" dev "$IF" && ip link set "$IF" up; echo "up-rc $?"
i=0
while [ "$(cat "/sys/class/net/$IF/carrier" 2>/dev/null)" != 1 ] && [ $i -lt 300 ]; do
	i=$((i + 1)); sleep 0.1
done
echo "carrier $(cat "/sys/class/net/$IF/carrier" 2>/dev/null)"
sec tstamp
ethtool -T "$IF" 2>&1

# (--summary_interval: a "master offset" line for every Sync, not a
# summary a second)
PTP4L_OPTS="-i $IF -2 -H -m --logSyncInterval=-2 --summary_interval=-2 --tx_timestamp_timeout=2000 --uds_address=/tmp/ptp4l"
if [ "$ROLE" = master ]; then
	# settime and gettime, adjtime: 1000 s, then 5 s more
	sec phc-set
	phc_ctl "$IF" set 1000 get adj 5 get 2>&1; echo "rc $?"
	# adjfine: the PHC against CLOCK_REALTIME over 3 s, at the nominal
	# rate and then 100 ppm fast
	sec phc-freq
	phc_ctl "$IF" set freq 0 cmp wait 3 cmp freq 100000 wait 3 cmp freq 0 set 2>&1; echo "rc $?"
	sec ptp4l
	# shellcheck disable=SC2086  # options, one per word
	timeout $((SECS + 60)) ptp4l $PTP4L_OPTS --priority1=100 2>&1
	echo "rc $?"
else
	sec waitping
	i=0
	until ping -c 1 -W 1 "$PEER" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 120 ] || break
	done
	echo "after $i tries"
	# phc2sys once ptp4l's socket is there (-w: it waits for the sync)
	(sleep 3; timeout $((SECS - 3)) phc2sys -s "$IF" -c CLOCK_REALTIME -O 0 -w -m \
		-z /tmp/ptp4l) >/tmp/phc2sys.out 2>&1 &
	p=$!
	sec ptp4l
	# shellcheck disable=SC2086  # options, one per word
	timeout "$SECS" ptp4l $PTP4L_OPTS -s 2>&1
	echo "rc $?"
	wait "$p"
	sec phc2sys
	cat /tmp/phc2sys.out
fi
# the driver's timestamp statistics (fbnic_get_ts_stats), ptp4l done
sec tsstats
ethtool -I -T "$IF" 2>&1 | sed -n '/^Statistics:/,$p'
sec end
