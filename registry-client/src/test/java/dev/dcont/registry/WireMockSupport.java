package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.Store;
import dev.dcont.store.model.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A WireMock "registry" on loopback (plain HTTP, which dcont falls back to on loopback), options pointing into a temp dir. */
abstract class WireMockSupport {
  static WireMockServer registry;
  @TempDir
  Path tmp;
  RecordingSleeper sleeper;
  RegistryOptions options;

  @BeforeAll
  static void startRegistry() {
    registry = new WireMockServer(options().dynamicPort());
    registry.start();
  }

  @AfterAll
  static void stopRegistry() {
    registry.stop();
  }

  @BeforeEach
  void resetRegistry() {
    registry.resetAll();
    sleeper = new RecordingSleeper();
    options = baseOptions().build();
  }

  RegistryOptions.Builder baseOptions() {
    return RegistryOptions.builder()
        .credentialsFile(tmp.resolve("docker/config.json"))
        .registriesConfig(tmp.resolve("registries.json"))
        .certsDirs(List.of(tmp.resolve("certs.d")))
        .credentialHelperPath(List.of(tmp.resolve("bin")))
        .sleeper(sleeper)
        .backoffBase(Duration.ofMillis(100))
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(5));
  }

  static String host() {
    return "localhost:" + registry.port();
  }

  static Reference ref(String repoAndTag) {
    return Reference.parse(host() + "/" + repoAndTag);
  }

  /** The plain-HTTP endpoint of a loopback host (HTTPS, unverified, is tried before it). */
  static RegistryEndpoint plain(RegistryTransport t, String host) {
    return t.endpoints(host).stream().filter(e -> e.base().scheme().equals("http")).findFirst().orElseThrow();
  }

  Store openStore() {
    return Store.open(tmp.resolve("store"));
  }

  ImagePuller puller(Store store) {
    return new ImagePuller(store, options);
  }

  ImagePuller puller(Store store, RegistryOptions o) {
    return new ImagePuller(store, new RegistryTransport(o, host -> java.util.Optional.empty()));
  }
}
