#!/usr/bin/env bash
# bench/unpack: time "pull until ready to run" of a ~200 MB Debian root (one gzip layer) for dcont,
# against tar -xzf of the same layer blob and podman pull (if installed), on the same machine and disk.
#
#   bench/unpack/run.sh [ROUNDS]        (root; needs debootstrap, skopeo, docker-registry)
#
# Env: BENCH_DIR (work dir, default /var/tmp/dcont-bench), PAUSE (seconds to wait after each cleanup,
# default 20: on these machines file creation is slow for seconds after a large delete, so every tool
# gets a synced, quiet disk before its timed run).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
dcont="$here/dcont"
rounds="${1:-3}"
work="${BENCH_DIR:-/var/tmp/dcont-bench}"
pause="${PAUSE:-20}"
port=5055
ref="127.0.0.1:$port/bench/debian:12"
mkdir -p "$work"

# 1. the layer: a Debian bookworm minbase root, one gzip layer
if [ ! -f "$work/debian.tar.gz" ]; then
  if [ ! -d "$work/rootfs" ]; then
    debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >/dev/null
  fi
  tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/debian.tar" .
  gzip -6 -c "$work/debian.tar" > "$work/debian.tar.gz"
fi
[ -f "$work/debian.tar" ] || gzip -dc "$work/debian.tar.gz" > "$work/debian.tar"

# 2. an OCI layout with that layer, pushed to a local registry
oci="$work/oci"
if [ ! -f "$oci/index.json" ]; then
  mkdir -p "$oci/blobs/sha256"
  layer=$(sha256sum "$work/debian.tar.gz" | cut -d' ' -f1)
  diff=$(sha256sum "$work/debian.tar" | cut -d' ' -f1)
  cp "$work/debian.tar.gz" "$oci/blobs/sha256/$layer"
  printf '{"architecture":"amd64","os":"linux","created":"2025-05-20T00:00:00Z","config":{"Cmd":["/bin/bash"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"2025-05-20T00:00:00Z","created_by":"debootstrap --variant=minbase bookworm"}]}' "$diff" > "$work/config.json"
  cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  cp "$work/config.json" "$oci/blobs/sha256/$cfg"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
    "$cfg" "$(stat -c %s "$work/config.json")" "$layer" "$(stat -c %s "$work/debian.tar.gz")" > "$work/manifest.json"
  man=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
  cp "$work/manifest.json" "$oci/blobs/sha256/$man"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"12"}}]}' \
    "$man" "$(stat -c %s "$work/manifest.json")" > "$oci/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$oci/oci-layout"
fi
cat > "$work/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry=$!
trap 'kill $registry 2>/dev/null || true; cleanup_runs 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
skopeo copy -q --dest-tls-verify=false "oci:$oci:12" "docker://$ref"

quiet() { sync; sleep "$pause"; }
# Deletes make later file creation slow on these disks, so timed runs never follow a delete: every run
# writes to its own directory and everything is removed at the end (after a pause, before the next bench).
cleanup_runs() {
  for d in "$work"/runs/podman-*; do
    [ -d "$d" ] && podman --root "$d/root" --runroot "$d/run" --storage-driver overlay rmi -af >/dev/null 2>&1 || true
  done
  rm -rf "$work/runs"
}
cleanup_runs; quiet
now() { date +%s.%N; }
declare -a t_tar t_dcont t_unpack t_podman
for r in $(seq "$rounds"); do
  # tar -xzf of the same layer blob
  mkdir -p "$work/runs/x-$r"; quiet
  s=$(now); tar -xzf "$work/debian.tar.gz" -C "$work/runs/x-$r"; e=$(now)
  t_tar+=("$(echo "$e - $s" | bc)")

  # dcont: pull into a fresh store until every layer is unpacked (ready to run)
  quiet
  s=$(now)
  "$dcont" --root "$work/runs/store-$r" pull -q "$ref" >/dev/null
  m=$(now)
  "$dcont" --root "$work/runs/store-$r" layers --unpack "$ref" >/dev/null
  e=$(now)
  t_dcont+=("$(echo "$e - $s" | bc)")
  t_unpack+=("$(echo "$e - $m" | bc)")

  if command -v podman >/dev/null; then
    quiet
    s=$(now)
    podman --root "$work/runs/podman-$r/root" --runroot "$work/runs/podman-$r/run" --storage-driver overlay \
      pull -q --tls-verify=false "$ref" >/dev/null
    e=$(now)
    t_podman+=("$(echo "$e - $s" | bc)")
  fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mt=$(median "${t_tar[@]}"); md=$(median "${t_dcont[@]}"); mu=$(median "${t_unpack[@]}")
printf 'layer: %s (%s gzip, %s unpacked), %s rounds, medians:\n' "$ref" \
  "$(du -h --apparent-size "$work/debian.tar.gz" | cut -f1)" "$(du -h --apparent-size "$work/debian.tar" | cut -f1)" "$rounds"
printf '  tar -xzf                      %6.2f s   (runs: %s)\n' "$mt" "${t_tar[*]}"
printf '  dcont pull + unpack           %6.2f s   (runs: %s)\n' "$md" "${t_dcont[*]}"
printf '  dcont unpack step alone       %6.2f s   ratio to tar -xzf: %.2f (target <= 1.15)\n' "$mu" "$(echo "$mu / $mt" | bc -l)"
if [ ${#t_podman[@]} -gt 0 ]; then
  mp=$(median "${t_podman[@]}")
  printf '  podman pull                   %6.2f s   (runs: %s)\n' "$mp" "${t_podman[*]}"
  printf '  dcont pull+unpack / podman    %.2f (target <= 0.5)\n' "$(echo "$md / $mp" | bc -l)"
fi
