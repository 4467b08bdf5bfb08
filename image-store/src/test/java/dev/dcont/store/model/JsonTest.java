package dev.dcont.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The model's JSON: manifests, indexes and descriptors as the formats spell them, and the plain documents. */
class JsonTest {
  private static final String D1 = "sha256:" + "1".repeat(64);
  private static final String D2 = "sha256:" + "2".repeat(64);

  private static byte[] bytes(String json) {
    return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void aManifestReadsItsDescriptorsAndIgnoresUnknownMembers() {
    Manifest m = Manifest.parse(bytes("{'schemaVersion':2,'mediaType':'application/vnd.oci.image.manifest.v1+json',"
        + "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" + D1 + "','size':7,"
        + "'data':'e30='},'layers':[{'mediaType':'application/vnd.oci.image.layer.v1.tar+gzip','digest':'" + D2
        + "','size':5000000000,'urls':['https://x/y'],'annotations':{'k':'v'}}],'subject':null,'extra':[1]}"),
        "manifest");
    assertEquals(MediaType.OCI_MANIFEST, m.mediaType());
    assertEquals(new Descriptor(MediaType.OCI_CONFIG, Digest.parse(D1), 7), m.config());
    Descriptor layer = m.layers().get(0);
    assertEquals(5_000_000_000L, layer.size());
    assertEquals(List.of("https://x/y"), layer.urls());
    assertEquals("v", layer.annotation("k"));
    assertNull(m.config().annotation("k"));
    assertEquals(Map.of(), m.annotations());
  }

  @Test
  void aDescriptorIsWrittenWithOnlyTheMembersItHasAndReadsBackEqual() {
    Descriptor plain = new Descriptor(MediaType.OCI_MANIFEST, Digest.parse(D1), 42);
    assertEquals("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + D1
        + "\",\"size\":42}", text(Json.write(plain)));
    Descriptor full = new Descriptor(MediaType.OCI_MANIFEST, Digest.parse(D2), 1, List.of("u"), Map.of("a", "b"),
        new Platform("arm64", "linux", "10.0", List.of("sse4"), "v8"), "application/x");
    String written = text(Json.write(full));
    assertEquals("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + D2
        + "\",\"size\":1,\"urls\":[\"u\"],\"annotations\":{\"a\":\"b\"},\"platform\":{\"architecture\":\"arm64\","
        + "\"os\":\"linux\",\"os.version\":\"10.0\",\"os.features\":[\"sse4\"],\"variant\":\"v8\"},"
        + "\"artifactType\":\"application/x\"}", written);
    assertEquals(full, Json.read(written.getBytes(StandardCharsets.UTF_8), Descriptor.class, "d"));
  }

  @Test
  void anIndexReadsPlatformsWithTheirDottedMembers() {
    ImageIndex i = ImageIndex.parse(bytes("{'schemaVersion':2,'manifests':[{'mediaType':"
        + "'application/vnd.oci.image.manifest.v1+json','digest':'" + D1 + "','size':1,'platform':{'architecture':"
        + "'amd64','os':'windows','os.version':'10.0.17763.5820','os.features':['win32k']}}]}"), "index");
    Platform p = i.manifests().get(0).platform();
    assertEquals("10.0.17763.5820", p.osVersion());
    assertEquals(List.of("win32k"), p.osFeatures());
    assertEquals("windows/amd64", p.toString());
  }

  @Test
  void badValuesAndMalformedDocumentsAreOneLineErrorsSayingWhere() {
    String[][] cases = {
        {"{'schemaVersion':2,'config':{'mediaType':'a/b','digest':'sha256:../x','size':1}}", "/config/digest"},
        {"{'schemaVersion':2,'config':{'mediaType':'a/b','digest':'" + D1 + "','size':'1'}}", "/config/size"},
        {"{'schemaVersion':2,'config':{'mediaType':{'x':1},'digest':'" + D1 + "','size':1}}", "/config/mediaType"},
        {"{'schemaVersion':2,'layers':{}}", "/layers"},
        {"{'schemaVersion':2,\n'config':", "line 2"},
        {"", "end-of-input"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Manifest.parse(bytes(c[0]), "manifest of x"), c[0]);
      assertTrue(e.getMessage().startsWith("manifest of x: invalid JSON") && e.getMessage().contains(c[1]),
          c[0] + " -> " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
  }

  @Test
  void aDocumentThatDoesNotFitTheModelIsRefusedInItsOwnTermsNotJavas() {
    String cfg = "'config':{'mediaType':'a/b','digest':'" + D1 + "','size':1}";
    String[][] manifests = {
        {"{'schemaVersion':2,'config':{'mediaType':'a/b','size':1}}", "at /config",
            "descriptor without a digest (it needs mediaType, digest and size)"},
        {"{'schemaVersion':2,'config':{'mediaType':'a/b','digest':'" + D1 + "','size':-1}}", "at /config",
            "has size -1 (a size is at least 0)"},
        {"{'schemaVersion':2," + cfg + ",'layers':[null]}", "", "layers[0] is null"},
        {"{'schemaVersion':2," + cfg + ",'layers':['" + D1 + "']}", "at /layers/0",
            "expected an object, not JSON String"},
        {"{'schemaVersion':2,'config':'" + D1 + "'}", "at /config", "expected an object, not JSON String"},
        {"{'schemaVersion':2,'config':[]}", "at /config", "expected an object, not JSON Array"},
        {"{'schemaVersion':2," + cfg + ",'layers':{}}", "at /layers", "expected an array, not JSON Object"},
        {"{'schemaVersion':2,'config':{'mediaType':'a/b','digest':'" + D1 + "','size':99999999999999999999}}",
            "at /config/size", "expected an integer, not 99999999999999999999 (out of range)"},
        {"{'schemaVersion':2," + cfg + ",'annotations':{'a':null}}", "", "annotations.a is null"},
        {"[]", "", "expected an object, not JSON Array"},
        {"{'schemaVersion':2,'config':{", "at /config", "Unexpected end-of-input: expected close marker for Object"},
    };
    for (String[] c : manifests) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Manifest.parse(bytes(c[0]), "manifest of x"), c[0]);
      assertTrue(e.getMessage().startsWith("manifest of x: invalid JSON " + c[1]) && e.getMessage().endsWith(c[2]),
          c[0] + " -> " + e.getMessage());
    }
    String[][] configs = {
        {"{'rootfs':'layers'}", "expected an object, not JSON String"},
        {"{'rootfs':{'type':'layers','diff_ids':[null]}}", "diff_ids[0] is null"},
        {"{'rootfs':{'type':'layers','diff_ids':[]},'history':[{'empty_layer':'yes'}]}",
            "expected true or false, not JSON String"},
    };
    for (String[] c : configs) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ImageConfig.parse(bytes(c[0]), "config of x"), c[0]);
      assertTrue(e.getMessage().endsWith(c[1]), c[0] + " -> " + e.getMessage());
      assertFalse(e.getMessage().contains("dev.dcont") || e.getMessage().contains("java."), e.getMessage());
    }
  }

  @Test
  void aCommandIsAnArrayOfStringsAndReadsBackTakingScalarsAsText() {
    List<String> cmd = List.of("sh", "-c", "echo \"a\" \\ b\n\u00e9");
    assertEquals(cmd, Json.readStrings(Json.write(cmd), "command"));
    assertEquals("[\"a\",\"b c\"]", text(Json.write(List.of("a", "b c"))));
    assertEquals(Arrays.asList("1", "true", null), Json.readStrings(bytes("[1,true,null]"), "command"));
    for (String bad : List.of("{}", "[[1]]", "[{}]", "[1,")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Json.readStrings(bytes(bad), "container command"), bad);
      assertTrue(e.getMessage().startsWith("container command: invalid JSON"), e.getMessage());
    }
  }

  @Test
  void prettyOutputIsIndentedAndKeepsAMapsNullValues() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", "x");
    m.put("StartedAt", null);
    m.put("Args", List.of("a", "b"));
    m.put("Labels", Map.of());
    m.put("Size", 12L);
    assertEquals("{\n  \"Id\" : \"x\",\n  \"StartedAt\" : null,\n  \"Args\" : [ \"a\", \"b\" ],\n"
        + "  \"Labels\" : { },\n  \"Size\" : 12\n}", Json.pretty(m));
  }

  @Test
  void aPlainObjectKeepsItsOrderAndNumbers() {
    Map<String, Object> m = Json.readObject(bytes("{'b':1,'a':[true,null,1.5,12345678901],'c':{'d':'e'}}"), "doc");
    assertEquals(List.of("b", "a", "c"), List.copyOf(m.keySet()));
    assertEquals(Arrays.asList(true, null, 1.5, 12345678901L), m.get("a"));
    for (String notAnObject : List.of("[1]", "null", "\"x\"")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Json.readObject(bytes(notAnObject), "doc"));
      assertEquals("doc: invalid JSON (not an object)", e.getMessage());
    }
    assertNull(Json.readAny(bytes("null"), "doc"));
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> Json.readAny(bytes(""), "doc"));
    assertTrue(empty.getMessage().startsWith("doc: invalid JSON"), empty.getMessage());
  }
}
