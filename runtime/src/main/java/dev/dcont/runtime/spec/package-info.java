/**
 * The OCI runtime-spec model ({@code config.json}) as Jackson records, plus {@link dev.dcont.runtime.spec.DefaultSpec},
 * the Docker-like default spec that the CLI fills in from an image config.
 *
 * <p>Owns: the JSON shape of the runtime spec and of the container state. Must not import anything about images,
 * registries or the launch machinery ({@code dev.dcont.runtime.launch}, {@code dev.dcont.runtime.cgroup}).
 */
package dev.dcont.runtime.spec;
