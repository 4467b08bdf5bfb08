/**
 * One class per registry endpoint, after jib-core's {@code RegistryEndpointProvider}: the
 * {@code /v2/} ping, manifests and blobs. Each knows its URL, what it accepts and how to check
 * what it reads; retries, auth and redirects are the transport's interceptors.
 */
package dev.dcont.registry.endpoint;
