/**
 * HTTP plumbing shared by all registry endpoints: the OkHttp transport and its interceptors
 * (user agent, retries with backoff and {@code Retry-After}, authentication), the choice of
 * endpoints for a registry (mirrors, insecure registries, loopback, certs.d TLS) and the
 * translation of HTTP failures into {@link dev.dcont.registry.RegistryException}s.
 */
package dev.dcont.registry.http;
