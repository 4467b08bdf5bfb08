/**
 * The local image store: on-disk layout ({@link dev.dcont.store.StoreLayout}), content-addressed
 * blobs ({@code content}), the SQLite metadata database ({@code db}) and the OCI model
 * ({@code model}). Must not import registry, layers, runtime or CLI code.
 */
package dev.dcont.store;
