package dev.dcont.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.registry.endpoint.BlobUploadEndpoint;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.model.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A chunked upload cut in the middle of a chunk goes on from what the registry reports it has. */
class BlobUploadResumeTest {
  @TempDir
  Path tmp;

  @Test
  void aCutChunkIsResumedFromTheRangeTheRegistryReportsInTheSameSession() throws Exception {
    byte[] blob = new byte[250_000];
    new Random(7).nextBytes(blob);
    Path file = tmp.resolve("blob");
    Files.write(file, blob);
    Digest digest = Digest.sha256(blob);
    RecordingSleeper sleeper = new RecordingSleeper();
    RegistryOptions options = RegistryOptions.builder()
        .credentialsFile(tmp.resolve("docker/config.json"))
        .registriesConfig(tmp.resolve("registries.json"))
        .certsDirs(List.of()).credentialHelperPath(List.of())
        .sleeper(sleeper).backoffBase(Duration.ofMillis(100))
        .readTimeout(Duration.ofSeconds(5)).build();
    try (ResumableUploadServer server = new ResumableUploadServer(60_000)) {
      // the server speaks plain HTTP only: its endpoint, not the HTTPS one tried first on loopback
      RegistryEndpoint ep = new RegistryTransport(options, host -> Optional.empty()).endpoints(server.host()).stream()
          .filter(e -> e.base().scheme().equals("http")).findFirst().orElseThrow();
      new BlobUploadEndpoint(options, 100_000).upload(ep, "r", digest, blob.length, file, null,
          BlobUploadEndpoint.Progress.NONE);
      String up = "/v2/r/blobs/uploads/";
      assertEquals(List.of(
          "POST " + up,
          "PATCH " + up + "u1 0-99999",
          "HEAD /v2/r/blobs/" + digest,
          "GET " + up + "u1",
          "PATCH " + up + "u1 60000-159999",
          "PUT " + up + "u1 160000-249999"), server.requests);
      assertArrayEquals(blob, server.received());
      assertEquals(List.of(Duration.ofMillis(100)), sleeper.waits, "one pause before the resume");
    }
  }
}
