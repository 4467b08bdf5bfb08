package dev.dcont.registry.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password, or an identity token (an OAuth2 refresh token, which Docker stores
 * as {@code identitytoken} and helpers return with the user name {@code <token>}).
 */
public record Credentials(String username, String password, String identityToken) {
  public static Credentials basic(String username, String password) {
    return new Credentials(username, password, null);
  }

  public boolean hasIdentityToken() {
    return identityToken != null && !identityToken.isEmpty();
  }

  /** The value of an {@code Authorization: Basic} header. */
  public String basicHeader() {
    return "Basic " + Base64.getEncoder().encodeToString(
        (username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credentials[" + username + ", ****]";
  }
}
