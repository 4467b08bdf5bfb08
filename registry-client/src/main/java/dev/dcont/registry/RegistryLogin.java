package dev.dcont.registry;

import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.auth.Credentials;
import dev.dcont.registry.auth.DockerCredentials;
import dev.dcont.registry.endpoint.PingEndpoint;
import dev.dcont.registry.http.Endpoints;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.model.Reference;
import java.util.List;
import java.util.Optional;

/**
 * {@code dcont login} and {@code dcont logout}: checks credentials against the registry (the
 * {@code /v2/} ping and, for token registries, a token request with them), then stores them in
 * Docker's config file, or its {@code credsStore} helper, for {@link ImagePuller} to use.
 */
public final class RegistryLogin {
  private final RegistryOptions options;
  private final DockerCredentials credentials;

  public RegistryLogin(RegistryOptions options) {
    this.options = options;
    this.credentials = new DockerCredentials(options.credentialsFile(), options.credentialHelperPath());
  }

  /** The registry name a server argument means ({@code docker.io} when empty). */
  public static String registryName(String serverOrNull) {
    if (serverOrNull == null || serverOrNull.isBlank()) {
      return Reference.DOCKER_HUB;
    }
    return DockerCredentials.canonicalRegistry(serverOrNull);
  }

  /** Verifies and stores credentials; throws UNAUTHORIZED when the registry refuses them. */
  public void login(String server, String username, String password) {
    String registry = registryName(server);
    if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
      throw new RegistryException(Kind.UNAUTHORIZED, "user name and password are required").in("login " + registry);
    }
    Credentials c = Credentials.basic(username, password);
    try {
      verify(registry, c);
      credentials.store(registry, c);
    } catch (RegistryException e) {
      throw e.in("login " + registry);
    }
  }

  /** Removes stored credentials; returns false when there were none. */
  public boolean logout(String server) {
    String registry = registryName(server);
    try {
      return credentials.remove(registry);
    } catch (RegistryException e) {
      throw e.in("logout " + registry);
    }
  }

  private void verify(String registry, Credentials c) {
    RegistryTransport t = new RegistryTransport(options, host -> Optional.of(c));
    List<RegistryEndpoint> eps = t.endpoints(registry).stream().filter(e -> !e.mirror()).toList();
    Endpoints.first(eps, ep -> {
      PingEndpoint.ping(ep);
      return ep;
    });
  }
}
