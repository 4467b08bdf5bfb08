/**
 * Layers: unpacking layer tars into snapshots keyed by chain ID ({@link dev.dcont.layers.LayerApplier} holds
 * every tar, whiteout and confinement rule), the snapshotter that owns the snapshots and their tables
 * ({@link dev.dcont.layers.Snapshotter}, containerd's interface), assembling container roots with overlayfs
 * ({@link dev.dcont.layers.RootfsManager}), reading what the store holds (inspection, disk usage, prune,
 * check), and images in and out as archives ({@code layers.archive}: save, load, export). Depends on image-store only for the layout, blobs, database and repositories; runs SQL only on its own
 * tables; must not import the registry client, the runtime or the CLI.
 */
package dev.dcont.layers;
