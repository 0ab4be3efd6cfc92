#!/bin/bash
# tests/guest/lib.sh: what the guest suites that boot guests on an fbnic-emu
# started by the suite share (sourced by tests/guest/driver and
# tests/guest/net): TAP-like check lines, sections of the guest's output,
# the control channel, starting and stopping fbnic-emu, booting a guest on
# it.  The suite sets SUITE (its summary line's name), TMP, SOCKDIR, EMU,
# VM, HERE, and GUEST_SH (the guest-side script, under $HERE) before boot.
# EMU_WRAP=(cmd args...) runs fbnic-emu through a prefix (e.g. ip netns exec).

PASS=0 FAIL=0
ok() { echo "ok - $1"; PASS=$((PASS + 1)); }
notok() { # NAME [DIAGNOSTIC...] (each diagnostic cut to 15 lines)
	echo "not ok - $1"; FAIL=$((FAIL + 1)); shift
	local l
	for l in "$@"; do printf '%s\n' "$l" | head -n 15 | sed 's/^/#   /' >&2; done
}
# check NAME CMD...: ok if CMD succeeds.
check() { local n=$1; shift; if "$@"; then ok "$n"; else notok "$n"; fi; }
finish() {
	echo "$SUITE: $PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit
}

# section NAME FILE: the lines of the guest's section NAME (a request line
# "=== req ..." does not end a section).
section() { awk -v s="=== $1" '$0 == s { on = 1; next } /^=== req / { next } /^=== / { on = 0 } on' "$2"; }
has() { section "$2" "$1" | grep -E -- "$3" >/dev/null; }     # has FILE SECTION ERE
show() { section "$2" "$1" | head -n 30 | sed 's/^/#   | /' >&2; }
# num FILE SECTION ERE: the first number after ERE on the section's lines.
num() { section "$2" "$1" | sed -nE "s/.*$3 *([0-9.]+).*/\1/p" | head -n 1; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }'; }

# ctl CMD: send one line to fbnic-emu's control channel, print the answer;
# status 0 when it ends with "ok".
ctl() { "$REPO/tools/fbnic-ctl" "$CTL" "$1"; }

# start_emu NAME ARGS...: an fbnic-emu on $SOCKDIR/NAME.sock with a control
# channel $TMP/NAME.ctl; sets EMU_PID, SOCK, CTL, EMU_LOG.
start_emu() {
	local name=$1 i
	shift
	SOCK=$SOCKDIR/$name.sock CTL=$TMP/$name.ctl EMU_LOG=$TMP/$name.emu.log
	"${EMU_WRAP[@]}" "$EMU" --socket "$SOCK" --control "$CTL" "$@" </dev/null >"$EMU_LOG" 2>&1 &
	EMU_PID=$!
	for ((i = 0; i < 100; i++)); do
		if [ -S "$SOCK" ] && [ -S "$CTL" ] && grep -q 'listening on' "$EMU_LOG"; then
			# the device's event trace, for a failure's diagnosis
			ctl "trace on" >/dev/null 2>&1
			return 0
		fi
		kill -0 "$EMU_PID" 2>/dev/null || break
		sleep 0.1
	done
	notok "$name: fbnic-emu $* listens (device and control sockets)" "$(tail -n 5 "$EMU_LOG")"
	kill -TERM "$EMU_PID" 2>/dev/null; wait "$EMU_PID" 2>/dev/null; EMU_PID=""
	return 1
}
# stop_emu NAME: SIGTERM; check it was alive and exits 0.
stop_emu() {
	local rc=0 i
	if ! kill -0 "$EMU_PID" 2>/dev/null; then
		wait "$EMU_PID" 2>/dev/null; rc=$?
		notok "$1: fbnic-emu alive after the guest, exits 0 on SIGTERM (died, status $rc)" "$(tail -n 20 "$EMU_LOG")"
		EMU_PID=""
		return
	fi
	kill -TERM "$EMU_PID"
	for ((i = 0; i < 50; i++)); do kill -0 "$EMU_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$EMU_PID" 2>/dev/null; then
		kill -KILL "$EMU_PID"; wait "$EMU_PID" 2>/dev/null; EMU_PID=""
		notok "$1: fbnic-emu exits 0 on SIGTERM (still running after 5 s)"
		return
	fi
	wait "$EMU_PID" || rc=$?
	EMU_PID=""
	check "$1: fbnic-emu alive after the guest, exits 0 on SIGTERM" [ "$rc" = 0 ]
}
# check_emu_log NAME [ERE]: fbnic-emu logged no warning or error, except
# lines matching ERE (what the test provoked on purpose), and no sanitizer
# report (FBNIC_EMU=build/san/fbnic-emu).
check_emu_log() {
	local bad
	bad=$(grep -E '^ *[0-9.]+ fbnic-emu (warn|error) |Sanitizer|runtime error' "$EMU_LOG" |
		{ if [ -n "${2:-}" ]; then grep -Ev -- "$2"; else cat; fi; })
	if [ -z "$bad" ]; then ok "$1"; else notok "$1" "$bad"; fi
}

