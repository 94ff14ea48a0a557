# The netlink spec uapi/mice.yaml against uapi/linux/mice.h and the
# module's policies (host only, no build needed).
.PHONY: spec-check
spec-check:
	/usr/bin/python3 tests/spec/check_spec.py
