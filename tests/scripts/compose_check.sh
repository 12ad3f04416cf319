#!/usr/bin/env bash
# docker-compose.yml is a valid Compose file: `docker-compose config -q` from
# the top of the checkout (no Docker engine needed; nothing is built or run).
# docker-compose comes with scripts/deps, so its absence is a failure.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1
if ! command -v docker-compose >/dev/null; then
  echo "compose_check: FAIL: docker-compose is not installed (run scripts/deps)" >&2
  exit 1
fi
docker-compose -f docker-compose.yml config -q
status=$?
if [ $status -eq 0 ]; then
  echo "compose_check: docker-compose.yml is valid ($(docker-compose version --short 2>/dev/null || echo docker-compose))"
else
  echo "compose_check: FAIL: docker-compose -f docker-compose.yml config -q exited $status" >&2
fi
exit $status
