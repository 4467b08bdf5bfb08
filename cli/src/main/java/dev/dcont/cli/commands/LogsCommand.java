package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.GlobalOptions;
import dev.dcont.cli.run.Containers;
import dev.dcont.runtime.ContainerLog;
import dev.dcont.runtime.ContainerLog.Chunk;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dcont logs [-f] [-t] [-n N] CONTAINER}: the output of a detached container, as docker logs shows it:
 * what the container wrote to stdout on stdout, to stderr on stderr, in the order it was written.
 */
@Command(name = "logs", description = "Show the output of a container started with -d.")
public final class LogsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--follow"}, description = "Follow the output until the container exits.")
  boolean follow;

  @Option(names = {"-t", "--timestamps"}, description = "Show when each line was written.")
  boolean timestamps;

  @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "all",
      description = "Number of lines to show from the end of the logs (default: all).")
  String tail;

  @Parameters(paramLabel = "CONTAINER")
  String container;

  @Override
  public Integer call() throws IOException, InterruptedException {
    int lines = tailLines();
    Emitter out = new Emitter(spec.commandLine().getOut(), timestamps);
    Emitter err = new Emitter(spec.commandLine().getErr(), timestamps);
    try (Store store = GlobalOptions.openStore()) {
      Containers containers = new Containers(store);
      ContainerRecord r = containers.get(container);
      Path log = containers.logFile(r);
      if (!awaitLog(store, containers, r, log, follow)) {
        return 0;
      }
      try (InputStream in = Files.newInputStream(log)) {
        ContainerLog reader = new ContainerLog(in);
        if (lines >= 0) {
          showTail(reader, lines, out, err);
        } else {
          drain(reader, out, err);
        }
        if (follow) {
          follow(store, containers, r, reader, out, err);
        }
      }
    }
    out.finish();
    err.finish();
    return 0;
  }

  /**
   * Shows what running container {@code r} writes from now until it ends, as {@code logs -f} shows it, and returns
   * its exit code ({@code start -a} and {@code attach} of a container started detached); empty when it was removed
   * as it ended (run with {@code --rm}), which takes its exit code with it.
   */
  static java.util.OptionalInt attach(Store store, Containers containers, ContainerRecord r, PrintWriter stdout,
      PrintWriter stderr) throws IOException, InterruptedException {
    Emitter out = new Emitter(stdout, false);
    Emitter err = new Emitter(stderr, false);
    Path log = containers.logFile(r);
    try {
      if (awaitLog(store, containers, r, log, true)) {
        try (InputStream in = Files.newInputStream(log)) {
          ContainerLog reader = new ContainerLog(in);
          reader.readAvailable(c -> { });
          follow(store, containers, r, reader, out, err);
        }
      }
      out.finish();
      err.finish();
      Integer code = containers.status(current(store, r)).exitCode();
      return java.util.OptionalInt.of(code == null ? 0 : code);
    } catch (Errors.UserError removed) {
      out.finish();
      err.finish();
      return java.util.OptionalInt.empty();
    }
  }

  /** Whether the log exists, waited for while the container runs when {@code follow}. */
  private static boolean awaitLog(Store store, Containers containers, ContainerRecord r, Path log, boolean follow)
      throws InterruptedException {
    while (!Files.exists(log)) {
      if (!follow || !containers.status(current(store, r)).running()) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  private static void follow(Store store, Containers containers, ContainerRecord r, ContainerLog reader,
      Emitter out, Emitter err) throws IOException, InterruptedException {
    while (true) {
      boolean running = containers.status(current(store, r)).running();
      drain(reader, out, err); // after the status: what was written before it ended is shown
      if (!running) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /** --tail as a count of lines; -1 for all. */
  private int tailLines() {
    if (tail.equals("all")) {
      return -1;
    }
    try {
      int n = Integer.parseInt(tail.strip());
      return n < 0 ? -1 : n; // docker shows everything for a negative count too
    } catch (NumberFormatException e) {
      throw new Errors.UserError("--tail " + tail + ": not a number of lines (give a count, or 'all')");
    }
  }

  private static void drain(ContainerLog reader, Emitter out, Emitter err) throws IOException {
    reader.readAvailable(c -> (c.stream() == Chunk.STDERR ? err : out).write(c.data(), 0, c.data().length,
        c.timeNanos()));
    out.flush();
    err.flush();
  }

  /** A line of one stream, with the time its first byte was written. */
  private record Line(int stream, long timeNanos, byte[] data) { }

  /** Reads the whole log and shows its last {@code n} lines (both streams counted together). */
  private static void showTail(ContainerLog reader, int n, Emitter out, Emitter err) throws IOException {
    ArrayDeque<Line> last = new ArrayDeque<>();
    // per stream (index 1 stdout, 2 stderr): the line being read and the time of its first byte
    ByteArrayOutputStream[] partial = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    long[] started = new long[3];
    reader.readAvailable(c -> {
      byte[] d = c.data();
      ByteArrayOutputStream p = partial[c.stream()];
      for (int from = 0, end; from < d.length; from = end) {
        int nl = from;
        while (nl < d.length && d[nl] != '\n') {
          nl++;
        }
        end = Math.min(nl + 1, d.length);
        if (p.size() == 0) {
          started[c.stream()] = c.timeNanos();
        }
        p.write(d, from, end - from);
        if (nl < d.length) {
          keepLast(last, n, new Line(c.stream(), started[c.stream()], p.toByteArray()));
          p.reset();
        }
      }
    });
    // lines not ended (yet) count as lines, after the ended ones
    for (int s = Chunk.STDOUT; s <= Chunk.STDERR; s++) {
      if (partial[s].size() > 0) {
        keepLast(last, n, new Line(s, started[s], partial[s].toByteArray()));
      }
    }
    for (Line l : last) {
      (l.stream() == Chunk.STDERR ? err : out).write(l.data(), 0, l.data().length, l.timeNanos());
    }
    out.flush();
    err.flush();
  }

  private static void keepLast(ArrayDeque<Line> last, int n, Line l) {
    last.addLast(l);
    if (last.size() > n) {
      last.removeFirst();
    }
  }

  /**
   * Writes one stream's bytes as text (UTF-8; a character split across two writes is kept whole), with the
   * time at the start of each line when asked.
   */
  static final class Emitter {
    private final PrintWriter to;
    private final boolean stamps;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer leftover = ByteBuffer.allocate(0);
    private boolean lineStart = true;

    Emitter(PrintWriter to, boolean stamps) {
      this.to = to;
      this.stamps = stamps;
    }

    void write(byte[] b, int off, int n, long timeNanos) {
      if (!stamps || timeNanos == 0) {
        decode(b, off, n, false);
        return;
      }
      int from = off;
      for (int i = off; i < off + n; i++) {
        if (lineStart) {
          to.write(Instant.ofEpochSecond(0, timeNanos).toString());
          to.write(' ');
          lineStart = false;
        }
        if (b[i] == '\n') {
          decode(b, from, i + 1 - from, false);
          from = i + 1;
          lineStart = true;
        }
      }
      decode(b, from, off + n - from, false);
    }

    private void decode(byte[] b, int off, int n, boolean end) {
      ByteBuffer in;
      if (leftover.hasRemaining()) {
        in = ByteBuffer.allocate(leftover.remaining() + n);
        in.put(leftover).put(b, off, n).flip();
      } else {
        in = ByteBuffer.wrap(b, off, n);
      }
      CharBuffer chars = CharBuffer.allocate(in.remaining() + 4);
      decoder.decode(in, chars, end);
      if (end) {
        decoder.flush(chars);
      }
      chars.flip();
      to.append(chars);
      leftover = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
    }

    void flush() {
      to.flush();
    }

    /** Ends the stream: bytes of a character never completed are shown as a replacement character. */
    void finish() {
      decode(new byte[0], 0, 0, true);
      to.flush();
    }
  }

  private static ContainerRecord current(Store store, ContainerRecord r) {
    return store.containers().byId(r.id())
        .orElseThrow(() -> new Errors.UserError("container " + r.name() + " was removed"));
  }
}
