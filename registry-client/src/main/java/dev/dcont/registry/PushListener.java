package dev.dcont.registry;

/** Receives a push's {@link PushEvent}s; calls are serialised. */
@FunctionalInterface
public interface PushListener {
  PushListener NONE = event -> { };

  void event(PushEvent event);
}
