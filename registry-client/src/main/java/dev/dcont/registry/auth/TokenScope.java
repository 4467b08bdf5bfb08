package dev.dcont.registry.auth;

import java.util.List;

/**
 * The token scopes a request needs when they are not the pull scope its URL implies, carried as the OkHttp
 * request's tag: a push asks for {@code repository:NAME:pull,push} (and {@code repository:OTHER:pull} for a blob
 * it mounts from OTHER), as Docker asks for them.
 */
public record TokenScope(List<String> scopes) {
  public TokenScope {
    scopes = List.copyOf(scopes);
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException("a token scope needs at least one scope");
    }
  }

  /** Pull and push on {@code repository} (its path, {@code library/app}). */
  public static TokenScope push(String repository) {
    return new TokenScope(List.of("repository:" + repository + ":pull,push"));
  }

  /** Pull and push on {@code repository}, and pull on {@code from}, the repository a blob is mounted from. */
  public static TokenScope mount(String repository, String from) {
    return new TokenScope(List.of("repository:" + repository + ":pull,push", "repository:" + from + ":pull"));
  }

  /** The scopes separated by spaces, as OAuth2 writes several in one {@code scope} parameter. */
  public String joined() {
    return String.join(" ", scopes);
  }
}
