package dev.dcont.registry.endpoint;

import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.RegistryOptions;
import dev.dcont.registry.auth.TokenScope;
import dev.dcont.registry.http.Failures;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RegistryFailureIOException;
import dev.dcont.registry.http.RetryInterceptor;
import dev.dcont.store.model.Digest;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

/**
 * The upload side of {@code /v2/<name>/blobs/}: {@code HEAD} for a blob the repository has, the cross-repository
 * mount ({@code POST …/uploads/?mount=DIGEST&from=OTHER}), and the chunked upload: {@code POST …/uploads/} opens a
 * session, {@code PATCH} sends the blob in chunks with {@code Content-Range} and {@code PUT …?digest=} closes it
 * with the last chunk (a blob of at most one chunk goes in the {@code PUT} alone).
 * Every request asks for a push-scoped token ({@link TokenScope}). A connection cut during an upload is resumed
 * from what the registry reports it has ({@code GET} of the session's URL, its {@code Range}); when the registry
 * has dropped the session (Docker's registry cancels an upload whose size no longer matches its state, which a cut
 * in the middle of a chunk leaves), a new session starts the blob again.
 */
public final class BlobUploadEndpoint {
  private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-(\\d+)");

  /** Progress of one upload: bytes the registry acknowledged or that are on their way, of {@code total}. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (done, total) -> { };

    void update(long done, long total);
  }

  /** What a mount request did: mounted, or opened an upload session for the blob instead. */
  public record Mount(boolean mounted, HttpUrl session) { }

  private final RegistryOptions options;
  private final long chunkSize;

