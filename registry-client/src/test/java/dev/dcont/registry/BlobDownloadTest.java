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
    RegistryEndpoint ep = t.endpoints(host()).get(0);
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
  void connectionCutMidBlobResumesFromTheBytesOnDisk() throws Exception {
    int cut = 120_000;
    java.util.List<String> ranges = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (java.net.ServerSocket server = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
         Store store = openStore()) {
      Thread t = new Thread(() -> serveCuttingFirstAnswer(server, cut, ranges));
      t.setDaemon(true);
      t.start();
      RegistryTransport transport = new RegistryTransport(options, h -> Optional.empty());
      RegistryEndpoint ep = transport.endpoints("127.0.0.1:" + server.getLocalPort()).get(0);

      assertEquals(BlobEndpoint.Outcome.DOWNLOADED,
          new BlobEndpoint(options).download(ep, "app", desc, store.content(), BlobEndpoint.Progress.NONE));

      assertArrayEquals(blob, store.content().readAll(desc.digest()));
    }
    assertEquals(java.util.List.of("", "bytes=" + cut + "-"), ranges);
    assertEquals(1, sleeper.waits.size());
  }

  /** A raw HTTP server whose first answer promises the whole blob and breaks off after {@code cut} bytes. */
  private void serveCuttingFirstAnswer(java.net.ServerSocket server, int cut, java.util.List<String> ranges) {
    for (int i = 0; i < 2; i++) {
      try (java.net.Socket s = server.accept()) {
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
            java.nio.charset.StandardCharsets.ISO_8859_1));
        String range = "";
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
          if (line.toLowerCase().startsWith("range:")) {
            range = line.substring(6).strip();
          }
        }
        ranges.add(range);
        var out = s.getOutputStream();
        if (range.isEmpty()) {
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n").getBytes());
          out.write(blob, 0, cut);
          out.flush();
          // closing now ends the stream short of its Content-Length: a dropped connection
        } else {
          int from = Integer.parseInt(range.substring(6, range.length() - 1));
          out.write(("HTTP/1.1 206 Partial Content\r\nContent-Length: " + (SIZE - from) + "\r\nContent-Range: bytes "
              + from + "-" + (SIZE - 1) + "/" + SIZE + "\r\nConnection: close\r\n\r\n").getBytes());
          out.write(blob, from, SIZE - from);
          out.flush();
        }
      } catch (java.io.IOException e) {
        return;
      }
    }
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
