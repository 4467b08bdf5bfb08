package dev.dcont.registry;

import java.time.Duration;

/** Waits between retries; tests inject a recording one so that backoff costs no time. */
@FunctionalInterface
public interface Sleeper {
  Sleeper REAL = d -> Thread.sleep(d.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
