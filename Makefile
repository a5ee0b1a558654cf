# rdv-solidarites — the only entry points. See README.md.
#
#   make run     install what is missing, build, start a local stack on 127.0.0.1:8080 with demo data
#   make stop    stop it
#   make test    the same stack on throwaway ports and database, sanitizers on, every suite; always stops
#   make bench   département-scale benchmark (never part of make test)
#   make fuzz    libFuzzer targets for a set time
#   make token EMAIL=…   print a new API token for an existing agent
#   make migrate         apply sql/migrations to DATABASE_URL (or the local cluster)

SHELL   := /bin/bash
VAR     := $(CURDIR)/var
BUILD   ?= $(VAR)/build
SAN     ?=
CC      ?= gcc
OPT     ?= -O2

PKGS     := libpq jansson libsodium libcurl zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           -g $(OPT) -fno-omit-frame-pointer -Ilib $(PKG_CFLAGS) \
           -DRDV_DEFAULT_DATABASE_URL='"postgresql://rdv@/rdv?host=$(VAR)/run"' \
           -DRDV_DEFAULT_ROOT='"$(CURDIR)"'
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
endif
LDLIBS  := $(PKG_LIBS) -lfcgi -lpthread -lm

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
PROGS    := booking admin export search worker ctl
PROG_BIN := $(PROGS:%=$(BUILD)/bin/rdv-%)
UNIT_SRC := $(wildcard tests/unit/*.c)
HTTP_SRC := $(wildcard tests/http/*.c)

DEB_PKGS := build-essential pkg-config libfcgi-dev libpq-dev libjansson-dev libsodium-dev \
            libcurl4-openssl-dev zlib1g-dev libcunit1-dev postgresql-15 \
            nginx-light nodejs npm wrk curl clang

.PHONY: all build deps run stop test unit valgrind bench fuzz chaos token migrate static clean import-addresses
.SECONDEXPANSION:
.SECONDARY:

all: build

build: $(PROG_BIN) $(BUILD)/bin/unit-tests $(BUILD)/bin/http-tests static

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/librdv.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

# (no "%" inside: secondary expansion would replace it with the stem)
$(BUILD)/bin/rdv-%: $$(addprefix $(BUILD)/,$$(subst .c,.o,$$(wildcard cgi-bin/$$*/*.c))) $(BUILD)/librdv.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

$(BUILD)/bin/unit-tests: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/http/zipread.o $(BUILD)/librdv.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(LDSAN) -o $@ $^ $(LDLIBS) -lcunit -lz

$(BUILD)/bin/http-tests: $(HTTP_SRC:%.c=$(BUILD)/%.o) $(BUILD)/librdv.a
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(LDSAN) -o $@ $^ $(LDLIBS) -lcunit -lz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Browser assets from npm (DSFR, FullCalendar) copied under var/static with ours.
static: $(VAR)/static/.built
$(VAR)/static/.built: templates/static/package.json templates/static/package-lock.json $(wildcard templates/static/*.css templates/static/*.js)
	nginx/stack.sh static

deps:
	@nginx/stack.sh deps $(DEB_PKGS)

run: deps
	@$(MAKE) --no-print-directory build
	@nginx/stack.sh run

stop:
	@nginx/stack.sh stop

# The test stack: its own cluster, sockets and ports under var/test, sanitizer build.
# Several stacks may run side by side: make test TEST_BUILD=var/build-x RDV_TEST_DIR=var/test-x
# (RDV_HTTP_SUITE=name runs one HTTP suite).
TEST_BUILD ?= $(VAR)/build-test
test: deps
	@# the release build too: -O2 finds warnings (-Werror) that -O1 does not, and make run uses it
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory BUILD=$(TEST_BUILD) SAN=1 OPT=-O1 build
	@BUILD=$(TEST_BUILD) nginx/stack.sh test

unit:
	@$(MAKE) --no-print-directory BUILD=$(VAR)/build-test SAN=1 OPT=-O1 $(VAR)/build-test/bin/unit-tests
	cd $(CURDIR) && $(VAR)/build-test/bin/unit-tests

# The unit suites under valgrind (a build without sanitizers); the DB-backed
# suites run too when DATABASE_URL points at a database (e.g. during make run).
valgrind: $(BUILD)/bin/unit-tests
	valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=1 --suppressions=tests/valgrind.supp $(BUILD)/bin/unit-tests

# Loads a département's address file (BAN CSV, e.g. adresses-62.csv) into the addresses table.
import-addresses:
	@test -n "$(FILE)" || { echo "usage: make import-addresses FILE=adresses-62.csv" >&2; exit 2; }
	@bash sql/import-ban.sh "$(FILE)"

bench: deps
	@$(MAKE) --no-print-directory build $(BUILD)/bin/bench-slots
	@BUILD=$(BUILD) nginx/stack.sh bench

$(BUILD)/bin/bench-slots: tests/bench/bench_slots.c $(BUILD)/librdv.a
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Faults under load: kill -9 a worker, restart PostgreSQL, fill the mail folder (tests/chaos).
chaos: deps
	@$(MAKE) --no-print-directory build
	@BUILD=$(BUILD) bash tests/chaos/run.sh

fuzz:
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-60} nginx/stack.sh fuzz

migrate: $(BUILD)/bin/rdv-ctl
	$(BUILD)/bin/rdv-ctl migrate

token: $(BUILD)/bin/rdv-ctl
	@test -n "$(EMAIL)" || { echo "usage: make token EMAIL=agent@example.fr" >&2; exit 2; }
	@$(BUILD)/bin/rdv-ctl token "$(EMAIL)"

clean:
	rm -rf $(VAR)/build $(VAR)/build-test
