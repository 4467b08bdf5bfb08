package dev.dcont.layers;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * gzip decompression for layers: ISA-L's igzip when it is there (about twice zlib's speed here: 0.21 s against
 * 0.44 s for a 200 MB Debian root), else {@code java.util.zip}. The build compiles the shim
 * {@code src/main/c/dcont-igzip.c} against ISA-L when its headers are installed (Debian: libisal-dev) and ships
 * it as a resource; at run time it needs libisal.so.2 (Debian: libisal2). From a jar the shim is loaded out of an
 * anonymous memory file, never a copy on disk (see {@link #inMemory}). Otherwise, or with
 * {@code DCONT_GZIP=jdk}, layers are decompressed with GZIPInputStream. Either way the layer's uncompressed
 * SHA-256 is checked against its diff ID.
 */
final class Igzip {
  private static final String RESOURCE = "/dev/dcont/layers/native/libdcont-igzip.so";
  private static final boolean AVAILABLE = load();

  private Igzip() { }

  /** A decompressing stream over {@code compressed}: igzip when available, else GZIPInputStream. */
  static InputStream decompress(InputStream compressed) throws IOException {
    return AVAILABLE ? new Stream(compressed) : new GZIPInputStream(compressed, 1 << 16);
  }

  static boolean available() {
    return AVAILABLE;
  }

  private static boolean load() {
    if ("jdk".equalsIgnoreCase(System.getenv("DCONT_GZIP"))) {
      return false;
    }
    try {
      URL url = Igzip.class.getResource(RESOURCE);
      if (url == null) {
        return false;
      }
      Native.register(Igzip.class, url.getProtocol().equals("file")
          ? NativeLibrary.getInstance(Path.of(url.toURI()).toString()) : inMemory(url));
      return true;
    } catch (Exception | LinkageError e) {
      return false; // e.g. libisal.so.2 missing: java.util.zip does the work
    }
  }

  private static final int MFD_CLOEXEC = 1;
  private static final int MFD_EXEC = 0x10;
  private static final int EINVAL = 22;

  /**
   * The shim from the jar, loaded from a memfd: a copy in a cache directory could be replaced by whoever can
   * write there ({@code $XDG_CACHE_HOME} or a home directory that another user controls), and a root dcont would
   * then run their library. Nothing else holds this file, and it is gone when the process ends.
   */
  private static NativeLibrary inMemory(URL url) throws IOException {
    byte[] bytes;
    try (InputStream in = url.openStream()) {
      bytes = in.readAllBytes();
    }
    NativeLibrary libc = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    Function memfdCreate = libc.getFunction("memfd_create");
    // MFD_EXEC: a kernel whose vm.memfd_noexec makes memfds non-executable by default still maps this one;
    // kernels before 6.3 do not know the flag
    int fd = memfdCreate.invokeInt(new Object[] {"dcont-igzip", MFD_CLOEXEC | MFD_EXEC});
    if (fd < 0 && Native.getLastError() == EINVAL) {
      fd = memfdCreate.invokeInt(new Object[] {"dcont-igzip", MFD_CLOEXEC});
    }
    if (fd < 0) {
      throw new IOException("memfd_create: errno " + Native.getLastError());
    }
    try {
      Path file = Path.of("/proc/self/fd/" + fd);
      Files.write(file, bytes);
      return NativeLibrary.getInstance(file.toString());
    } finally {
      libc.getFunction("close").invokeInt(new Object[] {fd}); // the mapping keeps the library
    }
  }

  private static native Pointer dcont_igzip_new();

  private static native void dcont_igzip_reset(Pointer state);

  private static native void dcont_igzip_free(Pointer state);

  private static native int dcont_igzip_inflate(Pointer state, Pointer in, int inLen, Pointer out, int outCap,
      Pointer io);

  /** A gzip stream of one or more members, decompressed by igzip; header and trailer (CRC-32, size) checked. */
  static final class Stream extends InputStream {
    private static final int IN = 1 << 18;
    private static final int OUT = 1 << 20;

    private final InputStream src;
    private final Memory in = new Memory(IN);
    private final Memory out = new Memory(OUT);
    private final Memory io = new Memory(8);
    private final byte[] inBuf = new byte[IN];
    private final byte[] outBuf = new byte[OUT];
    private Pointer state;
    private int inPos;
    private int inLen;
    private int outPos;
    private int outLen;
    private boolean inMember;
    private boolean eof;

    Stream(InputStream src) throws IOException {
      this.src = src;
      this.state = dcont_igzip_new();
      if (state == null) {
        throw new IOException("igzip: out of memory");
      }
      if (!refill()) {
        close();
        throw new EOFException("empty gzip stream");
      }
      inMember = true;
    }

    private boolean refill() throws IOException {
      int n = src.read(inBuf, 0, IN);
      if (n < 0) {
        return false;
      }
      in.write(0, inBuf, 0, n);
      inPos = 0;
      inLen = n;
      return true;
    }

    /** Decompresses until some output is ready or the stream has ended. */
    private void fill() throws IOException {
      while (outPos == outLen && !eof) {
        if (inPos == inLen && !refill()) {
          if (inMember) {
            throw new EOFException("unexpected end of gzip stream");
          }
          eof = true;
          return;
        }
        if (!inMember) {
          dcont_igzip_reset(state); // another member follows
          inMember = true;
        }
        int r = dcont_igzip_inflate(state, in.share(inPos), inLen - inPos, out, OUT, io);
        int consumed = io.getInt(0);
        int produced = io.getInt(4);
        inPos += consumed;
        if (r < 0) {
          throw new ZipException("invalid gzip data (ISA-L error " + r + ")");
        }
        if (r == 1) {
          inMember = false;
        } else if (consumed == 0 && produced == 0 && inPos < inLen) {
          throw new ZipException("invalid gzip data (no progress)");
        }
        if (produced > 0) {
          out.read(0, outBuf, 0, produced);
          outPos = 0;
          outLen = produced;
        }
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (state == null) {
        throw new IOException("stream closed");
      }
      if (len == 0) {
        return 0;
      }
      fill();
      if (outPos == outLen) {
        return -1;
      }
      int n = Math.min(len, outLen - outPos);
      System.arraycopy(outBuf, outPos, b, off, n);
      outPos += n;
      return n;
    }

    @Override
    public void close() throws IOException {
      if (state != null) {
        dcont_igzip_free(state);
        state = null;
      }
      src.close();
    }
  }
}
