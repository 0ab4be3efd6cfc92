# fbnic-emu: the root Makefile is the entry point.
#   make           build build/fbnic-emu
#   make check     every test suite, normal and ASan+UBSan builds, guest included;
#                  unit, device and protocol suites under ThreadSanitizer too;
#                  a short smoke of every fuzz target (make fuzz: longer runs)
#   make demo      set up the guest rig once, boot a guest on the emulated NIC
# Variables: O=<dir> build directory, SAN=1 sanitizer build (ASan+UBSan),
#            SAN=thread ThreadSanitizer build,
#            CHECK_GUEST=0 skip the guest suite (it needs root and the rig),
#            LTO=0 no link-time optimisation (on by default with GCC).

O ?= build
CC ?= cc
SAN ?= 0

CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
	-g -pthread -Isrc -Itests/lib -MMD -MP
ifeq ($(SAN),1)
CFLAGS_OPT := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
LDFLAGS_SAN := -fsanitize=address,undefined
else ifeq ($(SAN),fuzz)
# libFuzzer targets (make fuzz): clang, coverage on every object.
CFLAGS_OPT := -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS_SAN := -fsanitize=address,undefined
else ifeq ($(SAN),thread)
CFLAGS_OPT := -O1 -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS_SAN := -fsanitize=thread
else
CFLAGS_OPT := -O2
LDFLAGS_SAN :=
# Link-time optimisation (GCC): a frame's path crosses files (the ring
# helpers and the DMA wrappers in dev/, the data path in dp/, the checksum
# in pkt/), and inlining across them takes a fifth off the per-frame
# cost (bench/pps at 64 B: 6.6 -> 8.5 Mpps).  LTO=0 turns it off.
LTO ?= $(if $(shell $(CC) --version 2>/dev/null | grep -q 'Free Software Foundation' && echo y),1,0)
endif
ifeq ($(LTO),1)
CFLAGS_OPT += -flto=auto
# (the link compiles: the same warnings, as errors)
LDFLAGS_LTO := -flto=auto -O2 -Wall -Wextra -Werror
AR := gcc-ar
else
LDFLAGS_LTO :=
AR := ar
endif
CFLAGS ?=
# systemd socket activation through Debian's libsystemd (libsystemd-dev);
# without it fbnic-emu builds, and refuses sockets handed over.
HAVE_LIBSYSTEMD := $(shell pkg-config --exists libsystemd 2>/dev/null && echo 1)
SYSTEMD_CFLAGS := $(if $(HAVE_LIBSYSTEMD),-DHAVE_LIBSYSTEMD $(shell pkg-config --cflags libsystemd))
SYSTEMD_LIBS := $(if $(HAVE_LIBSYSTEMD),$(shell pkg-config --libs libsystemd))
ALL_CFLAGS := $(CFLAGS_BASE) $(CFLAGS_OPT) $(SYSTEMD_CFLAGS) $(CPPFLAGS) $(CFLAGS)
LDLIBS := -pthread $(LDFLAGS_SAN) $(SYSTEMD_LIBS)

