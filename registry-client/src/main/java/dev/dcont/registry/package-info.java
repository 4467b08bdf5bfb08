/**
 * The Registry HTTP API v2 / OCI distribution client: reference resolution to registry
 * endpoints (mirrors, insecure registries, certs.d TLS), token and basic auth with Docker's
 * credential files and helpers, manifest negotiation and checks, platform selection, blob
 * download with streaming digest check, retries and resume, and {@link dev.dcont.registry.ImagePuller},
 * the one entry point of {@code dcont pull}.
 *
 * <p>Depends on image-store (model and ingest) and okhttp; must not import layers, runtime or cli.
 * Subpackages: {@code auth} (credentials, challenges, tokens), {@code http} (transport,
 * interceptors, TLS, endpoint choice), {@code endpoint} (one class per registry endpoint).
 */
package dev.dcont.registry;
