package dev.dcont.registry;

/**
 * Receives a pull's {@link PullEvent}s. Calls are serialised by the puller (one at a time, possibly from
 * different threads).
 */
@FunctionalInterface
public interface PullListener {
  PullListener NONE = event -> { };

  void event(PullEvent event);
}
