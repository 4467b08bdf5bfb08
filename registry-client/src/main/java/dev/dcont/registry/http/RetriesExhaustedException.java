package dev.dcont.registry.http;

import java.io.IOException;
import java.time.Duration;

/** A request failed on every try (5xx, 429 or I/O errors). */
public final class RetriesExhaustedException extends IOException {
  private final String host;
  private final int attempts;
  private final int lastStatus;
  private final String registryMessage;
  private final Duration retryAfter;

  public RetriesExhaustedException(String host, int attempts, int lastStatus, String registryMessage,
      Duration retryAfter, IOException cause) {
    super(host + ": gave up after " + attempts + " tries", cause);
    this.host = host;
    this.attempts = attempts;
    this.lastStatus = lastStatus;
    this.registryMessage = registryMessage;
    this.retryAfter = retryAfter;
  }

  public String host() {
    return host;
  }

  public int attempts() {
    return attempts;
  }

  /** The last HTTP status, or -1 when the last try failed with an I/O error. */
  public int lastStatus() {
    return lastStatus;
  }

  public String registryMessage() {
    return registryMessage;
  }

  /** What the server asked for in {@code Retry-After}, when that was longer than we wait. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
