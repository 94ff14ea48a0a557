# mice: top-level build. `make` builds the module and the agent,
# `make check` runs every suite, `make demo` runs the main scenario,
# `make bench` runs the benchmarks. See README.md.
#
# Components register themselves in mk/*.mk:
#   AGENT_SRCS += agent/foo.c              sources of the agent binary
#   UNIT_TESTS += foo                      tests/unit/test_foo.c, libcheck
#   unit_foo_SRCS := tests/unit/test_foo.c agent/foo.c ...
#   unit_foo_LIBS := -lcrypto              extra libraries
#   FUZZERS += foo                         tests/fuzz/fuzz_foo.c, libFuzzer
#   fuzz_foo_SRCS := tests/fuzz/fuzz_foo.c agent/foo.c ...
#   fuzz_foo_LIBS := -lcrypto

KVER	?= $(shell uname -r)
# The running kernel's build dir, else the newest installed Debian headers
# (the dev/CI kernel cannot load modules; the VM boots Debian's kernel).
KDIR	?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
		$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
BUILD	:= build
CC	?= cc
CLANG	?= clang
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Iuapi -Ikmod -Iagent
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer
HDRS	= $(wildcard uapi/linux/*.h kmod/*.h agent/*.h tests/unit/*.h)

# mk/*.mk define targets of their own; `make` alone still means `all`.
.DEFAULT_GOAL := all

AGENT_SRCS :=
AGENT_LIBS := -lmnl
UNIT_TESTS :=
FUZZERS :=
include $(sort $(wildcard mk/*.mk))

.PHONY: all module agent tools check unit fuzz vm demo bench clean deps W1

all: module agent tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The module must build without a warning at W=1.
W1:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules 2>&1 | tee $(BUILD)/w1.log
	@! grep -E 'warning:|error:' $(BUILD)/w1.log

agent: agent/mice

agent/mice: $(AGENT_SRCS) $(HDRS)
	$(CC) $(CFLAGS) -o $@ $(AGENT_SRCS) $(AGENT_LIBS) $(LDFLAGS)

TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(wildcard tests/tools/*.c))
tools: $(TOOLS)
TOOL_SRCS := tests/unit/pkt.c tests/unit/crc_zlib.c tests/unit/toolarg.c \
	     kmod/classify.c agent/nl.c agent/nlmsg.c
# A tool that needs more registers it in its mk fragment:
#   tool_NAME_SRCS := agent/sigmsg.c ...   tool_NAME_LIBS := -lcrypto
.SECONDEXPANSION:
$(BUILD)/tools/%: tests/tools/%.c $(TOOL_SRCS) $$(tool_$$*_SRCS) $(HDRS) | $(BUILD)/tools
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(TOOL_SRCS) $(tool_$*_SRCS) -lmnl -lz $(tool_$*_LIBS)

define unit_rules
$(BUILD)/unit/test_$(1): $$(unit_$(1)_SRCS) $$(HDRS) | $(BUILD)/unit
	$$(CC) $$(CFLAGS) -o $$@ $$(unit_$(1)_SRCS) $$(unit_$(1)_LIBS) $$(CHECK_LIBS)
$(BUILD)/asan/test_$(1): $$(unit_$(1)_SRCS) $$(HDRS) | $(BUILD)/asan
	$$(CC) $$(CFLAGS) -O1 $$(SAN_FLAGS) -o $$@ $$(unit_$(1)_SRCS) $$(unit_$(1)_LIBS) $$(CHECK_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rules,$(t))))

define fuzz_rules
$(BUILD)/fuzz/fuzz_$(1): $$(fuzz_$(1)_SRCS) $$(HDRS) | $(BUILD)/fuzz
	$$(CLANG) -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Iuapi -Ikmod -Iagent \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $$@ $$(fuzz_$(1)_SRCS) $$(fuzz_$(1)_LIBS)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rules,$(f))))

UNIT_BINS := $(addprefix $(BUILD)/unit/test_,$(UNIT_TESTS)) \
	     $(addprefix $(BUILD)/asan/test_,$(UNIT_TESTS))
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/fuzz_,$(FUZZERS))

$(BUILD)/unit $(BUILD)/asan $(BUILD)/fuzz $(BUILD)/tools:
	mkdir -p $@

unit-bins: $(UNIT_BINS)
fuzz-bins: $(FUZZ_BINS)

deps:
	scripts/install-deps.sh

# Every suite; ends with the line "N passed, N failed".
check: deps
	scripts/check.sh

demo: deps
	scripts/demo.sh

bench: deps
	scripts/bench.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD) agent/mice

# `make -s print-UNIT_TESTS` and the like, for scripts.
print-%:
	@echo $($*)
