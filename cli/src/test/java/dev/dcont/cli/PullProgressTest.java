package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.registry.PullEvent;
import dev.dcont.store.model.Digest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pull's typed events rendered as Docker prints them. */
class PullProgressTest {
  static final Digest A = Digest.sha256("layer a");
  static final Digest B = Digest.sha256("layer b");
  static final Digest MANIFEST = Digest.sha256("manifest");

  private static String render(boolean tty, boolean quiet, List<PullEvent> events) {
    StringWriter text = new StringWriter();
    PullProgress p = new PullProgress(new PrintWriter(text), tty, quiet);
    events.forEach(p::event);
    return text.toString();
  }

  @Test
  void withoutATerminalEachStatusChangeIsOneLineAndByteCountsAreLeftOut() {
    String out = render(false, false, List.of(
        new PullEvent.PullingFrom("1", "library/app"),
        new PullEvent.LayerExists(A),
        new PullEvent.LayerQueued(B),
        new PullEvent.LayerWaiting(B),
        new PullEvent.LayerDownloading(B, 0, 2000),
        new PullEvent.LayerDownloading(B, 1000, 2000),
        new PullEvent.LayerDownloading(B, 2000, 2000),
        new PullEvent.LayerVerifying(B),
        new PullEvent.LayerDownloaded(B),
        new PullEvent.LayerExtracting(B),
        new PullEvent.LayerComplete(B),
        new PullEvent.LayerComplete(B),
        new PullEvent.Resolved(MANIFEST),
        new PullEvent.Finished("app:1", true)));
    String a = A.shortHex();
    String b = B.shortHex();
    assertEquals("1: Pulling from library/app\n"
        + a + ": Already exists\n"
        + b + ": Pulling fs layer\n"
        + b + ": Waiting\n"
        + b + ": Verifying Checksum\n"
        + b + ": Download complete\n"
        + b + ": Extracting\n"
        + b + ": Pull complete\n"
        + "Digest: " + MANIFEST + "\n"
        + "Status: Downloaded newer image for app:1\n", out.replace(System.lineSeparator(), "\n"));
  }

  @Test
  void anImageAlreadyThereIsUpToDate() {
    assertEquals("latest: Pulling from library/app\nDigest: " + MANIFEST + "\nStatus: Image is up to date for app:latest\n",
        render(false, false, List.of(new PullEvent.PullingFrom("latest", "library/app"),
            new PullEvent.Resolved(MANIFEST), new PullEvent.Finished("app:latest", false)))
            .replace(System.lineSeparator(), "\n"));
  }

  @Test
  void onATerminalALayerIsOneLineRedrawnInPlaceWithABarAndItsBytes() {
    String b = B.shortHex();
    String out = render(true, false, List.of(
        new PullEvent.LayerQueued(A),
        new PullEvent.LayerQueued(B),
        new PullEvent.LayerDownloading(B, 0, 2_000_000),
        new PullEvent.LayerDownloading(B, 2_000_000, 2_000_000),
        new PullEvent.LayerComplete(B)));
    String[] draws = out.split("\n", -1);
    assertEquals(A.shortHex() + ": Pulling fs layer", draws[0]);
    assertEquals(b + ": Pulling fs layer", draws[1]);
    // B is the last of two lines: one line up, redraw, back down
    String up = "\033[1A\r\033[2K";
    String down = "\033[1B\r";
    assertTrue(draws[2].startsWith(up + b + ": Downloading [" + " ".repeat(50) + "] 0B/2MB "), draws[2]);
    assertTrue(draws[2].contains(up + b + ": Downloading [" + "=".repeat(49) + ">] 2MB/2MB "), draws[2]);
    assertTrue(draws[2].endsWith(up + b + ": Pull complete" + down), draws[2]);
  }

  @Test
  void quietPrintsNothing() {
    assertEquals("", render(false, true, List.of(new PullEvent.PullingFrom("1", "app"), new PullEvent.LayerQueued(A),
        new PullEvent.LayerComplete(A), new PullEvent.Resolved(MANIFEST), new PullEvent.Finished("app:1", true))));
  }
}
