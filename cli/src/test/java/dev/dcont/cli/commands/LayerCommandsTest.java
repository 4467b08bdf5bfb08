package dev.dcont.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.Main;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** layers, history, diff and system df/prune/check end to end on a store built in the test. */
class LayerCommandsTest {
  @TempDir
  Path root;

  @BeforeEach
  void setUp() throws Exception {
    GlobalOptions.reset();
    byte[] l0 = tar("etc/big", "b".repeat(5000), "etc/conf", "c");
    byte[] l1 = tar("etc/.wh.big", "", "etc/conf", "C");
    try (Store store = Store.open(root)) {
      List<Digest> diffIds = List.of(Digest.sha256(l0), Digest.sha256(l1));
      List<ChainId> chain = ChainId.of(diffIds);
      byte[] cfg = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
          + diffIds.get(0) + "\",\"" + diffIds.get(1) + "\"]},\"history\":[{\"created\":\"2024-01-01T00:00:00Z\","
          + "\"created_by\":\"ADD rootfs\"},{\"created_by\":\"ENV A=1\",\"empty_layer\":true},"
          + "{\"created\":\"2024-01-02T00:00:00Z\",\"created_by\":\"RUN rm /etc/big\"}]}")
          .getBytes(StandardCharsets.UTF_8);
      Digest cd = Digest.sha256(cfg);
      store.content().put(cd, cfg);
      store.content().put(Digest.sha256(l0), l0);
      store.content().put(Digest.sha256(l1), l1);
      byte[] man = ("{\"m\":\"" + cd + "\"}").getBytes(StandardCharsets.UTF_8);
      Digest md = Digest.sha256(man);
      store.content().put(md, man);
      ImageRecord img = new ImageRecord(md, MediaType.OCI_MANIFEST, man.length, cd, cfg.length,
          Platform.parse("linux/amd64"), "2024-01-02T00:00:00Z", System.currentTimeMillis(), List.of(
          new ImageRecord.Layer(0, Digest.sha256(l0), diffIds.get(0), chain.get(0), MediaType.OCI_LAYER, l0.length),
          new ImageRecord.Layer(1, Digest.sha256(l1), diffIds.get(1), chain.get(1), MediaType.OCI_LAYER,
              l1.length)));
      store.images().save(img, Reference.parse("test/cli:1"), md, null);
    }
  }

  @AfterEach
  void tearDown() {
    GlobalOptions.reset();
  }

  private static byte[] tar(String... nameContent) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(b)) {
      for (int i = 0; i < nameContent.length; i += 2) {
        byte[] c = nameContent[i + 1].getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(nameContent[i]);
        e.setSize(c.length);
        e.setModTime(0);
        t.putArchiveEntry(e);
        t.write(c);
        t.closeArchiveEntry();
      }
    }
    return b.toByteArray();
  }

  private record Run(int code, String out, String err) { }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--root";
    all[1] = root.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int code = Main.execute(all, new PrintWriter(out, true), new PrintWriter(err, true));
    GlobalOptions.reset();
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void layersShowsSizesFilesAndCreatedBy() {
    Run r = run("layers", "--unpack", "test/cli:1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("RUN rm /etc/big"), r.out());
    assertTrue(r.out().contains("ADD rootfs"), r.out());
    assertTrue(r.out().lines().count() == 3, r.out());
  }

  @Test
  void historyListsNewestFirstWithEmptyLayers() {
    Run r = run("history", "test/cli:1");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("IMAGE"), r.out());
    assertTrue(lines.get(1).contains("RUN rm /etc/big"), r.out());
    assertTrue(lines.get(2).contains("ENV A=1") && lines.get(2).contains("<missing>"), r.out());
    assertTrue(lines.get(2).contains("0B"), r.out());
  }

  @Test
  void diffGatesOnWastedSpace() {
    Run ok = run("diff", "test/cli:1", "--max-wasted", "10kB");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("D /etc/big"), ok.out());
    assertTrue(ok.out().contains("C /etc/conf"), ok.out());
    Run over = run("diff", "test/cli:1", "--format", "json", "--max-wasted", "1%");
    assertEquals(DiffCommand.OVER_THRESHOLD, over.code(), over.err());
    assertTrue(over.out().contains("\"WastedBytes\" : 5001"), over.out());
    assertTrue(over.err().startsWith("dcont: image test/cli:1:"), over.err());
  }

  @Test
  void systemDfPruneAndCheck() {
    assertEquals(0, run("layers", "--unpack", "test/cli:1").code());
    Run df = run("system", "df", "-v");
    assertEquals(0, df.code(), df.err());
    assertTrue(df.out().contains("Images") && df.out().contains("Layers") && df.out().contains("Containers"),
        df.out());
    Run check = run("system", "check");
    assertEquals(0, check.code(), check.out() + check.err());
    Run prune = run("system", "prune");
    assertEquals(0, prune.code(), prune.err());
    assertTrue(prune.out().contains("Total reclaimed space: 0B"), prune.out());
  }

  @Test
  void unknownImageIsOneLine() {
    Run r = run("layers", "nope:1");
    assertEquals(1, r.code());
    assertEquals("dcont: image nope:1: not in the store (pull it first, or see 'dcont images')",
        r.err().strip());
  }
}
