/**
 * Turning a runtime spec into a launch plan: the policy of the runtime.
 *
 * <p>{@link dev.dcont.runtime.launch.LaunchPlanner} decides every kernel call between clone and execve (mounts and
 * their order and flags, pivot_root, masked paths, hostname, rlimits, ids, capabilities, no_new_privs) and issues
 * them to a {@link dev.dcont.runtime.launch.Syscalls}. {@link dev.dcont.runtime.launch.PlanWriter} records them as a
 * plan that the native stage {@code dcont-init} (src/main/c) executes; tests use a recording fake. Nothing here
 * performs a syscall. Must not import {@code dev.dcont.runtime} (the orchestration above it).
 */
package dev.dcont.runtime.launch;