  /** {@code chunkSize}: the most bytes one {@code PATCH} carries. */
  public BlobUploadEndpoint(RegistryOptions options, long chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("upload chunk size must be at least 1 byte, not " + chunkSize);
    }
    this.options = options;
    this.chunkSize = chunkSize;
  }

  /** {@code HEAD /v2/<name>/blobs/<digest>}: whether the repository has the blob. */
  public boolean exists(RegistryEndpoint ep, String repository, Digest digest) {
    Request req = request(ep.v2(repository + "/blobs/" + digest), TokenScope.push(repository)).head().build();
    try (Response r = ep.client().newCall(req).execute()) {
      if (r.code() == 200) {
        return true;
      }
      if (r.code() == 404) {
        return false;
      }
      throw PushFailures.status(r, repository, "check for blob " + digest);
    } catch (IOException e) {
      throw Failures.io(e, ep.base());
    }
  }

  /**
   * Asks the registry to mount {@code digest} from repository {@code from} (a path of the same registry). Any
   * answer but a mount (201) or an upload session (202) is "not mounted", without a session.
   */
  public Mount mount(RegistryEndpoint ep, String repository, Digest digest, String from) {
    HttpUrl url = ep.v2(repository + "/blobs/uploads/").newBuilder()
        .addQueryParameter("mount", digest.toString()).addQueryParameter("from", from).build();
    Request req = request(url, TokenScope.mount(repository, from)).post(RequestBody.create(new byte[0])).build();
    try (Response r = ep.client().newCall(req).execute()) {
      if (r.code() == 201) {
        return new Mount(true, null);
      }
      if (r.code() == 202) {
        return new Mount(false, location(r));
      }
      // a registry that does not mount (or not from there, or not for this account): the blob is uploaded instead
      return new Mount(false, null);
    } catch (IOException e) {
      throw Failures.io(e, ep.base());
    }
  }

  /**
   * Uploads blob {@code digest} of {@code size} bytes from {@code file}, in the session {@code sessionOrNull} (one a
   * mount opened) or a new one.
   */
  public void upload(RegistryEndpoint ep, String repository, Digest digest, long size, Path file,
      HttpUrl sessionOrNull, Progress progress) {
    HttpUrl session = sessionOrNull != null ? sessionOrNull : start(ep, repository, digest);
    long offset = 0;
    int cuts = 0;
    boolean resume = false;
    while (true) {
      try {
        if (resume) {
          if (exists(ep, repository, digest)) {
            // the cut came after the registry committed the blob
            progress.update(size, size);
            return;
          }
          Kept kept = status(ep, repository, session, size);
          session = kept != null ? kept.session() : start(ep, repository, digest);
          offset = kept != null ? kept.offset() : 0;
          resume = false;
          progress.update(offset, size);
        }
        while (size - offset > chunkSize) {
          long len = chunkSize;
          long from = offset;
          RequestBody body = new FileRange(file, from, len, sent -> progress.update(from + sent, size));
          Request req = request(session, TokenScope.push(repository))
              .header("Content-Range", from + "-" + (from + len - 1))
              .patch(body).build();
          try (Response r = ep.client().newCall(req).execute()) {
            if (r.code() == 202) {
              session = location(r);
              offset = from + len;
              long acknowledged = rangeEnd(r.header("Range"));
              if (acknowledged >= 0 && acknowledged + 1 < offset) {
                // the registry kept less than was sent: go on from what it has
                offset = acknowledged + 1;
              }
              progress.update(offset, size);
            } else if (r.code() == 416 || gone(r)) {
              throw new Resume("the registry answered HTTP " + r.code() + " to a chunk");
            } else {
              throw PushFailures.status(r, repository, "upload of blob " + digest);
            }
          }
        }
        // the last chunk (for most blobs, the whole blob) goes in the request that closes the upload, as the
        // distribution spec allows: one request fewer for every blob
        long from = offset;
        long len = size - offset;
        HttpUrl put = session.newBuilder().addQueryParameter("digest", digest.toString()).build();
        Request.Builder rb = request(put, TokenScope.push(repository));
        if (len > 0) {
          rb.header("Content-Range", from + "-" + (size - 1));
        }
        Request req = rb.put(len > 0 ? new FileRange(file, from, len, sent -> progress.update(from + sent, size))
            : RequestBody.create(new byte[0])).build();
        try (Response r = ep.client().newCall(req).execute()) {
          if (r.code() == 201 || r.code() == 204) {
            progress.update(size, size);
            return;
          }
          if (r.code() == 416 || gone(r)) {
            throw new Resume("the registry answered HTTP " + r.code() + " to the last chunk");
          }
          throw PushFailures.status(r, repository, "end of the upload of blob " + digest);
        }
      } catch (IOException e) {
        if (!(e instanceof Resume) && (!RetryInterceptor.retryable(e) || Thread.currentThread().isInterrupted())) {
          throw Failures.io(e, ep.base());
        }
        cuts++;
        pause(cuts, digest, ep, e);
        resume = true;
      }
    }
  }

  /** An upload session the registry still has, and the offset to go on from. */
  private record Kept(HttpUrl session, long offset) { }

  /** {@code POST /v2/<name>/blobs/uploads/}: a new upload session's URL. */
  private HttpUrl start(RegistryEndpoint ep, String repository, Digest digest) {
    Request req = request(ep.v2(repository + "/blobs/uploads/"), TokenScope.push(repository))
        .post(RequestBody.create(new byte[0])).build();
    try (Response r = ep.client().newCall(req).execute()) {
      if (r.code() != 202) {
        throw PushFailures.status(r, repository, "start of the upload of blob " + digest);
      }
      return location(r);
    } catch (IOException e) {
      throw Failures.io(e, ep.base());
    }
  }

  /**
   * {@code GET} of an upload session: its (new) URL and the offset to go on from, or null when the registry no
   * longer has it (or reports more than the blob).
   */
  private Kept status(RegistryEndpoint ep, String repository, HttpUrl session, long size) throws IOException {
    Request req = request(session, TokenScope.push(repository)).get().build();
    try (Response r = ep.client().newCall(req).execute()) {
      if (r.code() != 204 && r.code() != 200) {
        if (gone(r)) {
          return null;
        }
        throw PushFailures.status(r, repository, "status request of an upload");
      }
      long end = rangeEnd(r.header("Range"));
      // "0-0" is what a registry reports for an empty session too: start from the first byte
      long have = end <= 0 ? 0 : end + 1;
      if (have > size) {
        return null;
      }
      return new Kept(r.header("Location") != null ? location(r) : session, have);
    }
  }

  /** The registry dropped or refused the session: unknown or invalid upload (404, or 400 from some registries). */
  private static boolean gone(Response r) {
    if (r.code() != 404 && r.code() != 400) {
      return false;
    }
    String code = PushFailures.code(r);
    return code.equals("BLOB_UPLOAD_UNKNOWN") || code.equals("BLOB_UPLOAD_INVALID") || (r.code() == 404
        && code.isEmpty());
  }

  private static long rangeEnd(String range) {
    if (range == null) {
      return -1;
    }
    Matcher m = RANGE.matcher(range.strip());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  private static HttpUrl location(Response r) throws IOException {
    String loc = r.header("Location");
    HttpUrl u = loc == null ? null : r.request().url().resolve(loc);
    if (u == null) {
      throw new RegistryFailureIOException(new RegistryException(Kind.SERVER_ERROR, "registry "
          + Failures.hostPort(r.request().url()) + " answered an upload request without a usable Location"));
    }
    return u;
  }

  private static Request.Builder request(HttpUrl url, TokenScope scope) {
    return new Request.Builder().url(url).tag(TokenScope.class, scope);
  }

  private void pause(int cuts, Digest digest, RegistryEndpoint ep, IOException e) {
    if (cuts >= options.maxAttempts()) {
      throw new RegistryException(Kind.UNREACHABLE, "blob " + digest + ": upload to " + ep.hostPort()
          + " broke off " + cuts + " times (last: " + e.getMessage() + "); check the network and push again", e);
    }
    try {
      options.sleeper().sleep(RetryInterceptor.backoff(options, cuts));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new RegistryException(Kind.UNREACHABLE, "interrupted while waiting to resume blob " + digest, ie);
    }
  }

  /** An answer that calls for the session's status and a resume, as a cut connection does. */
  private static final class Resume extends IOException {
    Resume(String message) {
      super(message);
    }
  }

  /** Bytes {@code [offset, offset + length)} of a file, read from the file each time the body is written. */
  private static final class FileRange extends RequestBody {
    private final Path file;
    private final long offset;
    private final long length;
    private final java.util.function.LongConsumer sent;

    FileRange(Path file, long offset, long length, java.util.function.LongConsumer sent) {
      this.file = file;
      this.offset = offset;
      this.length = length;
      this.sent = sent;
    }

    @Override
    public okhttp3.MediaType contentType() {
      return okhttp3.MediaType.get("application/octet-stream");
    }

    @Override
    public long contentLength() {
      return length;
    }

    /**
     * After a cut, sending the chunk again from its start is wrong when the registry kept part of it: the upload
     * asks the registry where it stands instead.
     */
    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        in.seek(offset);
        byte[] buf = new byte[1 << 16];
        long done = 0;
        while (done < length) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, length - done));
          if (n < 0) {
            throw new EOFException(file + " ended before byte " + (offset + length));
          }
          sink.write(buf, 0, n);
          done += n;
          sent.accept(done);
        }
      }
    }
  }
}
