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
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Retries a request on 5xx, 429 and connection resets with exponential backoff ({@code base *
 * 2^(try-1)}, capped), honouring {@code Retry-After} (seconds or HTTP date) on 429 and 503. For a request marked
 * {@link WholeBody} it also reads the body of a successful answer, so that a cut in the body is retried too.
 * After {@code maxAttempts} tries, or when the server asks for a wait longer than the cap,
 * throws {@link RetriesExhaustedException}. Errors that another try cannot fix (unknown host,
 * connection refused, TLS) are not retried.
 */
public final class RetryInterceptor implements Interceptor {
  private final RegistryOptions options;
  private final UnansweredHandshakes handshakes;

  public RetryInterceptor(RegistryOptions options) {
    this(options, null);
  }

  RetryInterceptor(RegistryOptions options, UnansweredHandshakes handshakes) {
    this.options = options;
    this.handshakes = handshakes;
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
          WholeBody whole = request.tag(WholeBody.class);
          return whole == null || !r.isSuccessful() ? r : readWhole(r, whole.limit());
        }
        lastStatus = r.code();
        lastError = null;
        asked = retryAfter(r);
        lastMessage = ErrorBodies.join(ErrorBodies.read(r));
        r.close();
      } catch (IOException e) {
        IOException tls = handshakes == null ? null : handshakes.inHandshake(chain.call(), e);
        if (tls != null) {
          throw tls;
        }
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

  /**
   * {@code r} with its body read into memory, at most {@code limit} bytes and one more (a body declared longer
   * is left unread for the caller to refuse by its length). A cut while reading is thrown, for the retry.
   */
  private static Response readWhole(Response r, int limit) throws IOException {
    ResponseBody body = r.body();
    if (body == null || body.contentLength() > limit) {
      return r;
    }
    Buffer buf = new Buffer();
    try (r) {
      BufferedSource in = body.source();
      while (buf.size() <= limit && in.read(buf, 64 * 1024) != -1) {
        continue;
      }
    }
    return r.newBuilder().body(ResponseBody.create(buf, body.contentType(), buf.size())).build();
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
