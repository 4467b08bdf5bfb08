package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.registry.endpoint.BlobEndpoint;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryTransport;
import dev.dcont.store.Store;
import dev.dcont.store.content.IngestWriter;
import dev.dcont.store.model.Descriptor;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BlobDownloadTest extends WireMockSupport {
  static final int SIZE = 200_000;
  byte[] blob;
  Descriptor desc;
  String path;

  @BeforeEach
  void blob() {
    blob = new byte[SIZE];
    new Random(42).nextBytes(blob);
    desc = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.sha256(blob), SIZE);
    path = "/v2/app/blobs/" + desc.digest();
  }

  BlobEndpoint.Outcome download(Store store) {
    RegistryTransport t = new RegistryTransport(options, h -> Optional.empty());
    RegistryEndpoint ep = plain(t, host());
    return new BlobEndpoint(options).download(ep, "app", desc, store.content(), BlobEndpoint.Progress.NONE);
  }

  void writePartial(Store store, int n) throws Exception {
    try (IngestWriter w = store.content().open(desc.digest(), SIZE).orElseThrow()) {
      w.write(blob, 0, n);
    }
  }

  void stubRangeFrom(int offset) {
    registry.stubFor(get(urlPathEqualTo(path)).atPriority(1).withHeader("Range", equalTo("bytes=" + offset + "-"))
        .willReturn(aResponse().withStatus(206)
            .withHeader("Content-Range", "bytes " + offset + "-" + (SIZE - 1) + "/" + SIZE)
            .withBody(Arrays.copyOfRange(blob, offset, SIZE))));
  }

  @Test
  void partialFileOfAnEarlierProcessIsResumedWithARangeRequest() throws Exception {
    try (Store store = openStore()) {
      writePartial(store, 70_000);
      stubRangeFrom(70_000);
      registry.stubFor(get(urlPathEqualTo(path)).atPriority(5).willReturn(aResponse().withBody(blob)));

      assertEquals(BlobEndpoint.Outcome.DOWNLOADED, download(store));

      assertArrayEquals(blob, store.content().readAll(desc.digest()));
      registry.verify(1, getRequestedFor(urlPathEqualTo(path)).withHeader("Range", equalTo("bytes=70000-")));
      registry.verify(0, getRequestedFor(urlPathEqualTo(path)).withHeader("Range", absent()));
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(30)
  void aBodyThatStallsIsGivenUpAfterTheReadTimeoutAndResumed() throws Exception {
    int cut = 90_000;
    RegistryOptions quick = baseOptions().readTimeout(java.time.Duration.ofMillis(400)).build();
    java.util.List<String> ranges;
    long took;
    try (CuttingBlobServer server = new CuttingBlobServer(blob, cut, true, true); Store store = openStore()) {
      RegistryTransport transport = new RegistryTransport(quick, h -> Optional.empty());
      RegistryEndpoint ep = plain(transport, server.host());
      long t0 = System.nanoTime();

      assertEquals(BlobEndpoint.Outcome.DOWNLOADED,
          new BlobEndpoint(quick).download(ep, "app", desc, store.content(), BlobEndpoint.Progress.NONE));

      took = (System.nanoTime() - t0) / 1_000_000;
      assertArrayEquals(blob, store.content().readAll(desc.digest()));
      ranges = server.ranges;
    }
    assertEquals(java.util.List.of("", "bytes=" + cut + "-"), ranges);
    assertTrue(took >= 400, "resumed after " + took + " ms, before the read timeout");
  }

  @Test
  void connectionCutMidBlobResumesFromTheBytesOnDisk() throws Exception {
    int cut = 120_000;
    java.util.List<String> ranges;
    try (CuttingBlobServer server = new CuttingBlobServer(blob, cut, true); Store store = openStore()) {
      RegistryTransport transport = new RegistryTransport(options, h -> Optional.empty());
      RegistryEndpoint ep = plain(transport, server.host());

      assertEquals(BlobEndpoint.Outcome.DOWNLOADED,
          new BlobEndpoint(options).download(ep, "app", desc, store.content(), BlobEndpoint.Progress.NONE));

      assertArrayEquals(blob, store.content().readAll(desc.digest()));
      ranges = server.ranges;
    }
    assertEquals(java.util.List.of("", "bytes=" + cut + "-"), ranges);
    assertEquals(1, sleeper.waits.size());
  }

  @Test
  void wholeBlobInsteadOfARangeRestartsCleanly() throws Exception {
    try (Store store = openStore()) {
      writePartial(store, 50_000);
      // a server without range support answers 200 with everything
      registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withBody(blob)));
      assertEquals(BlobEndpoint.Outcome.DOWNLOADED, download(store));
      assertArrayEquals(blob, store.content().readAll(desc.digest()));
      registry.verify(1, getRequestedFor(urlPathEqualTo(path)).withHeader("Range", equalTo("bytes=50000-")));
    }
  }

  @Test
  void wrongContentIsNotCommittedAndThePartialFileIsRemoved() throws Exception {
    byte[] other = blob.clone();
    other[1234] ^= 1;
    registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withBody(other)));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> download(store));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
      assertTrue(e.getMessage().contains("content has digest " + Digest.sha256(other)), e.getMessage());
      assertFalse(store.content().exists(desc.digest()));
      assertFalse(Files.exists(store.layout().ingestPartial(desc.digest())));
    }
  }

  @Test
  void blobShorterThanDeclaredIsRefused() throws Exception {
    registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withBody(Arrays.copyOf(blob, SIZE - 10))));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> download(store));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
      assertTrue(e.getMessage().contains("size " + (SIZE - 10) + " != " + SIZE), e.getMessage());
      assertFalse(store.content().exists(desc.digest()));
      assertFalse(Files.exists(store.layout().ingestPartial(desc.digest())));
    }
  }

  @Test
  void blobLongerThanDeclaredIsRefused() throws Exception {
    byte[] longer = Arrays.copyOf(blob, SIZE + 100);
    registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withBody(longer)));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> download(store));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
      assertFalse(store.content().exists(desc.digest()));
      assertFalse(Files.exists(store.layout().ingestPartial(desc.digest())));
    }
  }

  @Test
  void alreadyCommittedBlobIsNotFetched() throws Exception {
    try (Store store = openStore()) {
      store.content().put(desc.digest(), blob);
      assertEquals(BlobEndpoint.Outcome.ALREADY_PRESENT, download(store));
    }
    assertEquals(0, registry.getAllServeEvents().size());
  }

  @Test
  void missingBlobSaysTheImageIsIncomplete() throws Exception {
    registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(404)
        .withBody("{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}")));
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> download(store));
      assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
      assertEquals("blob " + desc.digest() + " not found on " + host() + " (blob unknown to registry); the image in the"
          + " registry is incomplete, push it again", e.getMessage());
    }
  }
}
