/**
 * Registry authentication: Docker's credential file and helper programs ({@link
 * dev.dcont.registry.auth.DockerCredentials}), the Bearer token endpoint ({@link
 * dev.dcont.registry.auth.TokenEndpoint}) and the OkHttp interceptor that answers 401 challenges
 * ({@link dev.dcont.registry.auth.AuthInterceptor}). Credentials only ever go to the host they
 * belong to, or to the token realm that host names.
 */
package dev.dcont.registry.auth;
