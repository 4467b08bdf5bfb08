package dev.dcont.registry.http;

import dev.dcont.registry.RegistryOptions;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import javax.net.ssl.SSLException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Retries a request on 5xx, 429 and connection resets with exponential backoff ({@code base *
 * 2^(try-1)}, capped), honouring {@code Retry-After} (seconds or HTTP date) on 429 and 503.
 * After {@code maxAttempts} tries, or when the server asks for a wait longer than the cap,
 * throws {@link RetriesExhaustedException}. Errors that another try cannot fix (unknown host,
 * connection refused, TLS) are not retried.
 */
public final class RetryInterceptor implements Interceptor {
  private final RegistryOptions options;

  public RetryInterceptor(RegistryOptions options) {
    this.options = options;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    String host = Failures.hostPort(request.url());
    IOException lastError = null;
    int lastStatus = -1;
    String lastMessage = null;
    for (int attempt = 1; ; attempt++) {
      Duration wait;
      Duration asked = null;
      try {
        Response r = chain.proceed(request);
        if (!retryable(r.code())) {
          return r;
        }
        lastStatus = r.code();
        lastError = null;
        asked = retryAfter(r);
        lastMessage = ErrorBodies.join(ErrorBodies.read(r));
        r.close();
      } catch (IOException e) {
        // a one-shot body (a push's chunk) is not sent again: the caller asks the registry what arrived
        if (!retryable(e) || chain.call().isCanceled() || (request.body() != null && request.body().isOneShot())) {
          throw e;
        }
        lastError = e;
        lastStatus = -1;
        lastMessage = null;
      }
      if (asked != null && asked.compareTo(options.maxBackoff()) > 0) {
        throw new RetriesExhaustedException(host, attempt, lastStatus, lastMessage, asked, lastError);
      }
      if (attempt >= options.maxAttempts()) {
        throw new RetriesExhaustedException(host, attempt, lastStatus, lastMessage, null, lastError);
      }
      wait = asked != null ? asked : backoff(options, attempt);
      try {
        options.sleeper().sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting to retry " + host);
      }
    }
  }

  /** The wait before try {@code attempt + 1}: base * 2^(attempt-1), at most maxBackoff. */
  public static Duration backoff(RegistryOptions options, int attempt) {
    long base = options.backoffBase().toMillis();
    long ms = base << Math.min(attempt - 1, 20);
    return Duration.ofMillis(Math.min(ms, options.maxBackoff().toMillis()));
  }

  static boolean retryable(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  }

  /** Whether another try may help: resets and timeouts yes; DNS, refused connections, TLS no. */
  public static boolean retryable(IOException e) {
    if (e instanceof RegistryFailureIOException || e instanceof RetriesExhaustedException
        || e instanceof UnknownHostException || e instanceof ConnectException || e instanceof SSLException) {
      return false;
    }
    if (e instanceof SocketTimeoutException) {
      return true;
    }
    if (e instanceof InterruptedIOException) {
      return false;
    }
    return e instanceof SocketException || e instanceof EOFException || e instanceof ProtocolException
        || e.getClass().getName().startsWith("okhttp3.internal.http2.")
        || String.valueOf(e.getMessage()).contains("unexpected end of stream");
  }

  private Duration retryAfter(Response r) {
    if (r.code() != 429 && r.code() != 503) {
      return null;
    }
    String h = r.header("Retry-After");
    if (h == null || h.isBlank()) {
      return null;
    }
    h = h.strip();
    if (h.matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(h));
    }
    try {
      Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(options.clock().instant(), at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
