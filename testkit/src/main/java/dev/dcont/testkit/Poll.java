package dev.dcont.testkit;

import java.time.Duration;

/** Waiting on a condition with a deadline: the one place the tests poll (never a fixed sleep in a test). */
public final class Poll {
  /** A condition that may throw (reading a file, asking the runtime). */
  public interface Condition {
    boolean holds() throws Exception;
  }

  private static final long INTERVAL_NANOS = 10_000_000L;

  private Poll() { }

  /** Returns once {@code c} holds; an AssertionError naming {@code what} when it does not within {@code timeout}. */
  public static void until(String what, Duration timeout, Condition c) throws Exception {
    if (!holdsWithin(timeout, c)) {
      throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }
  }

  /** Whether {@code c} comes to hold within {@code timeout}, for callers that report the failure themselves. */
  public static boolean holdsWithin(Duration timeout, Condition c) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!c.holds()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(INTERVAL_NANOS / 1_000_000);
    }
    return true;
  }
}
