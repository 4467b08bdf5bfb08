/**
 * Images in and out of the store as archives: {@code save} writes Docker's and OCI's layout in one tar
 * ({@link ImageArchiveWriter}), {@code load} reads docker-archives (old and new), OCI archives and OCI layout
 * directories ({@link ImageArchiveLoader}, over an {@link ArchiveSource}), and {@code export} writes a container's
 * merged root as a tar ({@link RootExport}). Blobs go in only through the store's ingest, layers are unpacked only
 * through {@code ImageUnpacker}; nothing here names a path of the host after a path read from an archive.
 */
package dev.dcont.layers.archive;
