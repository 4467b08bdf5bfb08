#!/usr/bin/env bash
# bench/unpack: "pull until ready to run" from a loopback docker-registry, one JVM start per pull
# (dcont pull unpacks, streaming each layer through the unpacker while it downloads), against
#   - tar -xzf of the same layer blob, and podman pull from the same registry (one ~200 MB Debian root,
#     a single gzip layer);
#   - the sum of the tar -xzf times of the layers of the same root split into 5 layers by directory.
# dcont is also timed with DCONT_STREAM_UNPACK=0 (download, then unpack from the blob) to show what the
# streaming gains.
#
#   bench/unpack/run.sh [ROUNDS]        (root; needs debootstrap, skopeo, docker-registry; podman optional)
#
# Env: BENCH_DIR (default /var/tmp/dcont-bench; the rootfs and tarballs are kept there between runs),
# PAUSE (seconds of "sync; sleep" before every timed run, default 5: file creation is slow for seconds after
# a large write or delete on these disks). Every run writes to its own directory under $BENCH_DIR/runs;
# nothing is deleted until the end.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
work="${BENCH_DIR:-/var/tmp/dcont-bench}" # read before lib.sh, which sets BENCH_DIR to bench/ itself
# shellcheck source=../lib.sh
source "$here/bench/lib.sh"
dcont="$here/dcont"
rounds="${1:-3}"
case "$work" in /var/tmp/*) ;; *) echo "bench/unpack: BENCH_DIR must be under /var/tmp" >&2; exit 2;; esac
pause="${PAUSE:-5}"
export BENCH_SETTLE="$pause"
mkdir -p "$work"
ensure_pkgs debootstrap skopeo docker-registry
ensure_built
[ "$(id -u)" = 0 ] || { echo "bench/unpack: run as root" >&2; exit 2; }

# 1. the root: a Debian bookworm minbase, as one gzip layer and as 5 gzip layers split by directory
if [ ! -d "$work/rootfs/usr" ]; then
  debootstrap --variant=minbase "$(debian_suite)" "$work/rootfs" "$(apt_mirror)" >/dev/null
fi
if [ ! -f "$work/debian.tar.gz" ]; then
  tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/debian.tar" .
  gzip -6 -c "$work/debian.tar" > "$work/debian.tar.gz"
fi
[ -f "$work/debian.tar" ] || gzip -dc "$work/debian.tar.gz" > "$work/debian.tar"
split_parts=(base usr-lib usr-share usr-rest var)
if [ ! -f "$work/split/var.tar.gz" ]; then
  mkdir -p "$work/split"
  t() { local name=$1; shift; tar --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/split/$name.tar" "$@"; }
  t base --exclude=./usr --exclude=./var .
  t usr-lib ./usr/lib
  t usr-share ./usr/share
  t usr-rest --exclude=./usr/lib --exclude=./usr/share ./usr
  t var ./var
  for p in "${split_parts[@]}"; do gzip -6 -c "$work/split/$p.tar" > "$work/split/$p.tar.gz"; done
fi

# oci_image DIR TAR... : an OCI layout (tag "1") whose layers are the given .tar files (with .tar.gz beside)
oci_image() {
  local dir=$1; shift
  rm -rf "$dir"; mkdir -p "$dir/blobs/sha256"
  local diffs="" layers="" sep="" hist=""
  for tarf in "$@"; do
    local l d
    l=$(sha256sum "$tarf.gz" | cut -d' ' -f1); d=$(sha256sum "$tarf" | cut -d' ' -f1)
    cp "$tarf.gz" "$dir/blobs/sha256/$l"
    diffs+="$sep\"sha256:$d\""
    hist+="$sep{\"created\":\"2025-05-20T00:00:00Z\",\"created_by\":\"$(basename "$tarf")\"}"
    layers+="$sep{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$l\",\"size\":$(stat -c %s "$tarf.gz")}"
    sep=","
  done
  printf '{"architecture":"amd64","os":"linux","created":"2025-05-20T00:00:00Z","config":{"Cmd":["/bin/bash"]},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
    "$diffs" "$hist" > "$dir/config.json"
  local cfg man
  cfg=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
  mv "$dir/config.json" "$dir/blobs/sha256/$cfg"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[%s]}' \
    "$cfg" "$(stat -c %s "$dir/blobs/sha256/$cfg")" "$layers" > "$dir/manifest.json"
  man=$(sha256sum "$dir/manifest.json" | cut -d' ' -f1)
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
    "$man" "$(stat -c %s "$dir/manifest.json")" > "$dir/index.json"
  mv "$dir/manifest.json" "$dir/blobs/sha256/$man"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
}
oci_image "$work/oci-single" "$work/debian.tar"
split_tars=(); for p in "${split_parts[@]}"; do split_tars+=("$work/split/$p.tar"); done
oci_image "$work/oci-multi" "${split_tars[@]}"

# 2. a fresh loopback registry serving both
runs="$work/runs"
rm -rf "$runs"; mkdir -p "$runs"
start_registry "$runs/registry"
cleanup() {
  kill "$REG_PID" 2>/dev/null || true
  for d in "$runs"/podman-*; do
    [ -d "$d" ] && podman --root "$d/root" --runroot "$d/run" --storage-driver overlay rmi -af >/dev/null 2>&1 || true
  done
  rm -rf "$runs" "$work/oci-single" "$work/oci-multi"
  sync
}
trap cleanup EXIT
single="$REG_HOST/bench/debian:1"
multi="$REG_HOST/bench/debian-split:1"
skopeo copy -q --dest-tls-verify=false "oci:$work/oci-single:1" "docker://$single"
skopeo copy -q --dest-tls-verify=false "oci:$work/oci-multi:1" "docker://$multi"

have_podman=0
pod=(podman --runtime runc --cgroup-manager cgroupfs --storage-driver overlay)
if command -v podman >/dev/null && "${pod[@]}" --root "$runs/podman-probe/root" --runroot "$runs/podman-probe/run" \
    info >/dev/null 2>&1; then
  have_podman=1
fi

# warm-up (CDS archive of the pull command, page cache of the registry's blobs); not timed
dcont_warm "$dcont" --root "$runs/warm" pull -q "$single"
"$dcont" --root "$runs/warm" pull -q "$multi" >/dev/null

# time_ms CMD... -> prints elapsed milliseconds
time_ms() { local s e; s=$(now_ms); "$@" >/dev/null; e=$(now_ms); echo $((e - s)); }

declare -a t_tar t_dcont t_nostream t_podman t_tarsum t_dmulti
for r in $(seq "$rounds"); do
  mkdir -p "$runs/x-$r"; settle
  t_tar+=("$(time_ms tar -xzf "$work/debian.tar.gz" -C "$runs/x-$r")")

  settle
  t_dcont+=("$(time_ms "$dcont" --root "$runs/store-$r" pull -q "$single")")

  settle
  t_nostream+=("$(time_ms env DCONT_STREAM_UNPACK=0 "$dcont" --root "$runs/nostream-$r" pull -q "$single")")

  if [ $have_podman = 1 ]; then
    settle
    t_podman+=("$(time_ms "${pod[@]}" --root "$runs/podman-$r/root" --runroot "$runs/podman-$r/run" \
      pull -q --tls-verify=false "$single")")
  fi

  sum=0
  for p in "${split_parts[@]}"; do
    mkdir -p "$runs/xs-$r-$p"; settle
    sum=$((sum + $(time_ms tar -xzf "$work/split/$p.tar.gz" -C "$runs/xs-$r-$p")))
  done
  t_tarsum+=("$sum")

  settle
  t_dmulti+=("$(time_ms "$dcont" --root "$runs/multi-$r" pull -q "$multi")")
done

# sanity: the streamed root is the same tree as tar's
if ! diff -r --no-dereference "$runs/x-1" "$runs/store-1/snapshots/1/fs" >/dev/null 2>&1; then
  diff -rq --no-dereference "$runs/x-1" "$runs/store-1/snapshots/1/fs" 2>&1 | grep -v 'character special' | head -5 \
    | sed 's/^/  tree differs: /' || true
fi

med() { printf '%s\n' "$@" | median; }
mt=$(med "${t_tar[@]}"); md=$(med "${t_dcont[@]}"); mn=$(med "${t_nostream[@]}")
ms=$(med "${t_tarsum[@]}"); mm=$(med "${t_dmulti[@]}")
printf 'images: %s (1 gzip layer, %s gzip, %s unpacked); %s (%d layers); %s rounds, medians in ms:\n' \
  "$single" "$(du -h --apparent-size "$work/debian.tar.gz" | cut -f1)" \
  "$(du -h --apparent-size "$work/debian.tar" | cut -f1)" "$multi" "${#split_parts[@]}" "$rounds"
printf '  tar -xzf (single layer)                 %6d   runs: %s\n' "$mt" "${t_tar[*]}"
printf '  dcont pull (streamed unpack)            %6d   runs: %s\n' "$md" "${t_dcont[*]}"
printf '  dcont pull, DCONT_STREAM_UNPACK=0       %6d   runs: %s\n' "$mn" "${t_nostream[*]}"
if [ ${#t_podman[@]} -gt 0 ]; then
  mp=$(med "${t_podman[@]}")
  printf '  podman pull                             %6d   runs: %s\n' "$mp" "${t_podman[*]}"
fi
printf '  sum of tar -xzf of the %d layers         %6d   runs: %s\n' "${#split_parts[@]}" "$ms" "${t_tarsum[*]}"
printf '  dcont pull (%d layers)                   %6d   runs: %s\n' "${#split_parts[@]}" "$mm" "${t_dmulti[*]}"
echo 'ratios:'
printf '  dcont pull / tar -xzf                   %s   (target <= 1.15)\n' "$(ratio "$md" "$mt")"
printf '  streamed / not streamed                 %s\n' "$(ratio "$md" "$mn")"
if [ ${#t_podman[@]} -gt 0 ]; then
  printf '  dcont pull / podman pull                %s   (target <= 0.5)\n' "$(ratio "$md" "$mp")"
else
  echo '  podman pull: not run (podman missing or "podman info" fails)'
fi
printf '  dcont pull (multi) / sum of tar -xzf    %s   (target < 1)\n' "$(ratio "$mm" "$ms")"
