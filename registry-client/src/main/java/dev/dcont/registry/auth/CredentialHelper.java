package dev.dcont.registry.auth;

import dev.dcont.registry.RegistryException;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code docker-credential-<name>} program, spoken to as Docker does: the action as argument,
 * the request on stdin, JSON on stdout.
 */
public final class CredentialHelper {
  private static final long TIMEOUT_SECONDS = 60;
  private final String name;
  private final List<Path> searchPath;

  public CredentialHelper(String name, List<Path> searchPath) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new RegistryException(RegistryException.Kind.CONFIG,
          "credential helper name '" + name + "' is invalid (check credsStore/credHelpers in the Docker config)");
    }
    this.name = name;
    this.searchPath = List.copyOf(searchPath);
  }

  public String program() {
    return "docker-credential-" + name;
  }

  /** {@code get}: the credentials for {@code serverUrl}, or empty when the helper has none. */
  public Optional<Credentials> get(String serverUrl) {
    Result r = run("get", serverUrl);
    if (r.exit != 0) {
      if (r.out.contains("credentials not found") || r.err.contains("credentials not found")) {
        return Optional.empty();
      }
      throw failure("get", r);
    }
    Map<String, Object> n = Json.readObject(r.out.getBytes(StandardCharsets.UTF_8), program() + " get");
    String user = Json.text(n.get("Username"), "");
    String secret = Json.text(n.get("Secret"), "");
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    if (user.equals("<token>")) {
      return Optional.of(new Credentials(null, null, secret));
    }
    return Optional.of(Credentials.basic(user, secret));
  }

  /** {@code store}: saves credentials in the helper's keychain. */
  public void store(String serverUrl, Credentials c) {
    Map<String, Object> req = new LinkedHashMap<>();
    req.put("ServerURL", serverUrl);
    req.put("Username", c.hasIdentityToken() ? "<token>" : c.username());
    req.put("Secret", c.hasIdentityToken() ? c.identityToken() : c.password());
    Result r = run("store", new String(Json.write(req), StandardCharsets.UTF_8));
    if (r.exit != 0) {
      throw failure("store", r);
    }
  }

  /** {@code erase}: removes the credentials; absent ones are not an error. */
  public void erase(String serverUrl) {
    Result r = run("erase", serverUrl);
    if (r.exit != 0 && !(r.out + r.err).contains("not found")) {
      throw failure("erase", r);
    }
  }

  private RegistryException failure(String action, Result r) {
    String msg = (r.err.isBlank() ? r.out : r.err).strip().replaceAll("\\s+", " ");
    return new RegistryException(RegistryException.Kind.CONFIG,
        "credential helper " + program() + " " + action + " failed (exit " + r.exit + ")"
            + (msg.isEmpty() ? "" : ": " + msg));
  }

  private Path locate() {
    for (Path dir : searchPath) {
      Path p = dir.resolve(program());
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    throw new RegistryException(RegistryException.Kind.CONFIG,
        "credential helper " + program() + " not found on PATH (install it, or remove it from credsStore/credHelpers"
            + " in the Docker config)");
  }

  private record Result(int exit, String out, String err) { }

  private Result run(String action, String input) {
    Path exe = locate();
    Process p;
    try {
      p = new ProcessBuilder(exe.toString(), action).start();
    } catch (IOException e) {
      throw new RegistryException(RegistryException.Kind.CONFIG,
          "credential helper " + exe + " could not be started: " + e.getMessage(), e);
    }
    try {
      CompletableFuture<String> out = readAsync(p.getInputStream());
      CompletableFuture<String> err = readAsync(p.getErrorStream());
      try (OutputStream in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // the helper may exit without reading stdin; its exit code tells
      }
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new RegistryException(RegistryException.Kind.CONFIG,
            "credential helper " + program() + " " + action + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new RegistryException(RegistryException.Kind.CONFIG, "credential helper " + program() + " interrupted", e);
    }
  }

  private static CompletableFuture<String> readAsync(InputStream s) {
    return CompletableFuture.supplyAsync(() -> {
      try (s) {
        return new String(s.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
  }
}
