# tests/tools/sigforge: crafts and sends M-ICE offers and answers for the
# attack suite (tests/attack/test_mn_sessions.sh).
tool_sigforge_SRCS := agent/sigmsg.c agent/mh.c agent/mipice.c agent/candidate.c
tool_sigforge_LIBS := -lcrypto
