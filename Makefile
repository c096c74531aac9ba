# Powervisor — one Makefile for everything (kvmtool style).
#
#   make                 build everything into build/
#   make run             install missing Debian packages, build, start the main job
#   make test            unit + integration tests (fails on any failure)
#   make test-slow       slow suites (Linux boot, long soaks)
#   make bench           every build/bench/bench_<area>, one "BENCH name value unit" per figure
#   make fuzz            libFuzzer targets, bounded in time (FUZZ_SECONDS)
#   make install PREFIX=/usr/local DESTDIR=
#   make clean
# Knobs: V=1 (echo commands), WERROR=0, SANITIZE=address,undefined | thread, CC=clang.
#
# Layout: every library module <mod>/ builds build/lib/lib<mod>.a from its *.c files except
# *_main.c, which are program entry points listed in PROGRAMS below. Unit tests are
# tests/unit/test_<x>.c, integration tests tests/integration/test_<x>.c (both cmocka),
# benchmarks tests/bench/bench_<area>.c, fuzz targets tests/fuzz/fuzz_<x>.c. Adding a file
# needs no Makefile change.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= gcc
WERROR   ?= 1
SANITIZE ?=
V        ?= 0
FUZZ_SECONDS ?= 30

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Library modules, lowest layer first (dependencies point one way: later uses earlier).
MODULES := tracer vmm powermgr qos daemon api

# program name -> entry file
PROGRAMS := pv-trace pv-vmm powervisord pvctl
MAIN_pv-trace    := tracer/pv_trace_main.c
MAIN_pv-vmm      := vmm/vmm_main.c
MAIN_powervisord := daemon/powervisord_main.c
MAIN_pvctl       := api/pvctl_main.c

WARN := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes -Wshadow -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif

PKGS := jansson libmicrohttpd libseccomp libcap-ng zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CPPFLAGS += -D_GNU_SOURCE -I.
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -fno-strict-aliasing -pthread $(PKG_CFLAGS) -MMD -MP
LDFLAGS  += -pthread -Wl,--as-needed
LDLIBS   += $(PKG_LIBS) -lcpupower -lpfm -lrt -lm

comma := ,
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
BUILD   := $(BUILD)/san-$(subst $(comma),-,$(SANITIZE))
endif

