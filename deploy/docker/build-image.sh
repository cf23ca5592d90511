#!/usr/bin/env bash
# Builds one service's image from the repository root: deploy/docker/Dockerfile with the build arguments
# deploy/docker/service-images.cjs gives the service, tagged with the service's own version:
#   deploy/docker/build-image.sh <service> [registry]       e.g. deploy/docker/build-image.sh queue ghcr.io/acme/switchyard
#   deploy/docker/build-image.sh --dry-run <service> [registry]   prints the docker command, one argument a line
# Needs Docker with BuildKit (not for --dry-run). Prints the tag it built.
set -euo pipefail
cd "$(dirname "$0")/../.."

dry_run=false
if [ "${1:-}" = "--dry-run" ]; then
  dry_run=true
  shift
fi
service=${1:?usage: deploy/docker/build-image.sh [--dry-run] <service> [registry]}
registry=${2:-${SWITCHYARD_REGISTRY:-switchyard}}

# KEY=VALUE lines, VERSION included; fails for a service the table does not know.
build_args=$(node deploy/docker/service-images.cjs build-args "$service")
version=$(sed -n 's/^VERSION=//p' <<<"$build_args")
tag="$registry/$service:$version"

command=(docker build -f deploy/docker/Dockerfile)
while IFS= read -r arg; do command+=(--build-arg "$arg"); done <<<"$build_args"
command+=(-t "$tag" .)

if $dry_run; then
  printf '%s\n' "${command[@]}"
  exit 0
fi
DOCKER_BUILDKIT=1 "${command[@]}"
echo "$tag"
