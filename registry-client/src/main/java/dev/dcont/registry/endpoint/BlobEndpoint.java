package dev.dcont.registry.endpoint;

import dev.dcont.registry.LayerTap;
import dev.dcont.registry.RegistryException;
import dev.dcont.registry.RegistryException.Kind;
import dev.dcont.registry.RegistryOptions;
import dev.dcont.registry.http.Failures;
import dev.dcont.registry.http.RegistryEndpoint;
import dev.dcont.registry.http.RetryInterceptor;
import dev.dcont.store.content.DigestMismatchException;
import dev.dcont.store.content.IngestWriter;
import dev.dcont.store.content.Ingester;
import dev.dcont.store.model.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, following redirects (to a CDN, without credentials), the one way
 * blobs are fetched, configs and layers alike. Blobs are streamed into the store's ingest file, hashed and counted on the way, and
 * committed only when size and digest match. A connection cut mid-blob resumes with
 * {@code Range: bytes=<offset>-} from what is on disk, as does a partial file left by an earlier
 * process; a server that answers a range request with the whole blob (200) restarts it.
 */
public final class BlobEndpoint {
  /** Largest config blob a pull reads into memory once it is stored. */
  public static final long MAX_IN_MEMORY = 64L * 1024 * 1024;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  /** Progress of one blob: bytes on disk so far, of {@code total}. */
  @FunctionalInterface
  public interface Progress {
    Progress NONE = (done, total) -> { };

    void update(long done, long total);
  }

  /** What {@link #download} did. */
  public enum Outcome {
    /** Fetched (fully or the rest of a partial file) and committed. */
    DOWNLOADED,
    /** Already committed, by us earlier or by another process while we waited for its lock. */
    ALREADY_PRESENT
  }

  private final RegistryOptions options;

  public BlobEndpoint(RegistryOptions options) {
    this.options = options;
  }

  /** Streams blob {@code d} into the store; see the class comment. */
  public Outcome download(RegistryEndpoint ep, String repository, Descriptor d, Ingester ingester, Progress progress) {
    return download(ep, repository, d, ingester, progress, () -> null);
  }

  /**
   * Streams blob {@code d} into the store and, when it is fetched from its first byte, also into the sink
   * {@code tap} gives (see {@link LayerTap} for the contract). The sink ends with {@code verified()} once size
   * and digest have matched (the blob's fsync and rename follow); any failure before that, and a server that
   * restarts the blob, abort it.
   */
  public Outcome download(RegistryEndpoint ep, String repository, Descriptor d, Ingester ingester, Progress progress,
      Supplier<LayerTap.Sink> tap) {
    Optional<IngestWriter> opened;
    try {
      opened = ingester.open(d.digest(), d.size());
    } catch (IOException e) {
      throw dev.dcont.store.StoreException.io("blob " + d.digest(), e);
    }
    if (opened.isEmpty()) {
      return Outcome.ALREADY_PRESENT;
    }
    Tee tee = new Tee();
    Throwable failure = null;
    try (IngestWriter w = opened.get()) {
      // a partial file of an earlier process is resumed without the tap: its first bytes are not here to stream
      tee.sink = w.offset() == 0 ? tap.get() : null;
      fetchInto(ep, repository, d, w, progress, tee);
      try {
        // the sink learns the bytes are right as soon as size and digest match, not after the fsync: an unpack
        // streaming from it finishes meanwhile (a failed fsync still fails the pull; the snapshot, checked
        // against its diff ID anyway, is then left for prune)
        w.commit(() -> {
          LayerTap.Sink s = tee.sink;
          tee.sink = null;
          if (s != null) {
            s.verified();
          }
        });
      } catch (DigestMismatchException e) {
        throw new RegistryException(Kind.DIGEST_MISMATCH, e.getMessage() + " from " + ep.hostPort(), e);
      }
      return Outcome.DOWNLOADED;
    } catch (IOException e) {
      failure = e;
      throw dev.dcont.store.StoreException.io("blob " + d.digest(), e);
    } catch (RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      if (tee.sink != null) {
        tee.sink.abort(failure != null ? failure : new IOException("blob " + d.digest() + ": download did not finish"));
      }
    }
  }

  /** The sink the bytes also go to, dropped (aborted) when the server restarts the blob. */
  private static final class Tee {
    LayerTap.Sink sink;

    void write(byte[] b, int off, int len) throws IOException {
      if (sink != null) {
        sink.write(b, off, len);
      }
    }

