#!/usr/bin/env bash
# Builds one service's image from the repository root, tagged with the service's own version:
#   deploy/docker/build-image.sh <service> [registry]       e.g. deploy/docker/build-image.sh queue ghcr.io/acme/switchyard
# Needs Docker with BuildKit. Prints the tag it built.
set -euo pipefail
cd "$(dirname "$0")/../.."

service=${1:?usage: deploy/docker/build-image.sh <service> [registry]}
registry=${2:-${SWITCHYARD_REGISTRY:-switchyard}}
[ -f "services/$service/Dockerfile" ] || { echo "no services/$service/Dockerfile" >&2; exit 2; }
version=$(node -p "require('./services/$service/package.json').version")
tag="$registry/$service:$version"

DOCKER_BUILDKIT=1 docker build -f "services/$service/Dockerfile" --build-arg VERSION="$version" -t "$tag" .
echo "$tag"
