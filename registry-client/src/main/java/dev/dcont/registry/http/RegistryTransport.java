package dev.dcont.registry.http;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.RegistryOptions;
import dev.dcont.registry.auth.AuthInterceptor;
import dev.dcont.registry.auth.CredentialSource;
import dev.dcont.registry.auth.TokenEndpoint;
import dev.dcont.store.model.Reference;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The HTTP side of the client: one OkHttp client (connection pool, timeouts, user agent, retry
 * and auth interceptors) and, per registry, the ordered endpoints to try: its mirrors, then the
 * registry itself. The scheme of a host is chosen as Docker does: HTTPS, verified against the
 * system CAs plus {@code certs.d/<host:port>/*.crt} (with a client certificate if there is one);
 * for loopback hosts and hosts marked {@code insecure}, HTTPS without verification, then plain HTTP
 * ({@link Endpoints#first} falls back only when HTTPS could not be spoken).
 */
public final class RegistryTransport {
  private final RegistryOptions options;
  private final RegistriesConfig config;
  private final OkHttpClient base;
  private final OkHttpClient plain;
  private final Map<String, OkHttpClient> tlsClients = new ConcurrentHashMap<>();
  private final UnansweredHandshakes handshakes;

  public RegistryTransport(RegistryOptions options, CredentialSource credentials) {
    this(options, credentials, RegistriesConfig.load(options.registriesConfig()));
  }

  public RegistryTransport(RegistryOptions options, CredentialSource credentials, RegistriesConfig config) {
    this.options = options;
    this.config = config;
    this.handshakes = new UnansweredHandshakes(options.connectTimeout());
    OkHttpClient.Builder b = new OkHttpClient.Builder()
        .connectTimeout(options.connectTimeout())
        .readTimeout(options.readTimeout())
        .followRedirects(true)
        .followSslRedirects(true)
        .sslSocketFactory(LazyTls.FACTORY, LazyTls.TRUST) // the platform's, made at the first TLS connection
        .retryOnConnectionFailure(true)
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
            .header("User-Agent", options.userAgent()).build()))
        .addInterceptor(new RetryInterceptor(options, handshakes));
    this.plain = b.build();
    TokenEndpoint tokens = new TokenEndpoint(plain, options.clock());
    this.base = plain.newBuilder().addInterceptor(new AuthInterceptor(credentials, tokens, options.clock())).build();
  }

  public RegistryOptions options() {
    return options;
  }

  public RegistriesConfig config() {
    return config;
  }

  /** Mirrors of {@code registry} (a reference domain such as {@code docker.io}) in order, then the registry. */
  public List<RegistryEndpoint> endpoints(String registry) {
    List<RegistryEndpoint> out = new ArrayList<>();
    for (String m : config.entry(registry).mirrors()) {
      out.addAll(endpointsFor(registry, m, true));
    }
    String apiHost = registry.equals(Reference.DOCKER_HUB) ? Reference.DOCKER_HUB_API_HOST : registry;
    out.addAll(endpointsFor(registry, apiHost, false));
    return out;
  }

  /** The endpoints for a host or URL: an explicit scheme is used as given. */
  private List<RegistryEndpoint> endpointsFor(String registry, String hostOrUrl, boolean mirror) {
    String s = hostOrUrl.endsWith("/") ? hostOrUrl : hostOrUrl + "/";
    if (s.startsWith("http://") || s.startsWith("https://")) {
      HttpUrl u = HttpUrl.parse(s);
      if (u == null) {
        throw new RegistryException(Kind.CONFIG, "registries config: invalid mirror URL '" + hostOrUrl + "'");
      }
      return List.of(new RegistryEndpoint(registry, u, mirror, u.isHttps() ? httpsClient(u, unverified(u)) : base));
    }
    HttpUrl https = HttpUrl.parse("https://" + s);
    HttpUrl http = HttpUrl.parse("http://" + s);
    if (https == null || http == null) {
      throw new RegistryException(Kind.CONFIG, "invalid registry host '" + hostOrUrl + "'");
    }
    boolean insecure = unverified(https);
    List<RegistryEndpoint> out = new ArrayList<>();
    out.add(new RegistryEndpoint(registry, https, mirror, httpsClient(https, insecure)));
    if (insecure) {
      out.add(new RegistryEndpoint(registry, http, mirror, base));
    }
    return out;
  }

  /**
   * Whether HTTPS to {@code u} goes unverified, with plain HTTP after it: hosts listed as insecure, and loopback,
   * which Docker treats as an insecure registry (unless a certs.d directory for it asks for verified HTTPS).
   */
  private boolean unverified(HttpUrl u) {
    return insecure(u) || (certsDir(u) == null && isLoopback(u.host()));
  }

  private boolean insecure(HttpUrl u) {
    return config.entry(u.port() == 443 ? u.host() : Failures.hostPort(u)).insecure()
        || config.entry(Failures.hostPort(u)).insecure();
  }

  private OkHttpClient httpsClient(HttpUrl u, boolean insecure) {
    Path dir = certsDir(u);
    if (dir == null && !insecure) {
      return base;
    }
    String key = Failures.hostPort(u) + (insecure ? " insecure" : "");
    return tlsClients.computeIfAbsent(key, k -> {
      TlsMaterial tls = insecure ? TlsMaterial.insecure(dir) : TlsMaterial.fromCertsDir(dir);
      OkHttpClient.Builder b = base.newBuilder().sslSocketFactory(tls.socketFactory(), tls.trustManager());
      if (!tls.verifyHostname()) {
        b.hostnameVerifier((h, session) -> true);
      }
      if (insecure) {
        // plain HTTP comes after this try: a port that does not answer the TLS hello in time speaks it
        b.sslSocketFactory(handshakes.bounded(tls.socketFactory()), tls.trustManager())
            .eventListenerFactory(handshakes);
      }
      return b.build();
    });
  }

  /** {@code certs.d/<host:port>} (or {@code certs.d/<host>} on port 443) in the first directory that has it. */
  private Path certsDir(HttpUrl u) {
    List<String> names = new ArrayList<>();
    names.add(Failures.hostPort(u));
    if (u.port() == 443) {
      names.add(u.host());
    }
    for (Path root : options.certsDirs()) {
      for (String n : names) {
        Path d = root.resolve(n);
        if (Files.isDirectory(d)) {
          return d;
        }
      }
    }
    return null;
  }

  /** localhost, 127.0.0.0/8 and ::1, which Docker treats as insecure registries. */
  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (h.matches("\\d{1,3}(\\.\\d{1,3}){3}") || h.contains(":")) {
      try {
        return InetAddress.getByName(h).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return false;
  }
}
