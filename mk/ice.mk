# M-ICE offer/answer data (seed 004 s.1-11, RFC 8445, RFC 6275):
# candidates (priority, foundation, pruning), the check list, the MIP-ICE
# mobility option (docs/mipice-option.md) and BU/BA Mobility Header framing.
AGENT_SRCS += agent/candidate.c agent/checklist.c agent/mipice.c agent/mh.c

UNIT_TESTS += candidate checklist mipice mh
unit_candidate_SRCS := tests/unit/test_candidate.c agent/candidate.c
unit_checklist_SRCS := tests/unit/test_checklist.c agent/checklist.c \
		       agent/candidate.c agent/mipice.c agent/mh.c
unit_mipice_SRCS := tests/unit/test_mipice.c agent/mipice.c agent/candidate.c
unit_mh_SRCS := tests/unit/test_mh.c agent/mh.c agent/mipice.c \
		agent/candidate.c

FUZZERS += mipice mh
fuzz_mipice_SRCS := tests/fuzz/fuzz_mipice.c agent/mipice.c agent/candidate.c
fuzz_mh_SRCS := tests/fuzz/fuzz_mh.c agent/mh.c agent/mipice.c \
		agent/candidate.c