# The model and its adapters, everything but main(), as one library.
LIB_SRCS := $(wildcard src/util/*.c src/link/*.c src/fw/*.c src/dev/*.c src/vfio-user/*.c \
	src/dp/*.c src/net/*.c \
	src/pkt/*.c) \
	src/runner.c src/control.c src/activation.c
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
LIB := $(O)/libfbnic-emu.a

TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(O)/%.o)

UNIT_TESTS := $(patsubst %.c,$(O)/%,$(wildcard tests/unit/test_*.c))
DEVICE_TESTS := $(patsubst %.c,$(O)/%,$(wildcard tests/device/test_*.c))
PROTOCOL_TESTS := $(patsubst %.c,$(O)/%,$(wildcard tests/protocol/test_*.c))
TESTS := $(UNIT_TESTS) $(DEVICE_TESTS) $(PROTOCOL_TESTS)
BENCHES := $(patsubst %.c,$(O)/%,$(wildcard bench/*.c))
FUZZERS := $(patsubst %.c,$(O)/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all tests check check-build check-guest demo clean bench bench-guest bench-iperf bench-soak bench-faults bench-pps FORCE install deb \
	fuzz fuzzers selftests
# Keep objects of pattern-rule binaries (else make deletes them as
# intermediates and relinks every test on the next run).
.SECONDARY:
all: $(O)/fbnic-emu

# V=1 shows the commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-4s %s\n' $(1) $(2)
endif

# Every object is rebuilt when the flags change (LTO=0, CFLAGS=...).
$(O)/build-flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(CC) $(ALL_CFLAGS) $(LDFLAGS_LTO)' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(O)/%.o: %.c $(O)/build-flags
	@mkdir -p $(dir $@)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The version string: VERSION, plus the commit when built in a git
# checkout.  version-gen.h is rewritten only when the string changes.
VERSION := $(shell cat VERSION)
# (Only this tree's own checkout: a copy inside another repository, as
# make deb's build/debsrc, is not that repository's commit.)
GIT_REV := $(shell [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ] && \
	git describe --always --dirty --abbrev=7 2>/dev/null)
VERSION_STR := $(VERSION)$(if $(GIT_REV), (git $(GIT_REV)))
$(O)/version-gen.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define FBNIC_EMU_VERSION_STR "$(VERSION_STR)"' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(O)/src/util/version.o: $(O)/version-gen.h
$(O)/src/util/version.o: ALL_CFLAGS += -I$(O)
# activation.c is built with or without libsystemd: rebuilt when that changes.
$(O)/systemd-flag: FORCE
	@mkdir -p $(dir $@)
	@echo '$(HAVE_LIBSYSTEMD)' >$@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(O)/src/activation.o: $(O)/systemd-flag
FORCE:

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(O)/fbnic-emu: $(O)/src/main.o $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_LTO) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/%: $(O)/tests/%.o $(TESTLIB_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_LTO) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# (The benchmarks too: built with the tests, they cannot rot.)
tests: $(O)/fbnic-emu $(TESTS) $(BENCHES)

# make check: build both flavours, then run the suites; one summary line.
check:
	@tools/need-build-deps
	$(MAKE) --no-print-directory O=build tests
	$(MAKE) --no-print-directory O=build/san SAN=1 tests
	$(MAKE) --no-print-directory O=build/tsan SAN=thread tests
	@tests/fuzz/need-clang
	$(MAKE) --no-print-directory O=build/fuzz SAN=fuzz CC=clang fuzzers
	@FUZZ_SMOKE=build/fuzz tests/run-suites build build/san build/tsan

# Coverage-guided fuzzing (libFuzzer, clang, ASan+UBSan): every target in
# tests/fuzz/ for FUZZ_TIME seconds from its seed corpus; one closing line
# "fuzz: N targets, M execs, K crashes".  Needs clang and libFuzzer
# (tests/fuzz/need-clang installs them when missing).
FUZZ_TIME ?= 10
$(O)/tests/fuzz/%: $(O)/tests/fuzz/%.o $(TESTLIB_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzzers: $(FUZZERS)

fuzz:
	@tests/fuzz/need-clang
	$(MAKE) --no-print-directory O=build/fuzz SAN=fuzz CC=clang fuzzers
	@tests/fuzz/run build/fuzz $(FUZZ_TIME)

check-guest: all
	tests/guest/run

demo: all
	tools/fbnic-demo

# The kernel's drivers/net and drivers/net/hw selftests (7.3) on fbnic-emu,
# KTAP on stdout; KSFT="ping.py hw/csum.py" for a subset, REPEAT=N,
# PEER=fbnic (a second fbnic-emu at the cable's other end), SMP=N.
# Needs root and the rig (the first run builds the selftests into it).
selftests: all
	FBNIC_EMU=$(abspath $(O))/fbnic-emu tools/fbnic-selftests $(if $(REPEAT),--repeat $(REPEAT)) \
		$(if $(PEER),--peer $(PEER)) $(if $(SMP),--smp $(SMP)) $(KSFT)

$(O)/bench/%: $(O)/bench/%.o $(TESTLIB_OBJS) $(LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_LTO) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Benchmarks print figures; timing goals live here, never in tests.
bench: $(O)/fbnic-emu $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; FBNIC_EMU=$(O)/fbnic-emu $$b || exit 1; done

# Guest cycle times (down/up, reload) per kernel; needs root and the rig.
bench-guest: all
	bench/guest-cycles

# iperf3 each way through fbnic-emu, QEMU's igb and virtio-net, with the
# ratios; needs root and the rig.
bench-iperf: all
	FBNIC_EMU=$(abspath $(O))/fbnic-emu bench/iperf-compare

# Integrity and endurance: 10 GB checksummed each way, 100 QEMU kills and
# reconnects, 50 guest reboots, all under traffic (about an hour); needs
# root and the rig.  SOAK="--gb 1 --reconnects 5 --reboots 5" for less.
bench-soak: all
	FBNIC_EMU=$(abspath $(O))/fbnic-emu bench/soak $(SOAK)

# make install [PREFIX=/usr/local] [DESTDIR=...]: fbnic-emu and fbnic-ctl
# in bin; the guest rig (fbnic-vm) and the selftest runner
# (fbnic-selftests) under lib/fbnic-emu with links in bin; man pages;
# systemd units (socket activation); bash completion.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib/fbnic-emu
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
MANPAGES := $(wildcard man/*.1)
UNITS := $(wildcard systemd/*.socket systemd/*.service)
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/tools/vm \
		$(DESTDIR)$(LIBDIR)/tests/guest $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(O)/fbnic-emu $(DESTDIR)$(BINDIR)/fbnic-emu
	install -m 755 tools/fbnic-ctl $(DESTDIR)$(BINDIR)/fbnic-ctl
	install -m 755 tools/fbnic-vm tools/fbnic-selftests tools/fbnic-ctl \
		$(DESTDIR)$(LIBDIR)/tools/
	install -m 755 $(filter-out %.c,$(wildcard tools/vm/*)) $(DESTDIR)$(LIBDIR)/tools/vm/
	install -m 644 $(wildcard tools/vm/*.c) $(DESTDIR)$(LIBDIR)/tools/vm/
	install -m 644 tests/guest/ksft-expect $(DESTDIR)$(LIBDIR)/tests/guest/
	ln -sf ../lib/fbnic-emu/tools/fbnic-vm $(DESTDIR)$(BINDIR)/fbnic-vm
	ln -sf ../lib/fbnic-emu/tools/fbnic-selftests $(DESTDIR)$(BINDIR)/fbnic-selftests
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	for u in $(UNITS); do \
		sed 's|/usr/bin/fbnic-emu|$(BINDIR)/fbnic-emu|' $$u \
			>$(DESTDIR)$(UNITDIR)/$$(basename $$u) || exit 1; \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$(basename $$u); \
	done
	install -m 644 tools/completion.bash $(DESTDIR)$(COMPLETIONDIR)/fbnic-emu
	ln -sf fbnic-emu $(DESTDIR)$(COMPLETIONDIR)/fbnic-vm
	ln -sf fbnic-emu $(DESTDIR)$(COMPLETIONDIR)/fbnic-selftests

# make deb: the Debian package (debian/, debhelper) built from a copy of
# the tree in build/debsrc, checked by lintian (errors and warnings fail);
# the .deb lands in build/.
deb:
	@tools/need-deb-tools
	rm -rf build/debsrc && mkdir -p build/debsrc/fbnic-emu-$(VERSION)
	tar -c --exclude=./build --exclude=./.git . | tar -x -C build/debsrc/fbnic-emu-$(VERSION)
	cd build/debsrc/fbnic-emu-$(VERSION) && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 30 ../build.log; exit 1; }
	lintian --fail-on error,warning build/debsrc/fbnic-emu_$(VERSION)_*.changes
	cp build/debsrc/fbnic-emu_$(VERSION)_*.deb build/
	@ls build/fbnic-emu_$(VERSION)_*.deb

# The model's own packet rate, no VM (bench/pps): PPS_TIME seconds per size.
bench-pps: $(O)/bench/pps
	@$(O)/bench/pps $(PPS_TIME)

# The fault hooks' cost (bench/fault_cost): the normal build, and one with
# the hooks compiled out as the baseline.
bench-faults: $(O)/bench/fault_cost
	$(MAKE) --no-print-directory O=build/nohooks CFLAGS=-DFBNIC_NO_FAULT_HOOKS build/nohooks/bench/fault_cost
	@build/nohooks/bench/fault_cost
	@$(O)/bench/fault_cost

clean:
	rm -rf build

-include $(shell find $(O) -name '*.d' 2>/dev/null)
