package dev.dcont.registry.auth;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.http.ErrorBodies;
import dev.dcont.registry.http.Failures;
import dev.dcont.registry.http.RegistryFailureIOException;
import dev.dcont.registry.http.WholeBody;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Map;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The token endpoint of the distribution token spec: {@code GET <realm>?service=…&scope=…},
 * anonymous or with Basic credentials, or the OAuth2 {@code POST} with a refresh token for
 * identity tokens. Reads {@code token} or {@code access_token}, {@code expires_in} (60 s when
 * absent) and {@code issued_at}.
 */
public final class TokenEndpoint {
  /** Default lifetime of a token whose response has no {@code expires_in}. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
  private static final int MAX_BODY = 1 << 20;

  /** A bearer token and when it stops being valid. */
  public record Token(String value, Instant expiresAt) {
    /** Valid at {@code now}, keeping a few seconds of margin for the request's trip. */
    public boolean validAt(Instant now) {
      return now.plusSeconds(5).isBefore(expiresAt);
    }

    @Override
    public String toString() {
      return "Token[expires " + expiresAt + "]";
    }
  }

  private final OkHttpClient client;
  private final Clock clock;

  public TokenEndpoint(OkHttpClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** A string member of the token answer, "" when absent; a member of another kind is refused by name. */
  private static String text(Map<String, Object> answer, String member, String who) throws IOException {
    Object v = answer.get(member);
    if (v == null) {
      return "";
    }
    if (!(v instanceof String s)) {
      throw new RegistryFailureIOException(new RegistryException(Kind.SERVER_ERROR, who + " answered \""
          + member + "\": " + shown(v) + ", expected the token as a string"));
    }
    return s;
  }

  private static String shown(Object v) {
    return v instanceof Map ? "an object" : v instanceof java.util.List ? "an array"
        : v instanceof String s ? "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"" : String.valueOf(v);
  }

  public Token fetch(String realm, String service, String scope, Optional<Credentials> creds) throws IOException {
    HttpUrl realmUrl = HttpUrl.parse(realm);
    if (realmUrl == null) {
      throw new RegistryFailureIOException(new RegistryException(Kind.SERVER_ERROR,
          "the registry named an invalid token realm '" + realm + "'"));
    }
    Request request;
    if (creds.isPresent() && creds.get().hasIdentityToken()) {
      FormBody.Builder form = new FormBody.Builder()
          .add("grant_type", "refresh_token")
          .add("refresh_token", creds.get().identityToken())
          .add("client_id", "dcont");
      if (service != null) {
        form.add("service", service);
      }
      if (scope != null) {
        form.add("scope", scope);
      }
      request = WholeBody.mark(new Request.Builder().url(realmUrl).post(form.build()), MAX_BODY).build();
    } else {
      HttpUrl.Builder u = realmUrl.newBuilder();
      if (service != null) {
        u.addQueryParameter("service", service);
      }
      if (scope != null) {
        // several scopes (a push that mounts) go as several parameters, as Docker sends them
        for (String one : scope.split(" ")) {
          u.addQueryParameter("scope", one);
        }
      }
      if (creds.isPresent()) {
        u.addQueryParameter("account", creds.get().username());
      }
      Request.Builder b = WholeBody.mark(new Request.Builder().url(u.build()).get(), MAX_BODY);
      creds.ifPresent(c -> b.header("Authorization", c.basicHeader()));
      request = b.build();
    }
    Instant requested = clock.instant();
    try (Response r = client.newCall(request).execute()) {
      if (r.code() == 401 || r.code() == 403) {
        String reg = ErrorBodies.join(ErrorBodies.read(r));
        throw new RegistryFailureIOException(new RegistryException(Kind.UNAUTHORIZED,
            (creds.isPresent() ? "login to " : "anonymous token from ") + Failures.hostPort(realmUrl) + " refused"
                + (reg.isEmpty() ? "" : " (" + reg + ")")
                + (creds.isPresent() ? "; check the user name and password ('dcont login')"
                    : "; does the repository exist? if it is private, run 'dcont login' for its registry first")));
      }
      if (!r.isSuccessful()) {
        throw new RegistryFailureIOException(Failures.status(r, Failures.Subject.TOKEN, realm));
      }
      byte[] body;
      try (InputStream in = r.body().byteStream()) {
        body = in.readNBytes(MAX_BODY);
      }
      Map<String, Object> n;
      try {
        n = Json.readObject(body, "token from " + realmUrl.host());
      } catch (IllegalArgumentException e) {
        throw new RegistryFailureIOException(new RegistryException(Kind.SERVER_ERROR, e.getMessage(), e));
      }
      String who = "token service " + Failures.hostPort(realmUrl);
      String token = text(n, "token", who);
      if (token.isEmpty()) {
        token = text(n, "access_token", who);
      }
      if (token.isEmpty()) {
        throw new RegistryFailureIOException(new RegistryException(Kind.SERVER_ERROR,
            who + " answered without a token"));
      }
      Object expires = n.get("expires_in");
      if (expires != null && !(expires instanceof Integer || expires instanceof Long)) {
        throw new RegistryFailureIOException(new RegistryException(Kind.SERVER_ERROR, who
            + " answered \"expires_in\": " + shown(expires) + ", expected a number of seconds"));
      }
      Duration lifetime = expires instanceof Number s && s.longValue() > 0
          ? Duration.ofSeconds(s.longValue()) : DEFAULT_LIFETIME;
      Instant issued = requested;
      if (n.get("issued_at") instanceof String at) {
        try {
          Instant i = Instant.parse(at);
          // a server clock ahead of ours must not extend the token's life
          issued = i.isBefore(requested) ? i : requested;
        } catch (DateTimeParseException ignored) {
          // keep our own clock
        }
      }
      return new Token(token, issued.plus(lifetime));
    }
  }
}
