package dev.dcont.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DigestAndPlatformTest {
  @Test
  void digestPrintsWhatItParsed() {
    String s = "sha256:" + "0123456789abcdef".repeat(4);
    assertEquals(s, Digest.parse(s).toString());
    assertEquals("0123456789ab", Digest.parse(s).shortHex());
    assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        Digest.sha256("hello".getBytes(StandardCharsets.UTF_8)).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha256:../x", "sha256:", "sha256", ":abc", "sha256:" + "AB", "md5:abcd",
      "sha256:/etc/passwd", "sha256:aaaa/../../bbbb"})
  void digestRejectsAnythingThatIsNotHex(String bad) {
    assertThrows(IllegalArgumentException.class, () -> Digest.parse(bad));
    assertFalse(Digest.isValid(bad));
  }

  @Test
  void digestRejectsUppercaseAndWrongLength() {
    assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + "AB".repeat(32)));
    assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + "ab".repeat(31)));
  }

  @ParameterizedTest
  @CsvSource({
      "linux/x86_64, linux/amd64",
      "linux/aarch64, linux/arm64/v8",
      "linux/arm64, linux/arm64/v8",
      "linux/arm64/8, linux/arm64/v8",
      "linux/armhf, linux/arm/v7",
      "linux/arm, linux/arm/v7",
      "LINUX/AMD64, linux/amd64",
      "arm64, linux/arm64/v8",
  })
  void platformNormalisation(String in, String out) {
    assertEquals(out, Platform.parse(in).toString());
  }

  @Test
  void platformRejectsGarbage() {
    assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux/amd64/v1/extra"));
    assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux/../x"));
    assertThrows(IllegalArgumentException.class, () -> Platform.parse(""));
  }

  private static Descriptor entry(String platform, Map<String, String> annotations) {
    Platform p = platform == null ? null : Platform.parse(platform);
    return new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256(String.valueOf(platform) + annotations), 10,
        null, annotations, p == null ? null : new Platform(p.architecture(), p.os(), null, null, p.variant()), null);
  }

  @Test
  void indexSelectsHostOrRequestedPlatformAndSkipsAttestations() {
    Descriptor amd = entry("linux/amd64", null);
    Descriptor arm = entry("linux/arm64/v8", null);
    Descriptor armv7 = entry("linux/arm/v7", null);
    Descriptor att = new Descriptor(MediaType.OCI_MANIFEST, Digest.sha256("att"), 5, null,
        Map.of("vnd.docker.reference.type", "attestation-manifest"),
        new Platform("unknown", "unknown", null, null, null), null);
    ImageIndex idx = new ImageIndex(2, MediaType.OCI_INDEX, List.of(att, amd, arm, armv7), null);
    assertEquals(amd, idx.select(Platform.parse("linux/amd64"), "x"));
    assertEquals(arm, idx.select(Platform.parse("linux/aarch64"), "x"));
    assertEquals(armv7, idx.select(Platform.parse("linux/arm/v7"), "x"));
    ImageIndex.NoMatchingPlatformException e = assertThrows(ImageIndex.NoMatchingPlatformException.class,
        () -> idx.select(Platform.parse("linux/s390x"), "pull x"));
    assertTrue(e.getMessage().contains("linux/amd64, linux/arm64/v8, linux/arm/v7"), e.getMessage());
    assertFalse(e.getMessage().contains("unknown"), e.getMessage());
  }

  @Test
  void chainIdsFollowTheSpec() {
    Digest a = Digest.sha256("a");
    Digest b = Digest.sha256("b");
    List<ChainId> ids = ChainId.of(List.of(a, b));
    assertEquals(a, ids.get(0).digest());
    assertEquals(Digest.sha256(a + " " + b), ids.get(1).digest());
  }

  @Test
  void manifestParsingRejectsWrongSchemaAndMissingConfig() {
    byte[] schema1 = "{\"schemaVersion\":1,\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    assertThrows(IllegalArgumentException.class, () -> Manifest.parse(schema1, "m"));
    byte[] noConfig = "{\"schemaVersion\":2,\"layers\":[]}".getBytes(StandardCharsets.UTF_8);
    assertThrows(IllegalArgumentException.class, () -> Manifest.parse(noConfig, "m"));
    byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Manifest.parse(garbage, "m"));
    assertTrue(e.getMessage().startsWith("m: invalid JSON"));
  }
}
