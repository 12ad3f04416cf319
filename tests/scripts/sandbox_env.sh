# Sourced by the script tests that run against the test sandbox's servers:
#   . "$(dirname "${BASH_SOURCE[0]}")/sandbox_env.sh" NAME BUILD_DIR
# Defines say and fail (prefixed with NAME); sets build, top, sandbox,
# mysql_port, mysql_socket and redis_port from the sandbox ($TL_TEST_SANDBOX,
# default BUILD_DIR/test-sandbox: ctest's "servers" fixture); and unsets every
# TL_* variable, so that the tools see only the configuration the test
# writes, not a TL_CONFIG or TL_MYSQL_* of the caller or of the sandbox.
check_name=$1
say() { echo "$check_name: $*"; }
fail() { echo "$check_name: FAIL: $*" >&2; exit 1; }

[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$2" && pwd) || fail "no build directory $2"
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sandbox=${TL_TEST_SANDBOX:-$build/test-sandbox}
[ -f "$sandbox/env" ] || fail "no test sandbox in $sandbox (run: scripts/sandbox up --dir $sandbox)"
# shellcheck disable=SC1091
. "$sandbox/env"
mysql_port=$TL_SANDBOX_MYSQL_PORT
mysql_socket=$TL_SANDBOX_MYSQL_SOCKET
redis_port=$TL_SANDBOX_REDIS_PORT
for v in $(env | grep -oE '^TL_[A-Z_]+' || true); do unset "$v"; done