    void restarted(Descriptor d) {
      if (sink != null) {
        LayerTap.Sink s = sink;
        sink = null;
        s.abort(new IOException("blob " + d.digest() + ": the registry restarted the download"));
      }
    }
  }

  private void fetchInto(RegistryEndpoint ep, String repository, Descriptor d, IngestWriter w, Progress progress,
      Tee tee) throws IOException {
    int cuts = 0;
    while (w.offset() < d.size()) {
      long offset = w.offset();
      progress.update(offset, d.size());
      Request.Builder rb = new Request.Builder().url(ep.v2(repository + "/blobs/" + d.digest())).get();
      if (offset > 0) {
        rb.header("Range", "bytes=" + offset + "-");
      }
      Response r;
      try {
        r = ep.client().newCall(rb.build()).execute();
      } catch (IOException e) {
        throw Failures.io(e, ep.base());
      }
      try (r) {
        if (r.code() == 206) {
          Matcher m = CONTENT_RANGE.matcher(String.valueOf(r.header("Content-Range")));
          if (!m.matches() || Long.parseLong(m.group(1)) != offset) {
            // a range we did not ask for: start over rather than splice wrong bytes
            w.restart();
            tee.restarted(d);
            cuts++;
            checkCuts(cuts, d, ep, new IOException("unexpected Content-Range " + r.header("Content-Range")));
            continue;
          }
        } else if (r.code() == 200) {
          if (offset > 0) {
            w.restart();
            tee.restarted(d);
          }
        } else if (r.code() == 416 && offset > 0) {
          w.restart();
          tee.restarted(d);
          cuts++;
          checkCuts(cuts, d, ep, new IOException("416 Range Not Satisfiable"));
          continue;
        } else {
          throw Failures.status(r, Failures.Subject.BLOB, d.digest().toString());
        }
        if (r.protocol() == Protocol.HTTP_1_1) {
          // Okio's own read timeout enters and leaves a watchdog queue shared by all connections on every
          // socket read (8 KB), thousands of times per 100 MB, a visible share of a pull's CPU on two cores. On
          // HTTP/1.1 the socket's SO_TIMEOUT, which OkHttp sets to the same read timeout, still ends a read
          // that stalls (an HTTP/2 stream keeps Okio's timeout: its socket has none).
          r.body().source().timeout().clearTimeout().clearDeadline();
        }
        try (InputStream in = r.body().byteStream()) {
          byte[] buf = new byte[1 << 16];
          boolean more = true;
          while (more) {
            // whole buffers: the body arrives in 8 KB socket reads, and each chunk handed on costs a file
            // write, a hash update and a copy to the tap; what was read before a failure is kept
            int n = 0;
            IOException failed = null;
            while (n < buf.length) {
              int got;
              try {
                got = in.read(buf, n, buf.length - n);
              } catch (IOException e) {
                failed = e;
                break;
              }
              if (got < 0) {
                more = false;
                break;
              }
              n += got;
            }
            if (n > 0) {
              if (w.offset() + n > d.size()) {
                // the registry sends more than the manifest declares: drop everything (commit of
                // the emptied writer fails on size and removes the partial file)
                w.restart();
                w.commit();
              }
              w.write(buf, 0, n);
              tee.write(buf, 0, n);
              progress.update(w.offset(), d.size());
            }
            if (failed != null) {
              throw failed;
            }
          }
        } catch (DigestMismatchException e) {
          throw new RegistryException(Kind.DIGEST_MISMATCH, e.getMessage() + " (from " + ep.hostPort() + ")", e);
        } catch (IOException e) {
          if (!RetryInterceptor.retryable(e) || Thread.currentThread().isInterrupted()) {
            throw Failures.io(e, ep.base());
          }
          cuts++;
          checkCuts(cuts, d, ep, e);
          continue;
        }
        if (w.offset() < d.size()) {
          // the body ended cleanly but short: the registry's blob is not the declared size
          return;
        }
      }
    }
    progress.update(w.offset(), d.size());
  }

  private void checkCuts(int cuts, Descriptor d, RegistryEndpoint ep, IOException e) throws IOException {
    if (cuts >= options.maxAttempts()) {
      throw new RegistryException(Kind.UNREACHABLE, "blob " + d.digest() + ": download from " + ep.hostPort()
          + " broke off " + cuts + " times (last: " + e.getMessage() + "); check the network and pull again"
          + " (the downloaded part is kept)", e);
    }
    try {
      options.sleeper().sleep(RetryInterceptor.backoff(options, cuts));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to resume blob " + d.digest());
    }
  }
}
