package dev.dcont.registry.auth;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.http.ErrorBodies;
import dev.dcont.registry.http.Failures;
import dev.dcont.registry.http.RegistryFailureIOException;
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
      request = new Request.Builder().url(realmUrl).post(form.build()).build();
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
      Request.Builder b = new Request.Builder().url(u.build()).get();
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
      String token = Json.text(n.get("token"), "");
      if (token.isEmpty()) {
        token = Json.text(n.get("access_token"), "");
      }
      if (token.isEmpty()) {
        throw new RegistryFailureIOException(new RegistryException(Kind.SERVER_ERROR,
            "token service " + Failures.hostPort(realmUrl) + " answered without a token"));
      }
      Duration lifetime = n.get("expires_in") instanceof Number s && s.longValue() > 0
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
