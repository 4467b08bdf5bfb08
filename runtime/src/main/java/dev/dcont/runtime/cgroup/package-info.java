/**
 * Cgroup managers: one for cgroup v2 (unified) and one for v1 (also used on v1/v2 hybrid hosts), chosen at run
 * time by {@link dev.dcont.runtime.cgroup.Cgroups#detect}. They create the container's cgroup, apply
 * {@code linux.resources} (memory and swap, CPU quota, pids, device rules: {@link
 * dev.dcont.runtime.cgroup.DeviceRules}, written to the v1 devices files or, on v2, left to a BPF program that the
 * native stage attaches), report OOM kills and remove the cgroup. All file
 * access goes through {@link dev.dcont.runtime.cgroup.CgroupFs} so the managers run against a fake tree in tests.
 * Must not import {@code dev.dcont.runtime} or {@code dev.dcont.runtime.launch}.
 */
package dev.dcont.runtime.cgroup;
