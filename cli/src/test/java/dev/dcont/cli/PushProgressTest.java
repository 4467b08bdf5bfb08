package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.registry.PushEvent;
import dev.dcont.store.model.Digest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A push's typed events rendered as Docker prints them. */
class PushProgressTest {
  static final Digest A = Digest.sha256("layer a");
  static final Digest B = Digest.sha256("layer b");
  static final Digest C = Digest.sha256("layer c");
  static final Digest MANIFEST = Digest.sha256("manifest");

  private static String render(boolean tty, boolean quiet, List<PushEvent> events) {
    StringWriter text = new StringWriter();
    PushProgress p = new PushProgress(new PrintWriter(text), tty, quiet);
    events.forEach(p::event);
    return text.toString().replace(System.lineSeparator(), "\n");
  }

  static final List<PushEvent> PUSH = List.of(
      new PushEvent.PushingTo("127.0.0.1:5000/app"),
      new PushEvent.LayerPreparing(A),
      new PushEvent.LayerPreparing(B),
      new PushEvent.LayerPreparing(C),
      new PushEvent.LayerWaiting(C),
      new PushEvent.LayerExists(B),
      new PushEvent.LayerPushing(A, 0, 2000),
      new PushEvent.LayerPushing(A, 1000, 2000),
      new PushEvent.LayerPushing(A, 2000, 2000),
      new PushEvent.LayerPushed(A),
      new PushEvent.LayerMounted(C, "other/app"),
      new PushEvent.Pushed("1", MANIFEST, 527));

  @Test
  void withoutATerminalEachStatusChangeIsOneLineAndByteCountsAreLeftOut() {
    String a = A.shortHex();
    String b = B.shortHex();
    String c = C.shortHex();
    assertEquals("The push refers to repository [127.0.0.1:5000/app]\n"
        + a + ": Preparing\n" + b + ": Preparing\n" + c + ": Preparing\n" + c + ": Waiting\n"
        + b + ": Layer already exists\n" + a + ": Pushed\n" + c + ": Mounted from other/app\n"
        + "1: digest: " + MANIFEST + " size: 527\n", render(false, false, PUSH));
  }

  @Test
  void onATerminalALayerLineIsRedrawnWithABar() {
    String out = render(true, false, PUSH);
    // the last count is always drawn (the ones between are drawn at most every 100 ms)
    assertTrue(out.contains(A.shortHex() + ": Pushing [" + "=".repeat(49) + ">] 2kB/2kB"), out);
    assertTrue(out.contains("\033[3A\r\033[2K" + A.shortHex() + ": Pushed\033[3B\r"), out);
    assertTrue(out.endsWith("1: digest: " + MANIFEST + " size: 527\n"), out);
  }

  @Test
  void quietPrintsNothingAndAllTagsNamesTheRepositoryOnce() {
    assertEquals("", render(false, true, PUSH));
    String twice = render(false, false, List.of(new PushEvent.PushingTo("r/app"), new PushEvent.Pushed("1", MANIFEST, 1),
        new PushEvent.PushingTo("r/app"), new PushEvent.Pushed("2", MANIFEST, 1)));
    assertEquals("The push refers to repository [r/app]\n1: digest: " + MANIFEST + " size: 1\n2: digest: " + MANIFEST
        + " size: 1\n", twice);
  }
}
