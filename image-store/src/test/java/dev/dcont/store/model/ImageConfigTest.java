package dev.dcont.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageConfigTest {
  private static final String D1 = "sha256:" + "1".repeat(64);
  private static final String D2 = "sha256:" + "2".repeat(64);

  private static byte[] bytes(String json) {
    return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  /** A config as Docker writes it, with fields dcont does not read and values of every kind. */
  private static final byte[] DOCKER = bytes("{'architecture':'arm64','variant':'v8','os':'linux',"
      + "'created':'2024-05-01T10:00:00.123Z','author':'someone','docker_version':'24.0.7',"
      + "'config':{'Hostname':'','User':'app:staff','ExposedPorts':{'80/tcp':{},'53/udp':{'x':[1,true,null]}},"
      + "'Env':['PATH=/usr/bin:/bin','EMPTY='],'Entrypoint':['/docker-entrypoint.sh'],'Cmd':['nginx','-g',"
      + "'daemon off;'],'Volumes':{'/data':{}},'WorkingDir':'/srv','Labels':{'maintainer':'x','n':7},"
      + "'StopSignal':'SIGQUIT','OnBuild':null,'Healthcheck':{'Test':['NONE']}},"
      + "'rootfs':{'type':'layers','diff_ids':['" + D1 + "','" + D2 + "']},"
      + "'history':[{'created':'2024-05-01T09:00:00Z','created_by':'/bin/sh -c #(nop) ADD file:abc in /'},"
      + "{'created':'2024-05-01T09:00:01Z','created_by':'/bin/sh -c #(nop)  CMD [\\'sh\\']','empty_layer':true,"
      + "'comment':'c','author':'a'}]}");

  @Test
  void readsDockersCapitalisedAndSnakeCaseMembersAndIgnoresTheRest() {
    ImageConfig parsed = ImageConfig.parse(DOCKER, "config");
    assertEquals("arm64", parsed.architecture());
    assertEquals("v8", parsed.variant());
    assertEquals("2024-05-01T10:00:00.123Z", parsed.created());
    assertEquals("app:staff", parsed.config().user());
    assertEquals(List.of("PATH=/usr/bin:/bin", "EMPTY="), parsed.config().env());
    assertEquals(List.of("/docker-entrypoint.sh"), parsed.config().entrypoint());
    assertEquals(List.of("nginx", "-g", "daemon off;"), parsed.config().cmd());
    assertEquals("/srv", parsed.config().workingDir());
    assertEquals("SIGQUIT", parsed.config().stopSignal());
    assertEquals(Map.of("maintainer", "x", "n", "7"), parsed.config().labels());
    assertEquals(Map.of("/data", Map.of()), parsed.config().volumes());
    assertEquals(java.util.Arrays.asList(1, true, null),
        ((Map<?, ?>) parsed.config().exposedPorts().get("53/udp")).get("x"));
    assertEquals("layers", parsed.rootfs().type());
    assertEquals(List.of(Digest.parse(D1), Digest.parse(D2)), parsed.diffIds());
    assertEquals("/bin/sh -c #(nop) ADD file:abc in /", parsed.history().get(0).createdBy());
    assertTrue(parsed.history().get(1).isEmptyLayer());
    assertEquals("c", parsed.history().get(1).comment());
    assertEquals(2, parsed.history().size());
  }

  @Test
  void aConfigRoundTripsWithDockersNamesAndNullsLeftOut() {
    ImageConfig parsed = ImageConfig.parse(DOCKER, "config");
    byte[] written = Json.write(parsed);
    assertEquals(parsed, ImageConfig.parse(written, "again"));
    Map<String, Object> tree = Json.readObject(written, "written");
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) tree.get("config");
    assertEquals(List.of("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels",
        "StopSignal"), List.copyOf(config.keySet()));
    assertEquals(Map.of("type", "layers", "diff_ids", List.of(D1, D2)), tree.get("rootfs"));
    assertEquals(Map.of("created", "2024-05-01T09:00:00Z", "created_by", "/bin/sh -c #(nop) ADD file:abc in /"),
        ((List<?>) tree.get("history")).get(0));
    ImageConfig bare = ImageConfig.parse(bytes("{'rootfs':{'type':'layers','diff_ids':[]}}"), "c");
    assertEquals("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[]}",
        new String(Json.write(bare), StandardCharsets.UTF_8));
  }

  @Test
  void aMinimalConfigAndNullsRead() {
    byte[] minimal = bytes("{'rootfs':{'type':'layers','diff_ids':[]},'config':null,'history':null,'os':null}");
    ImageConfig c = ImageConfig.parse(minimal, "c");
    assertNull(c.config());
    assertNull(c.os());
    assertEquals(List.of(), c.history());
    assertEquals(List.of(), c.diffIds());
  }

  @Test
  void fieldsOfTheWrongKindAreErrorsThatNameThem() {
    String[][] cases = {
        {"{'rootfs':{'diff_ids':[]},'config':{'Env':'PATH=/bin'}}", "Env"},
        {"{'rootfs':{'diff_ids':[]},'config':{'Cmd':[['sh']]}}", "Cmd"},
        {"{'rootfs':{'diff_ids':[]},'config':{'User':{'name':'x'}}}", "User"},
        {"{'rootfs':{'diff_ids':[]},'config':{'Labels':['a']}}", "Labels"},
        {"{'rootfs':{'diff_ids':[]},'config':[]}", "config"},
        {"{'rootfs':{'diff_ids':'sha256:x'}}", "diff_ids"},
        {"{'rootfs':{'diff_ids':['md5:abc']}}", "diff_ids"},
        {"{'rootfs':{'diff_ids':[]},'history':{}}", "history"},
        {"[1,2]", "Array"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ImageConfig.parse(bytes(c[0]), "image config sha256:abc"), c[0]);
      assertTrue(e.getMessage().startsWith("image config sha256:abc: ") && e.getMessage().contains(c[1]),
          c[0] + " -> " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
    IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
        () -> ImageConfig.parse(bytes("{'rootfs':"), "cfg"));
    assertTrue(broken.getMessage().startsWith("cfg: invalid JSON"), broken.getMessage());
    assertEquals(1, broken.getMessage().lines().count(), broken.getMessage());
    IllegalArgumentException noRootfs = assertThrows(IllegalArgumentException.class,
        () -> ImageConfig.parse(bytes("{'os':'linux'}"), "cfg"));
    assertEquals("cfg: image config has no rootfs", noRootfs.getMessage());
  }
}
