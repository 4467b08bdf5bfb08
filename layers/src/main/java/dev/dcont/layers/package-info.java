/**
 * Layers: unpacking layer tars into snapshots keyed by chain ID ({@link dev.dcont.layers.LayerApplier} holds
 * every tar, whiteout and confinement rule), assembling container roots with overlayfs
 * ({@link dev.dcont.layers.RootfsManager}), and reading what the store holds (inspection, disk usage, prune,
 * check). Depends on image-store only for the layout, blobs and database; must not import the registry
 * client, the runtime or the CLI.
 */
package dev.dcont.layers;
