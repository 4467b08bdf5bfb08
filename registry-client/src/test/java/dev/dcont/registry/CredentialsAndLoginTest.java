package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.registry.auth.Credentials;
import dev.dcont.registry.auth.DockerCredentials;
import dev.dcont.store.model.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialsAndLoginTest extends WireMockSupport {

  Path configFile() {
    return tmp.resolve("docker/config.json");
  }

  void writeConfig(String json) throws Exception {
    Files.createDirectories(configFile().getParent());
    Files.writeString(configFile(), json);
  }

  DockerCredentials creds() {
    return new DockerCredentials(configFile(), List.of(tmp.resolve("bin")));
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** docker-credential-test: knows one server, logs calls, keeps what 'store' gets. */
  void installHelper(String knownServer) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path helper = bin.resolve("docker-credential-test");
    Files.writeString(helper, "#!/bin/sh\n"
        + "input=$(cat)\n"
        + "dir=$(dirname \"$0\")\n"
        + "echo \"$1 $input\" >> \"$dir/helper.log\"\n"
        + "case \"$1\" in\n"
        + "  get) if [ \"$input\" = \"" + knownServer + "\" ]; then\n"
        + "         printf '{\"ServerURL\":\"%s\",\"Username\":\"helperuser\",\"Secret\":\"helperpw\"}' \"$input\"\n"
        + "       else echo 'credentials not found in native keychain'; exit 1; fi ;;\n"
        + "  store) printf '%s' \"$input\" > \"$dir/stored.json\" ;;\n"
        + "  erase) printf '%s' \"$input\" > \"$dir/erased.txt\" ;;\n"
        + "  *) exit 2 ;;\n"
        + "esac\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void readsBase64AuthUsernamePasswordAndIdentityTokens() throws Exception {
    writeConfig("{\"auths\":{"
        + "\"https://index.docker.io/v1/\":{\"auth\":\"" + b64("hubuser:hub:pw") + "\"},"
        + "\"reg.example.com:5000\":{\"username\":\"u2\",\"password\":\"p2\"},"
        + "\"https://ghcr.example.com\":{\"auth\":\"" + b64("<token>:") + "\",\"identitytoken\":\"refresh-me\"}"
        + "}}");
    DockerCredentials c = creds();
    assertEquals(Optional.of(Credentials.basic("hubuser", "hub:pw")), c.lookup("docker.io"));
    assertEquals(Optional.of(Credentials.basic("hubuser", "hub:pw")), c.lookup("registry-1.docker.io"));
    assertEquals(Optional.of(Credentials.basic("u2", "p2")), c.lookup("reg.example.com:5000"));
    assertEquals("refresh-me", c.lookup("ghcr.example.com").orElseThrow().identityToken());
    assertEquals(Optional.empty(), c.lookup("other.example.com"));
  }

  @Test
  void credentialHelpersAreAskedAndNotFoundMeansAnonymous() throws Exception {
    installHelper("reg.example.com");
    writeConfig("{\"credHelpers\":{\"reg.example.com\":\"test\",\"other.example.com\":\"test\"},"
        + "\"auths\":{\"plain.example.com\":{\"auth\":\"" + b64("a:b") + "\"}}}");
    DockerCredentials c = creds();
    assertEquals(Optional.of(Credentials.basic("helperuser", "helperpw")), c.lookup("reg.example.com"));
    assertEquals(Optional.empty(), c.lookup("other.example.com"));
    assertEquals(Optional.of(Credentials.basic("a", "b")), c.lookup("plain.example.com"));
    assertEquals(List.of("get reg.example.com", "get other.example.com"),
        Files.readAllLines(tmp.resolve("bin/helper.log")));
  }

  @Test
  void credsStoreIsUsedForDockerHubWithItsServerUrl() throws Exception {
    installHelper(DockerCredentials.DOCKER_HUB_KEY);
    writeConfig("{\"credsStore\":\"test\"}");
    assertEquals(Optional.of(Credentials.basic("helperuser", "helperpw")), creds().lookup("docker.io"));
  }

  @Test
  void missingHelperProgramIsAConfigError() throws Exception {
    writeConfig("{\"credsStore\":\"nothere\"}");
    RegistryException e = assertThrows(RegistryException.class, () -> creds().lookup("docker.io"));
    assertEquals(RegistryException.Kind.CONFIG, e.kind());
    assertTrue(e.getMessage().contains("docker-credential-nothere not found"), e.getMessage());
  }

  void tokenRegistryAccepting(String user, String password) {
    registry.stubFor(get(urlPathEqualTo("/v2/")).atPriority(10).willReturn(aResponse().withStatus(401)
        .withHeader("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"reg\"")));
    registry.stubFor(get(urlPathEqualTo("/v2/")).atPriority(1)
        .withHeader("Authorization", equalTo("Bearer good")).willReturn(aResponse().withBody("{}")));
    registry.stubFor(get(urlPathEqualTo("/token")).atPriority(1)
        .withHeader("Authorization", equalTo("Basic " + b64(user + ":" + password)))
        .willReturn(aResponse().withBody("{\"token\":\"good\"}")));
    registry.stubFor(get(urlPathEqualTo("/token")).atPriority(10).willReturn(aResponse().withStatus(401)
        .withBody("{\"details\":\"incorrect username or password\"}")));
  }

  @Test
  void loginVerifiesThenWritesBase64AuthKeepingOtherKeysWithMode600() throws Exception {
    tokenRegistryAccepting("alice", "pw");
    writeConfig("{\"auths\":{\"other.example.com\":{\"auth\":\"" + b64("x:y") + "\"}},\"psFormat\":\"table\"}");

    new RegistryLogin(options).login(host(), "alice", "pw");

    registry.verify(getRequestedFor(urlPathEqualTo("/token")).withHeader("Authorization", equalTo("Basic " + b64("alice:pw"))));
    Map<String, Object> root = Json.readObject(Files.readAllBytes(configFile()), "config");
    assertEquals(b64("alice:pw"), at(root, "auths", host(), "auth"));
    assertEquals(b64("x:y"), at(root, "auths", "other.example.com", "auth"));
    assertEquals("table", at(root, "psFormat"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(configFile())));
    assertEquals(Optional.of(Credentials.basic("alice", "pw")), creds().lookup(host()));
    try (var s = Files.list(configFile().getParent())) {
      assertEquals(1, s.count(), "no temporary files left");
    }

    assertTrue(new RegistryLogin(options).logout(host()));
    Map<String, Object> after = Json.readObject(Files.readAllBytes(configFile()), "config");
    assertNull(at(after, "auths", host()));
    assertEquals(b64("x:y"), at(after, "auths", "other.example.com", "auth"));
    assertFalse(new RegistryLogin(options).logout(host()));
  }

  @Test
  void loginWithWrongPasswordWritesNothing() throws Exception {
    tokenRegistryAccepting("alice", "pw");
    RegistryException e = assertThrows(RegistryException.class,
        () -> new RegistryLogin(options).login(host(), "alice", "nope"));
    assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
    assertTrue(e.getMessage().startsWith("login " + host() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("incorrect username or password"), e.getMessage());
    assertFalse(Files.exists(configFile()));
  }

  @Test
  void loginThroughCredsStoreHandsTheSecretToTheHelper() throws Exception {
    installHelper("none");
    tokenRegistryAccepting("alice", "pw");
    writeConfig("{\"credsStore\":\"test\"}");
    new RegistryLogin(options).login(host(), "alice", "pw");
    Map<String, Object> stored = Json.readObject(Files.readAllBytes(tmp.resolve("bin/stored.json")), "stored");
    assertEquals(Map.of("ServerURL", host(), "Username", "alice", "Secret", "pw"), stored);
    String file = Files.readString(configFile());
    assertFalse(file.contains(b64("alice:pw")), "the secret is not in the file");
    assertEquals(Map.of(), at(Json.readObject(file.getBytes(StandardCharsets.UTF_8), "c"), "auths", host()));
    new RegistryLogin(options).logout(host());
    assertEquals(host(), Files.readString(tmp.resolve("bin/erased.txt")));
  }

  @Test
  void loginToDockerHubUsesTheIndexKey() throws Exception {
    DockerCredentials c = creds();
    c.store("docker.io", Credentials.basic("hub", "pw"));
    Map<String, Object> root = Json.readObject(Files.readAllBytes(configFile()), "config");
    assertEquals(b64("hub:pw"), at(root, "auths", "https://index.docker.io/v1/", "auth"));
  }

  /** The value at {@code path} in nested objects, null where one is missing. */
  private static Object at(Map<String, Object> root, String... path) {
    Object v = root;
    for (String k : path) {
      v = v instanceof Map<?, ?> m ? m.get(k) : null;
    }
    return v;
  }
}
