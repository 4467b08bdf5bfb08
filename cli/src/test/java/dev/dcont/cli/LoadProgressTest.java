package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A load's layers drawn on a terminal as Docker draws them. */
class LoadProgressTest {
  @Test
  void onATerminalEachLayerIsOneLineRedrawnInPlaceWithABarAndTheBytesRead() {
    Digest a = Digest.sha256("diff a");
    Digest b = Digest.sha256("diff b");
    List<ChainId> chain = ChainId.of(List.of(a, b));
    ImageRecord.Layer la = new ImageRecord.Layer(0, Digest.sha256("blob a"), a, chain.get(0), MediaType.OCI_LAYER, 2000);
    ImageRecord.Layer lb = new ImageRecord.Layer(1, Digest.sha256("blob b"), b, chain.get(1), MediaType.OCI_LAYER, 1000);
    StringWriter text = new StringWriter();
    LoadProgress p = new LoadProgress(new PrintWriter(text), true);
    p.unpacking(la);
    p.unpacking(lb);
    p.unpacked(la, null, false);
    p.unpacked(lb, null, true);
    String empty = "[" + " ".repeat(50) + "]";
    String full = "[" + "=".repeat(49) + ">]";
    assertEquals(a.shortHex() + ": Loading layer " + empty + " 0B/2kB\n"
        + b.shortHex() + ": Loading layer " + empty + " 0B/1kB\n"
        + "\033[2A\r\033[2K" + a.shortHex() + ": Loading layer " + full + " 2kB/2kB\033[2B\r", text.toString());
  }
}