# --------------------------------------------------------------------------- libraries
define module_rules
$(1)_SRCS := $$(filter-out %_main.c,$$(wildcard $(1)/*.c))
$(1)_OBJS := $$(patsubst %.c,$$(BUILD)/obj/%.o,$$($(1)_SRCS))
$$(BUILD)/lib/lib$(1).a: $$($(1)_OBJS)
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@
	$$(if $$($(1)_OBJS),$$(Q)ar rcs $$@ $$^,$$(Q)ar rcs $$@)
endef
$(foreach m,$(MODULES),$(eval $(call module_rules,$(m))))

LIBS_ALL := $(foreach m,$(MODULES),$(BUILD)/lib/lib$(m).a)
# link order: highest layer first
LINK_LIBS := $(foreach m,$(shell echo $(MODULES) | tr ' ' '\n' | tac),$(BUILD)/lib/lib$(m).a)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# --------------------------------------------------------------------------- programs
define program_rules
$$(BUILD)/$(1): $$(BUILD)/obj/$$(MAIN_$(1):.c=.o) $$(LIBS_ALL)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$< $$(LINK_LIBS) $$(LDLIBS)
endef
PROGRAMS_BUILT := $(foreach p,$(PROGRAMS),$(if $(wildcard $(MAIN_$(p))),$(p)))
$(foreach p,$(PROGRAMS_BUILT),$(eval $(call program_rules,$(p))))
PROG_BINS := $(addprefix $(BUILD)/,$(PROGRAMS_BUILT))

# --------------------------------------------------------------------------- guest (pvguest)
# Freestanding, ring-0 paths run emulated on the build machines: no SSE, no popcnt.
GUEST_CC      ?= gcc
GUEST_CFLAGS  := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
                 -fno-asynchronous-unwind-tables -mno-red-zone -mgeneral-regs-only -mno-popcnt \
                 -mcmodel=kernel -fno-builtin -nostdinc -isystem $(shell $(GUEST_CC) -print-file-name=include) \
                 -I. -Iguest $(WARN) -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 \
                 -Wl,-T,guest/pvguest.ld
GUEST_SRCS := $(wildcard guest/*.c) $(wildcard guest/*.S)
GUEST_OBJS := $(patsubst %,$(BUILD)/guest/obj/%.o,$(basename $(GUEST_SRCS)))
GUEST_ELF  := $(BUILD)/guest/pvguest.elf

$(BUILD)/guest/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC(g)   $<")
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -c $< -o $@
$(BUILD)/guest/obj/%.o: %.S
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS(g)   $<")
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -c $< -o $@
$(GUEST_ELF): $(GUEST_OBJS) guest/pvguest.ld
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD(g)   $@")
	$(Q)$(GUEST_CC) $(GUEST_LDFLAGS) -o $@ $(GUEST_OBJS) -lgcc
GUEST_TARGET := $(if $(GUEST_SRCS),$(GUEST_ELF))

# --------------------------------------------------------------------------- tests
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
INTEG_SRCS := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(INTEG_SRCS))
SLOW_SRCS  := $(wildcard tests/slow/test_*.c)
SLOW_BINS  := $(patsubst tests/slow/%.c,$(BUILD)/tests/slow/%,$(SLOW_SRCS))
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
# shared helpers for test programs (tests/common/*.c), linked into every test and bench
TCOMMON_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/common/*.c))

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(TCOMMON_OBJS) $(LIBS_ALL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TCOMMON_OBJS) $(LINK_LIBS) $(LDLIBS) -lcmocka
$(BUILD)/tests/integration/%: $(BUILD)/obj/tests/integration/%.o $(TCOMMON_OBJS) $(LIBS_ALL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TCOMMON_OBJS) $(LINK_LIBS) $(LDLIBS) -lcmocka
$(BUILD)/tests/slow/%: $(BUILD)/obj/tests/slow/%.o $(TCOMMON_OBJS) $(LIBS_ALL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TCOMMON_OBJS) $(LINK_LIBS) $(LDLIBS) -lcmocka
$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(TCOMMON_OBJS) $(LIBS_ALL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(TCOMMON_OBJS) $(LINK_LIBS) $(LDLIBS)

# --------------------------------------------------------------------------- fuzz (clang)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_CC   := clang
FUZZ_LIB_SRCS := $(foreach m,$(MODULES),$($(m)_SRCS))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRCS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -std=gnu11 -g -O1 -pthread $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_LIB_SRCS) $(PKG_LIBS) -lcpupower -lpfm -lrt -lm

# ---- dashboard assets (begin)
# The built-in web dashboard (dashboards/web: index.html, app.js, style.css, plus
# uPlot from npm) is compiled into the daemon, so it is served offline with no CDN:
#  1. `npm ci` in dashboards/web, only when package.json / package-lock.json change (stamp
#     file), or when node_modules lost uPlot. It also brings the tools of the checks below
#     (playwright-core, @redocly/cli). Needs npm (`make deps`) and the npm registry.
#  2. dashboards/web/embed.sh turns every served file into a byte array in
#     $(BUILD)/gen/dashboard_assets.c (POSIX sh + od; the table api/dashboard.c serves from).
#  3. Linking: api/dashboard.c refers to that table, so the generated object is added to
#     libapi.a — an extra prerequisite of the archive, whose recipe archives every
#     prerequisite (`ar rcs $@ $^`). Programs and tests that link libapi.a get the assets
#     whenever they use api/dashboard.o. The fuzz targets compile the library sources
#     directly, so they get the generated source added to FUZZ_LIB_SRCS (its recipe expands
#     that variable when it runs) and as a prerequisite.
# Checks (not part of `make test` by themselves; see dashboards/README.md):
#   make check-dashboards   promtool check config/rules, alert unit tests, Grafana JSON and
#                           metric names against docs/METRICS.md          (~2 s)
#   make lint-api           redocly lint of api/openapi.yaml              (~2 s)
#   make test-e2e           headless Chromium drives the dashboard served by the real
#                           powervisord (pvguest VMs on /dev/kvm), else by
#                           $(BUILD)/tests/e2e/fake_api (or PV_E2E_SERVER_CMD) (~15 s)
#   make test-dashboards    all three
DASH_WEB       := dashboards/web
DASH_SRCS      := $(addprefix $(DASH_WEB)/,index.html app.js style.css)
DASH_NPM_STAMP := $(BUILD)/stamps/dashboard-npm-ci.stamp
DASH_GEN_C     := $(BUILD)/gen/dashboard_assets.c
DASH_GEN_O     := $(BUILD)/obj/gen/dashboard_assets.o
DASH_UPLOT     := $(DASH_WEB)/node_modules/uplot/dist/uPlot.iife.min.js
NPM            ?= npm
DASH_NPM_CI     = command -v $(NPM) >/dev/null || { echo "npm is missing: run 'make deps'" >&2; exit 1; }; \
		  cd $(DASH_WEB) && $(NPM) ci --no-audit --no-fund --ignore-scripts --loglevel=error

$(DASH_NPM_STAMP): $(DASH_WEB)/package.json $(DASH_WEB)/package-lock.json
	@mkdir -p $(@D)
	@$(if $(Q),echo "  NPM     $(DASH_WEB) (npm ci)")
	$(Q)$(DASH_NPM_CI)
	$(Q)touch $@

$(DASH_GEN_C): $(DASH_WEB)/embed.sh $(DASH_SRCS) $(DASH_NPM_STAMP)
	@mkdir -p $(@D)
	$(Q)test -f $(DASH_UPLOT) || { $(DASH_NPM_CI); }
	@$(if $(Q),echo "  EMBED   $@")
	$(Q)$(DASH_WEB)/embed.sh $(DASH_WEB) $@

$(DASH_GEN_O): $(DASH_GEN_C)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# link the generated assets into libapi.a (see 3. above)
$(BUILD)/lib/libapi.a: $(DASH_GEN_O)
FUZZ_LIB_SRCS += $(DASH_GEN_C)
$(FUZZ_BINS): $(DASH_GEN_C)

# the stand-in daemon of the browser test: the dashboard handlers + spec-shaped fake data
E2E_FAKE_API := $(BUILD)/tests/e2e/fake_api
$(E2E_FAKE_API): $(BUILD)/obj/tests/e2e/fake_api.o $(LIBS_ALL)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)
all: $(E2E_FAKE_API)
tests-built: $(E2E_FAKE_API)

.PHONY: dashboard-assets check-dashboards lint-api test-e2e test-dashboards
dashboard-assets: $(DASH_GEN_C)

check-dashboards:
	$(Q)tests/e2e/check_dashboards.sh

lint-api: $(DASH_NPM_STAMP)
	$(Q)tests/e2e/lint_api.sh

# run_e2e.sh drives the real daemon (with pvguest VMs) when it can, else fake_api: both are
# rebuilt first, and both link libapi.a, so a changed dashboard asset rebuilds them too
E2E_DAEMON := $(filter %/powervisord %/pv-vmm,$(PROG_BINS)) $(GUEST_TARGET)
test-e2e: $(E2E_FAKE_API) $(E2E_DAEMON) $(DASH_NPM_STAMP)
	$(Q)tests/e2e/run_e2e.sh $(BUILD)

test-dashboards: check-dashboards lint-api test-e2e
# ---- dashboard assets (end)

# --------------------------------------------------------------------------- top-level targets
.PHONY: all deps run test test-unit test-integration test-slow bench fuzz install clean tests-built
.DEFAULT_GOAL := all
# keep objects of test and bench programs (they are pattern-rule intermediates)
.SECONDARY:

all: $(PROG_BINS) $(GUEST_TARGET) $(UNIT_BINS) $(INTEG_BINS) $(BENCH_BINS)

deps:
	$(Q)scripts/deps.sh

tests-built: $(PROG_BINS) $(GUEST_TARGET) $(UNIT_BINS) $(INTEG_BINS)

# `make test` installs what is missing, then builds and runs every unit and integration test.
test: deps
	$(Q)$(MAKE) --no-print-directory tests-built
	$(Q)$(MAKE) --no-print-directory test-dashboards
	$(Q)scripts/run-tests.sh $(BUILD) unit integration

test-unit: tests-built
	$(Q)scripts/run-tests.sh $(BUILD) unit

test-integration: tests-built
	$(Q)scripts/run-tests.sh $(BUILD) integration

test-slow: deps
	$(Q)$(MAKE) --no-print-directory tests-built $(SLOW_BINS)
	$(Q)PV_LINUX_KERNEL=$$(scripts/fetch-linux.sh $(BUILD)/linux) scripts/run-tests.sh $(BUILD) slow

bench: deps
	$(Q)$(MAKE) --no-print-directory $(PROG_BINS) $(GUEST_TARGET) $(BENCH_BINS)
	$(Q)set -e; for b in $(BENCH_BINS); do echo "== $$b"; $$b; done

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(Q)set -e; for f in $(FUZZ_BINS); do echo "== $$f ($(FUZZ_SECONDS) s)"; \
		mkdir -p $(BUILD)/fuzz/corpus-$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(BUILD)/fuzz/corpus-$$(basename $$f); done

# `make run`: the main job on the embedded default configuration.
run: deps
	$(Q)$(MAKE) --no-print-directory $(PROG_BINS) $(GUEST_TARGET)
	$(Q)scripts/run.sh $(BUILD)

install: $(PROG_BINS) $(GUEST_TARGET)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/powervisor
	install -m 0755 $(PROG_BINS) $(DESTDIR)$(PREFIX)/bin/
	$(if $(GUEST_TARGET),install -m 0644 $(GUEST_TARGET) $(DESTDIR)$(PREFIX)/lib/powervisor/)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
