package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import dev.dcont.cli.run.Containers;
import dev.dcont.cli.run.SpecFactory;
import dev.dcont.runtime.ContainerAttach;
import dev.dcont.runtime.ContainerException;
import dev.dcont.runtime.ContainerLog;
import dev.dcont.runtime.RawTerminal;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecJson;
import dev.dcont.store.Store;
import dev.dcont.store.db.ContainerRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.ClosedChannelException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code attach} and {@code start -a} of a running container, as Docker's: its output from now until it ends,
 * through its monitor's attach socket, and its exit code; with {@code input}, the caller's standard input becomes
 * the container's when it was started with {@code -i} (its terminal's keys and window size with {@code -t}, where
 * CTRL-p CTRL-q detaches and leaves it running); without a terminal, signals sent to dcont go to the container
 * (Docker's {@code --sig-proxy}). A container started by an earlier dcont has no socket: its log is followed.
 */
final class AttachSession {
  /** Docker's default detach keys: CTRL-p, CTRL-q. */
  private static final byte[] DETACH = {0x10, 0x11};

  private AttachSession() { }

  /**
   * The container's exit code; empty when it was removed as it ended and its code went with it. {@code signals}:
   * without a terminal, signals sent to dcont go to the container.
   */
  static OptionalInt attach(Store store, Containers containers, ContainerRecord r, PrintWriter stdout,
      PrintWriter stderr, InputStream input, boolean signals) throws IOException, InterruptedException {
    Optional<ContainerAttach> socket = containers.runtime().attach(r.id());
    if (socket.isEmpty()) {
      return LogsCommand.attach(store, containers, r, stdout, stderr);
    }
    Spec spec = SpecJson.readSpec(store.layout().container(r.id()).resolve("config.json"));
    boolean tty = spec.process().isTerminal();
    // a container made without -i has no input to take: the caller's is left unread
    InputStream in = "true".equals(spec.annotation(SpecFactory.OPEN_STDIN)) ? input : null;
    AtomicBoolean detached = new AtomicBoolean();
    LogsCommand.Emitter out = new LogsCommand.Emitter(stdout, false);
    LogsCommand.Emitter err = new LogsCommand.Emitter(stderr, false);
    try (ContainerAttach a = socket.get(); RawTerminal raw = in != null && tty ? RawTerminal.enter(0) : null;
        ContainerAttach.Release window = raw != null ? a.followWindow(raw) : null;
        // a terminal's keys reach the container as they are; without one, signals to dcont go to the container
        ContainerAttach.Release proxy = tty || !signals ? null : a.forwardSignals()) {
      if (in != null) {
        Thread pump = new Thread(() -> relayInput(in, a, tty, detached), "dcont-attach-input");
        pump.setDaemon(true);
        pump.start();
      }
      try {
        ContainerLog.Chunk c;
        while ((c = a.next()) != null) {
          LogsCommand.Emitter to = c.stream() == ContainerLog.Chunk.STDERR ? err : out;
          to.write(c.data(), 0, c.data().length, 0);
          to.flush();
        }
      } catch (ClosedChannelException closedByDetach) {
        if (!detached.get()) {
          throw closedByDetach;
        }
      }
    } finally {
      out.finish();
      err.finish();
    }
    if (detached.get()) {
      throw new Errors.UserError("read escape sequence");
    }
    // the monitor wrote the exit code before it closed the socket; a --rm container's clean-up comes later
    OptionalInt code;
    try {
      code = containers.runtime().exitCode(r.id());
    } catch (ContainerException | IOException removedAlready) {
      code = OptionalInt.empty();
    }
    Optional<ContainerRecord> now = store.containers().byId(r.id());
    if (now.isPresent()) {
      Integer recorded = containers.status(now.get()).exitCode();
      if (code.isEmpty() && recorded != null) {
        code = OptionalInt.of(recorded);
      }
    }
    return code;
  }

  /**
   * The caller's input to the container until it ends (then only this client's input ends) or, on a terminal,
   * until the detach keys, which close the attachment.
   */
  private static void relayInput(InputStream in, ContainerAttach a, boolean tty, AtomicBoolean detached) {
    OutputStream to = a.input();
    byte[] buf = new byte[8192];
    int matched = 0;
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (!tty) {
          to.write(buf, 0, n);
          continue;
        }
        // a key of the detach sequence is held back until the next one tells whether the sequence goes on
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (buf[i] == DETACH[matched]) {
            to.write(buf, from, i - from);
            from = i + 1;
            if (++matched == DETACH.length) {
              detached.set(true);
              a.close();
              return;
            }
          } else if (matched > 0) {
            to.write(buf, from, i - from);
            to.write(DETACH, 0, matched);
            matched = 0;
            from = i;
            i--;
          }
        }
        to.write(buf, from, n - from);
      }
      a.endInput();
    } catch (IOException ended) {
      // the container ended, or the attachment was closed: nothing more to send
    }
  }
}
