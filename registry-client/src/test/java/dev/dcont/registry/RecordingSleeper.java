package dev.dcont.registry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sleeper that only records the waits asked of it. */
final class RecordingSleeper implements Sleeper {
  final List<Duration> waits = new CopyOnWriteArrayList<>();

  @Override
  public void sleep(Duration d) {
    waits.add(d);
  }
}
