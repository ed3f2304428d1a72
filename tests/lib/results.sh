# shellcheck shell=bash
# Test results for shell suites (host e2e and VM): "ok   - ...", "FAIL - ...",
# "skip - ...", closed by "SUITE: N passed, N failed, N skipped".
PASSED=0 FAILED=0 SKIPPED=0

# Results go to fd 3, the suite's stdout, so `check ... >/dev/null` hides only
# the command's output, never the verdict.
exec 3>&1
ok()   { PASSED=$((PASSED + 1)); echo "ok   - $*" >&3; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*" >&3; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip - $*" >&3; }

# check DESCRIPTION COMMAND...: passes when COMMAND exits 0.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else fail "$desc"; fi
}

# check_fails DESCRIPTION COMMAND...: passes when COMMAND exits non-zero.
check_fails() {
	local desc=$1
	shift
	if "$@"; then fail "$desc (unexpectedly succeeded)"; else ok "$desc"; fi
}

# A suite with nothing passed has proved nothing: it fails.
summary() {
	echo "$SUITE: $PASSED passed, $FAILED failed, $SKIPPED skipped" >&3
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}
