#!/usr/bin/env bash
# The test command. On a fresh Debian machine (as root, with the .NET SDK) it installs the real servers and
# peers the tests use (etcd; Prometheus and promtool; Node.js with the pinned @grpc/grpc-js-xds client; Docker
# Engine, docker-compose and a static busybox for the test images; Chromium for the console's tests), starts a
# Docker Engine if none answers, then builds and runs every test, in two lanes (below). Extra arguments go to each
# `dotnet test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
# The console's tests drive Debian's chromium through Playwright (which cannot download a browser here).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The test images are a root file system holding only /bin/busybox, so it must be the static one.
# (ldd fails on a static executable.)
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A Docker Engine for the deployer's tests: host networking only, so no bridge and no iptables rules.
if ! docker info >/dev/null 2>&1; then
  echo "test.sh: starting dockerd" >&2
  dockerd --iptables=false --bridge=none >/tmp/lightmesh-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "test.sh: dockerd did not start; see /tmp/lightmesh-dockerd.log" >&2; exit 1; }
fi

# The xDS interop peers, exactly as package-lock.json pins them.
(cd tests/xds-interop && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

log="$(mktemp)"
cli_log="$(mktemp)"
trap 'rm -f "$log" "$cli_log"' EXIT
status=0
extra=("$@")

# Build once, then run the test assemblies in two lanes, one per core: the CLI's (the longest: its demos build and run
# the whole product) in one, every other in the other with the release tests first, so that neither lane is left
# waiting for the other at the end. Each assembly runs even when one before it failed.
lane() {
  local failed=0 project
  for project in "$@"; do
    dotnet test "$project" --no-build --nologo "${extra[@]}" || failed=1
  done
  return "$failed"
}

dotnet build LightMesh.Release.sln --nologo 2>&1 | tee "$log" || status=$?
if [ "$status" -eq 0 ]; then
  others=(tests/LightMesh.Releases.Tests)
  for project in tests/LightMesh.*.Tests; do
    case "$project" in
      tests/LightMesh.Cli.Tests | tests/LightMesh.Releases.Tests) ;;
      *) others+=("$project") ;;
    esac
  done
  lane tests/LightMesh.Cli.Tests >"$cli_log" 2>&1 &
  cli=$!
  lane "${others[@]}" 2>&1 | tee -a "$log" || status=$?
  wait "$cli" || status=$?
  tee -a "$log" <"$cli_log"
fi

# One closing line for the whole run, summed over the test assemblies.
awk '/^(Passed|Failed)! +- +Failed:/ { gsub(",", ""); failed += $4; passed += $6 }
     END { printf "%d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