# boot NAME OUT VM-ARGS... -- STEPS...: tools/fbnic-vm on the running
# fbnic-emu (SOCK; empty: the one fbnic-vm starts), the guest running $GUEST_SH STEPS; every "=== req CMD" line
# is sent to the control channel as it appears (answers in OUT.ctl, each
# after a line "=== ctl CMD"); "=== req CMD #TAG" sends CMD and heads its
# answer "=== ctl CMD #TAG" (ctl_value).  Sets RC.
boot() {
	local name=$1 out=$2 t0=$SECONDS line
	shift 2
	local vmargs=()
	while [ "$1" != -- ]; do vmargs+=("$1"); shift; done
	shift
	# The files exist before the guest starts: tail must not race the
	# background shell's redirection (a loaded machine lost that race).
	: >"$out.ctl"
	: >"$out"
	# SOCK empty: fbnic-vm starts its own fbnic-emu (--peer needs that)
	[ -n "${SOCK:-}" ] && vmargs=(--socket "$SOCK" "${vmargs[@]}")
	"$VM" --timeout 300 "${vmargs[@]}" --file "$HERE/$GUEST_SH:/root/$GUEST_SH" \
		-- sh "/root/$GUEST_SH" "$@" >"$out" 2>"$out.err" &
	VM_PID=$!
	while IFS= read -r line; do
		case $line in
		"=== req "*)
			local req=${line#=== req } tag=""
			if [[ $req == *" #"* ]]; then tag=" #${req##* #}" req=${req% #*}; fi
			{
				echo "=== ctl $req$tag"
				ctl "$req" 2>&1
				echo "rc $?"
			} >>"$out.ctl"
			;;
		esac
	done < <(tail -s 0.1 -n +1 -f --pid="$VM_PID" "$out")
	RC=0
	wait "$VM_PID" || RC=$?
	VM_PID=""
	echo "# boot $name: exit $RC in $((SECONDS - t0)) s" >&2
	if [ "$RC" != 0 ]; then tail -n 20 "$out.err" | sed 's/^/#   ! /' >&2; fi
	check "$name: guest steps ran (fbnic-vm exit 0)" [ "$RC" = 0 ]
	check "$name: guest reached the end of its steps" grep -qx '=== end' "$out"
	local nreq nok
	nreq=$(grep -c '^=== req ' "$out")
	nok=$(grep -cx 'rc 0' "$out.ctl")
	if [ "$nreq" = 0 ]; then
		: # the guest asked nothing of the host
	elif [ "$nok" = "$nreq" ]; then
		ok "$name: control channel answered ok to all $nreq requests"
	else
		notok "$name: control channel answered ok to all $nreq requests ($nok ok)" "$(cat "$out.ctl")"
	fi
}

# ctl_value OUT TAG KEY: KEY's value in the answer to the guest's
# "=== req dump #TAG" (boot), empty if absent.
ctl_value() {
	awk -v head="=== ctl dump #$2" -v k="$3" '
		/^=== ctl / { on = ($0 == head) }
		on && $1 == k { print $2; exit }' "$1.ctl"
}

EMU_WRAP=()
