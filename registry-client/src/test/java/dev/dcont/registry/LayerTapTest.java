package dev.dcont.registry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
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
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a {@link LayerTap} sink sees of a blob download: every byte in order, then exactly one verdict. */
class LayerTapTest extends WireMockSupport {
  static final int SIZE = 300_000;
  byte[] blob;
  Descriptor desc;
  String path;

  @BeforeEach
  void blob() {
    blob = new byte[SIZE];
    new Random(9).nextBytes(blob);
    desc = new Descriptor(MediaType.OCI_LAYER_GZIP, Digest.sha256(blob), SIZE);
    path = "/v2/app/blobs/" + desc.digest();
  }

  /** Records what it is given. */
  static final class RecordingSink implements LayerTap.Sink {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<String> verdicts = new CopyOnWriteArrayList<>();

    @Override
    public void write(byte[] b, int off, int len) {
      assertTrue(verdicts.isEmpty(), "no bytes after the verdict");
      bytes.write(b, off, len);
    }

    @Override
    public void verified() {
      verdicts.add("verified");
    }

    @Override
    public void abort(Throwable cause) {
      verdicts.add("abort");
    }
  }

  BlobEndpoint.Outcome download(Store store, RegistryEndpoint ep, List<RecordingSink> opened) {
    return new BlobEndpoint(options).download(ep, "app", desc, store.content(), BlobEndpoint.Progress.NONE, () -> {
      RecordingSink s = new RecordingSink();
      opened.add(s);
      return s;
    });
  }

  RegistryEndpoint wiremock() {
    return plain(new RegistryTransport(options, h -> Optional.empty()), host());
  }

  @Test
  void sinkGetsTheWholeBlobThenVerifiedAfterTheCommit() throws Exception {
    registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withBody(blob)));
    List<RecordingSink> opened = new CopyOnWriteArrayList<>();
    try (Store store = openStore()) {
      assertEquals(BlobEndpoint.Outcome.DOWNLOADED, download(store, wiremock(), opened));
      assertTrue(store.content().exists(desc.digest()));
    }
    assertEquals(1, opened.size());
    assertArrayEquals(blob, opened.get(0).bytes.toByteArray());
    assertEquals(List.of("verified"), opened.get(0).verdicts);
  }

  @Test
  void wrongContentAbortsTheSinkAndCommitsNothing() throws Exception {
    byte[] other = blob.clone();
    other[SIZE - 5] ^= 1;
    registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withBody(other)));
    List<RecordingSink> opened = new CopyOnWriteArrayList<>();
    try (Store store = openStore()) {
      RegistryException e = assertThrows(RegistryException.class, () -> download(store, wiremock(), opened));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
      assertFalse(store.content().exists(desc.digest()));
    }
    assertEquals(List.of("abort"), opened.get(0).verdicts, "every byte arrived, but the digest is wrong");
    assertEquals(SIZE, opened.get(0).bytes.size());
  }

  @Test
  void missingBlobAbortsTheSink() throws Exception {
    registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(404)));
    List<RecordingSink> opened = new CopyOnWriteArrayList<>();
    try (Store store = openStore()) {
      assertThrows(RegistryException.class, () -> download(store, wiremock(), opened));
    }
    assertEquals(List.of("abort"), opened.get(0).verdicts);
  }

  @Test
  void partialFileOfAnEarlierProcessIsNotTapped() throws Exception {
    registry.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withBody(blob)));
    List<RecordingSink> opened = new CopyOnWriteArrayList<>();
    try (Store store = openStore()) {
      try (IngestWriter w = store.content().open(desc.digest(), SIZE).orElseThrow()) {
        w.write(blob, 0, 1000);
      }
      assertEquals(BlobEndpoint.Outcome.DOWNLOADED, download(store, wiremock(), opened));
      assertTrue(store.content().exists(desc.digest()));
    }
    assertEquals(List.of(), opened, "the unpack falls back to the committed blob");
  }

  @Test
  void blobAlreadyPresentIsNotTapped() throws Exception {
    List<RecordingSink> opened = new CopyOnWriteArrayList<>();
    try (Store store = openStore()) {
      store.content().put(desc.digest(), blob);
      assertEquals(BlobEndpoint.Outcome.ALREADY_PRESENT, download(store, wiremock(), opened));
    }
    assertEquals(List.of(), opened);
  }

  @Test
  void connectionCutMidBlobKeepsStreamingAfterTheRangeResume() throws Exception {
    List<RecordingSink> opened = new CopyOnWriteArrayList<>();
    List<String> ranges;
    try (CuttingBlobServer server = new CuttingBlobServer(blob, 123_456, true); Store store = openStore()) {
      ranges = server.ranges;
      RegistryEndpoint ep = plain(new RegistryTransport(options, h -> Optional.empty()), server.host());
      assertEquals(BlobEndpoint.Outcome.DOWNLOADED, download(store, ep, opened));
      assertArrayEquals(blob, store.content().readAll(desc.digest()));
    }
    assertEquals(List.of("", "bytes=123456-"), ranges);
    assertEquals(1, opened.size());
    assertArrayEquals(blob, opened.get(0).bytes.toByteArray(), "the sink saw the blob once, in order");
    assertEquals(List.of("verified"), opened.get(0).verdicts);
  }

  @Test
  void serverThatRestartsTheBlobAfterACutAbortsTheSink() throws Exception {
    List<RecordingSink> opened = new CopyOnWriteArrayList<>();
    List<String> ranges;
    try (CuttingBlobServer server = new CuttingBlobServer(blob, 100_000, false); Store store = openStore()) {
      ranges = server.ranges;
      RegistryEndpoint ep = plain(new RegistryTransport(options, h -> Optional.empty()), server.host());
      assertEquals(BlobEndpoint.Outcome.DOWNLOADED, download(store, ep, opened));
      assertArrayEquals(blob, store.content().readAll(desc.digest()));
    }
    assertEquals(1, opened.size());
    assertEquals(List.of("abort"), opened.get(0).verdicts, "the blob is good but the sink's copy is not whole");
    assertEquals(100_000, opened.get(0).bytes.size());
  }
}
