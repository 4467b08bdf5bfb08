package dev.dcont.registry.auth;

import dev.dcont.registry.http.Failures;
import java.io.IOException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Challenge;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Answers registry challenges: on a 401 with {@code WWW-Authenticate: Bearer realm=…,service=…}
 * it fetches a token for {@code repository:<path>:pull}, or the scopes of the request's {@link TokenScope} (a
 * push's), (with the host's credentials if any) and
 * repeats the request; on {@code Basic} it repeats it with the host's credentials. What it learns
 * about a host is remembered, so later requests carry the token or credentials from the start;
 * tokens are refreshed when expired. The header is added here, before OkHttp follows redirects,
 * so OkHttp drops it when a redirect leaves the host (to a CDN, say): credentials never go to
 * another host than the one they are for, except the token realm that host names.
 */
public final class AuthInterceptor implements Interceptor {
  private final CredentialSource credentials;
  private final TokenEndpoint tokens;
  private final Clock clock;
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, TokenEndpoint.Token> tokenCache = new ConcurrentHashMap<>();
  private final Map<String, Optional<Credentials>> credentialCache = new ConcurrentHashMap<>();

  public AuthInterceptor(CredentialSource credentials, TokenEndpoint tokens, Clock clock) {
    this.credentials = credentials;
    this.tokens = tokens;
    this.clock = clock;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (request.header("Authorization") != null) {
      return chain.proceed(request);
    }
    String host = hostKey(request.url());
    Challenge known = challenges.get(host);
    TokenScope wanted = request.tag(TokenScope.class);
    String scope = wanted != null ? wanted.joined() : scopeFor(request.url());
    String sent = known == null ? null : authorization(known, scope, request.url(), host, false);
    Response response = chain.proceed(sent == null ? request : withAuth(request, sent));
    if (response.code() != 401 || !host.equals(hostKey(response.request().url()))) {
      return response;
    }
    Challenge challenge = pick(response);
    if (challenge == null) {
      return response;
    }
    challenges.put(host, challenge);
    String header = authorization(challenge, scope, request.url(), host, sent != null);
    if (header == null || header.equals(sent)) {
      return response;
    }
    response.close();
    return chain.proceed(withAuth(request, header));
  }

  private static Request withAuth(Request r, String header) {
    return r.newBuilder().header("Authorization", header).build();
  }

  private static Challenge pick(Response r) {
    Challenge basic = null;
    for (Challenge c : r.challenges()) {
      String s = c.scheme().toLowerCase(Locale.ROOT);
      if (s.equals("bearer") && c.authParams().get("realm") != null) {
        return c;
      }
      if (s.equals("basic")) {
        basic = c;
      }
    }
    return basic;
  }

  /** The Authorization header for a request under {@code challenge}, or null when there is none to give. */
  private String authorization(Challenge challenge, String scopeOrNull, HttpUrl url, String host, boolean refresh)
      throws IOException {
    Optional<Credentials> creds = credentialCache.computeIfAbsent(host, h -> credentials.lookup(registryName(url)));
    if (challenge.scheme().equalsIgnoreCase("basic")) {
      return creds.filter(c -> !c.hasIdentityToken()).map(Credentials::basicHeader).orElse(null);
    }
    String realm = challenge.authParams().get("realm");
    String service = challenge.authParams().get("service");
    String scope = scopeOrNull;
    if (scope == null) {
      scope = challenge.authParams().get("scope");
    }
    String key = host + " " + realm + " " + service + " " + scope;
    TokenEndpoint.Token t = tokenCache.get(key);
    if (refresh || t == null || !t.validAt(clock.instant())) {
      t = tokens.fetch(realm, service, scope, creds);
      tokenCache.put(key, t);
    }
    return "Bearer " + t.value();
  }

  /** {@code repository:<name>:pull} for {@code /v2/<name>/(manifests|blobs|tags)/…}, else null. */
  static String scopeFor(HttpUrl url) {
    String path = url.encodedPath();
    int v2 = path.indexOf("/v2/");
    if (v2 < 0) {
      return null;
    }
    String rest = path.substring(v2 + 4);
    for (String kind : new String[] {"/manifests/", "/blobs/", "/tags/", "/referrers/"}) {
      int i = rest.lastIndexOf(kind);
      if (i > 0) {
        return "repository:" + rest.substring(0, i) + ":pull";
      }
    }
    return null;
  }

  /** The name credentials are filed under: the host, with the port only when it is not the scheme's default. */
  static String registryName(HttpUrl u) {
    return u.port() == HttpUrl.defaultPort(u.scheme()) ? u.host() : Failures.hostPort(u);
  }

  private static String hostKey(HttpUrl u) {
    return Failures.hostPort(u);
  }
}
