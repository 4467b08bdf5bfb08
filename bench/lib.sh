# Shared helpers for the benchmarks: a loopback registry, timing, cleanup with the disk pause.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"

ensure_pkgs() {
  local need=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

ensure_built() {
  if [ ! -f "$REPO_DIR/cli/target/dcont-cli.jar" ]; then
    (cd "$REPO_DIR" && mvn -q -B -ntp -DskipTests package)
  fi
}

# start_registry DIR -> sets REG_HOST, REG_PID
start_registry() {
  local dir=$1
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$dir"
  cat > "$dir/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $dir/data}}
http: {addr: 127.0.0.1:$port}
YML
  docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  REG_PID=$!
  REG_HOST=127.0.0.1:$port
  for _ in $(seq 200); do curl -fs "http://$REG_HOST/v2/" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "registry did not start" >&2; return 1
}

# warm_files PATH...: reads files into the page cache. These machines page out memory that is unused for
# about a minute (a DAMON reclaim scheme: age >= 60 s, 128 MB/s), so between rounds a registry's blobs or a
# tool's binaries can be cold for one tool and hot for the next; settle warms BENCH_WARM for every tool alike.
warm_files() {
  [ $# -gt 0 ] || return 0
  find "$@" -type f -print0 2>/dev/null | xargs -0 -r cat >/dev/null 2>&1 || true
}

# the files every timed tool reads: the JDK and dcont's build, the peers' binaries (benchmarks add theirs)
BENCH_WARM=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" "$REPO_DIR/cli/target")
for b in tar gzip skopeo podman runc conmon; do
  p=$(command -v "$b" 2>/dev/null) && BENCH_WARM+=("$(readlink -f "$p")")
done

# settle: file creation is slow for seconds after a large delete on these disks; then inputs are warmed
settle() { sync; warm_files "${BENCH_WARM[@]}"; sleep "${BENCH_SETTLE:-5}"; }

# now_ms
now_ms() { date +%s%3N; }

# median of numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# dcont_warm CMD...: runs a dcont command once (its files into the page cache); for a checkout from before the
# build dumped the class-data archives (its launcher dumps one in the background after a first run), waits for
# that archive
dcont_warm() {
  local checkout
  checkout=$(dirname "$1")
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq 100); do
    ls "$checkout"/cli/target/cds/*.dumping >/dev/null 2>&1 || return 0
    sleep 0.1
  done
}

# apt_mirror: the Debian archive this machine's apt uses (for debootstrap)
apt_mirror() {
  local m
  m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1 | awk '{print $2}')
  [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -v security | head -1 | awk '{print $2}')
  echo "$m"
}

# debian_suite: this machine's release codename
debian_suite() { . /etc/os-release; echo "${VERSION_CODENAME:-bookworm}"; }
