#!/bin/sh
# mesh-init in docker-compose.yml: writes the local mesh and the shipped release workflows to etcd (straight to etcd,
# as bootstrapping does before a controller runs; applying again changes nothing), the demo's first routes, then the
# Envoy bootstrap for node "local" into the volume the envoy service reads it from. The two directories are the
# container's unless LIGHTMESH_STACK_CONFIG and LIGHTMESH_STACK_BOOTSTRAP say otherwise (the tests run this script in
# a checkout).
set -eu
config="${LIGHTMESH_STACK_CONFIG:-/etc/lightmesh}"
bootstrap="${LIGHTMESH_STACK_BOOTSTRAP:-/var/lib/lightmesh/bootstrap}"

set -- -f "$config/stack.yaml"
for file in "$config"/workflows/analysis/*.yaml "$config"/workflows/*.yaml; do
  set -- "$@" -f "$file"
done
lightmesh apply "$@"

# The demo's routes only the first time: afterwards releases own them, and a restart of the stack must not undo a
# promotion or a release in progress.
found=0
lightmesh get virtualservice demo > /dev/null || found=$?
if [ "$found" -eq 4 ]; then
  lightmesh apply -f "$config/demo-routes.yaml"
elif [ "$found" -ne 0 ]; then
  exit "$found"
fi

# Written aside and renamed, so that envoy never reads half a file.
lightmesh envoy bootstrap --node local --xds 127.0.0.1:18000 --admin-port 9901 > "$bootstrap/envoy.json.tmp"
mv "$bootstrap/envoy.json.tmp" "$bootstrap/envoy.json"
