#!/usr/bin/env bash
# Runs the default topology as separate processes: each region on its own Azurite, each silo its own `GeoGrains.Silo`
# process (2 per region), a region's silos clustered through the membership table on its account. The dev cluster
# supervises them (prefixed output, live view, demo workload, WAN emulation) and stops every process on Ctrl+C.
# Extra arguments go to the dev cluster, e.g. `--silos-per-region 3 --duration 60`.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ ! -x node_modules/.bin/azurite-table ]]; then
  echo "Azurite is not installed: run 'npm ci' in $(pwd) first." >&2
  exit 1
fi

dotnet build silos/GeoGrains.DevCluster -c Release --nologo -v quiet
exec dotnet silos/GeoGrains.DevCluster/bin/Release/net10.0/GeoGrains.DevCluster.dll --storage azure --processes "$@"
