#!/usr/bin/env bash
# The test command. On a fresh Debian machine (as root, with the .NET SDK) it installs the real servers and
# peers the tests start (etcd; Node.js with the pinned @grpc/grpc-js-xds client), then builds and runs every
# test. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The xDS interop peers, exactly as package-lock.json pins them.
(cd tests/xds-interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test LightMesh.Release.sln --nologo "$@" 2>&1 | tee "$log" || status=$?

# One closing line for the whole run, summed over the test assemblies.
awk '/^(Passed|Failed)! +- +Failed:/ { gsub(",", ""); failed += $4; passed += $6 }
     END { printf "%d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
