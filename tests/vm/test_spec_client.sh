#!/bin/bash
# Guest side: the spec uapi/mice.yaml drives a generic netlink tool that
# knows nothing else of the family (tests/spec/spec_client.py, pyroute2):
# attach, get, dump, detach and an event, against the loaded module. Run with
#   scripts/vm-run.sh --module kmod/mice.ko --rmmod -- tests/vm/test_spec_client.sh
. "$(dirname "$0")/lib.sh"
require_vm

if ! /usr/bin/python3 -c 'import pyroute2, yaml' 2>/dev/null; then
	fail spec-client-runs "python3-pyroute2 and python3-yaml missing (scripts/install-deps.sh)"
	summary; exit
fi
timeout 120 /usr/bin/python3 "$(dirname "$0")/../spec/spec_client.py"
