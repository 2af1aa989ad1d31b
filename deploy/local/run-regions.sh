#!/usr/bin/env bash
# Runs the default topology as separate processes: 2 silos per region, each silo its own `GeoGrains.Silo` process,
# on the ports silos/GeoGrains.Silo/appsettings.json lists. Real distance is not emulated unless EMULATE_WAN=true
# (each process then delays its own outgoing calls). Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/../.."

dotnet build silos/GeoGrains.Silo -c Release --nologo -v quiet
silo="silos/GeoGrains.Silo/bin/Release/net10.0/GeoGrains.Silo.dll"
emulate="${EMULATE_WAN:-false}"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM

start() { # region, silo port, gateway port, primary silo port
  dotnet "$silo" --region "$1" --silo-port "$2" --gateway-port "$3" --primary-silo-port "$4" --emulate-wan "$emulate" \
    > >(sed "s/^/[$1:$2] /") 2>&1 &
  pids+=($!)
}

start us-east   11111 30000 11111
start eu-west   11211 30100 11211
start apac-east 11311 30200 11311
sleep 3 # let each region's primary silo listen before the secondaries join it
start us-east   11112 30001 11111
start eu-west   11212 30101 11211
start apac-east 11312 30201 11311
wait
