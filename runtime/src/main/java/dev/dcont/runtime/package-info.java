/**
 * The runtime's entry points: {@link dev.dcont.runtime.ContainerRuntime} runs, starts (detached), inspects, signals,
 * execs into and deletes containers from OCI bundles; {@link dev.dcont.runtime.RuntimeMain} is a small runc-like
 * command line over it. This package orchestrates: it reads the spec, creates the cgroup, asks
 * {@code launch.LaunchPlanner} for a plan, starts the native stage {@code dcont-init} ({@link
 * dev.dcont.runtime.NativeStage}) and keeps the per-container state directory.
 *
 * <p>{@link dev.dcont.runtime.RootFiles} is how the Java side reads and makes files inside a container root that a
 * process may be changing (the user lookup of {@code exec}, a missing working directory): through descriptors,
 * resolved inside the root.
 *
 * <p>Owns the state directory layout ({@link dev.dcont.runtime.StateDir}). Knows nothing of images or registries.
 */
package dev.dcont.runtime;
