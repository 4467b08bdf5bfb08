#!/usr/bin/env bash
# Dumps the launcher's class-data archive (cli/target/cds/dcont.jsa) at package time, so that no user's command
# pays for making it and the launcher only reads it. The classes come from training runs of the launcher (the
# same options and class path as every later start) that need no network: a pull from a registry on loopback
# into a store in target/, listings of it, a run of a container that fails at its execve (as far
# as the overlay mount without root); and every class of dcont's own jars, for what the training does not reach.
# Arguments: the launcher, cli's target directory, the JDK's home (the launcher runs that JDK by default: the
# archive is valid only for the JVM that dumped it), dcont's version (to find dcont's own jars in lib/).
set -euo pipefail
launcher=$1 target=$2 jdk=$3 version=$4
# Maven runs on a JRE's home on some JDK 8-style layouts: the JDK's is its parent then
[ -x "$jdk/bin/java" ] || jdk="${jdk%/jre}"
echo "$jdk" > "$target/java-home"
work="$target/cds-training"
rm -rf "$work" "$target/cds"
mkdir -p "$work"
# train GROUP NAME ARGS...: a run of the launcher that lists the classes it loads for GROUP's archive
train() {
  local group=$1 name=$2; shift 2
  DCONT_NO_CDS=1 DCONT_JAVA_OPTS="-XX:DumpLoadedClassList=$work/$group.$name.classlist" \
    "$launcher" --root "$work/store" "$@" </dev/null >"$work/$group.$name.log" 2>&1 || true
}
# dcont's own classes, for the parts of run and exec that the training does not reach (listed meanwhile)
for j in "$target/dcont-cli.jar" "$target"/lib/*-"$version".jar; do
  "$jdk/bin/jar" tf "$j" | sed -n 's/\.class$//p' | grep -v -e '^META-INF/' -e 'module-info$' -e 'package-info$'
done > "$work/own-classes" &
own=$!
# a one-layer image for a registry on loopback (TrainingRegistry.java), made with tar and coreutils
img="$work/image"
mkdir -p "$img/rootfs/etc"
echo "dcont" > "$img/rootfs/etc/hostname"
tar -C "$img/rootfs" --owner=0 --group=0 -cf "$img/layer.tar" etc
diff_id=$(sha256sum < "$img/layer.tar" | cut -c1-64)
gzip -n "$img/layer.tar"
sha() { sha256sum < "$1" | cut -c1-64; }
size() { wc -c < "$1" | tr -d ' '; }
layer=$(sha "$img/layer.tar.gz"); mv "$img/layer.tar.gz" "$img/$layer"
case "$(uname -m)" in aarch64|arm64) arch=arm64 ;; *) arch=amd64 ;; esac
printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"]},%s}' "$arch" \
  "$(printf '"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"build"}]' "$diff_id")" \
  > "$img/config"
config=$(sha "$img/config"); mv "$img/config" "$img/$config"
oci=application/vnd.oci.image
{
  printf '{"schemaVersion":2,"mediaType":"%s.manifest.v1+json",' "$oci"
  printf '"config":{"mediaType":"%s.config.v1+json","digest":"sha256:%s","size":%s},' \
    "$oci" "$config" "$(size "$img/$config")"
  printf '"layers":[{"mediaType":"%s.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$oci" "$layer" "$(size "$img/$layer")"
} > "$img/manifest.json"
sha "$img/manifest.json" > "$img/digest"
# the registry runs until its standard input (a pipe from this script) closes
exec 3> >("$jdk/bin/java" -Xshare:auto "$(dirname "$0")/TrainingRegistry.java" "$img" > "$work/port")
for _ in $(seq 600); do [ -s "$work/port" ] && break; sleep 0.05; done
read -r port < "$work/port" || { echo "class-data archive: the training registry did not start" >&2; exit 1; }
ref="127.0.0.1:$port/dcont/training"
train pull pull pull "$ref"
# a push of it back: the training registry has every blob, and answers the manifest's PUT as a GET
train pull push push "$ref"
# the other commands share one archive, made from the listings alone: inspect and history bring in JSON data
# binding, which would make the archive (and so the start) of every listing larger
train other images images
train other ps ps -a
train other df system df
# run: when the build runs as root, a container is made whose command is missing (run goes through every step up
# to the execve, which fails, and removes the container); without root it gets as far as the overlay mount.
# The network is none: a build does not make bridges or firewall rules on its machine (netavark's code is a
# process of its own; dcont's classes for the bridge are in the run archive as all its own classes are, above).
# create, up to the container's name, which it checks before it makes anything.
train run run run --rm --network none "$ref" /dcont-training
train exec create create --name bad/name "$ref" true
train exec exec exec no-such-container true
# dcont-runtime (the launcher's link): spec, and a create from that bundle, which fails at its missing rootfs
rt_launcher="${launcher%/*}/dcont-runtime"
train_runtime() {
  local name=$1; shift
  DCONT_NO_CDS=1 DCONT_JAVA_OPTS="-XX:DumpLoadedClassList=$work/runtime.$name.classlist" \
    "$rt_launcher" --root "$work/runtime-state" "$@" </dev/null >"$work/runtime.$name.log" 2>&1 || true
}
mkdir -p "$work/bundle"
train_runtime spec spec --bundle "$work/bundle" true
train_runtime create create --bundle "$work/bundle" training
train_runtime state state no-such-container
exec 3>&-
wait "$own" || { echo "class-data archive: cannot list dcont's classes" >&2; exit 1; }
# as the launcher's own options (G1 above all: see the launcher), through the launcher; -Xshare:dump ends the JVM
# once the archive is written. The archives are private to the one who built (0700), as the launcher requires of
# an archive that root uses. The dumps run side by side.
mkdir -m 0700 "$target/cds"
dump() {
  local group=$1 list="$work/$1.classlist" extra=/dev/null
  case $group in run|exec|runtime) extra="$work/own-classes" ;; esac
  cat "$work/$group".*.classlist "$extra" | grep -v '^#' | awk '!seen[$0]++' > "$list"
  ( umask 077
    DCONT_NO_CDS=1 DCONT_JAVA_OPTS="-Xshare:dump -XX:SharedClassListFile=$list \
-XX:SharedArchiveFile=$target/cds/$group.jsa.tmp" "$launcher" >"$work/$group.dump.log" 2>&1 ) \
    && mv "$target/cds/$group.jsa.tmp" "$target/cds/$group.jsa"
}
pids=()
for group in pull other run exec runtime; do
  dump "$group" & pids+=($!)
done
for p in "${pids[@]}"; do
  wait "$p" || { echo "class-data archive: a dump failed (see $work/*.dump.log)" >&2; exit 1; }
done
rm -rf "$work"
