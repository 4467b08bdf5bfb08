package dev.dcont.runtime;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A client of a detached container's attach socket (runtime/src/main/c/attach.c): the container's output from the
 * moment of connecting, as the records of its log ({@link ContainerLog}), until it has ended; and its input, when
 * it was started with one open. The socket is reached through a descriptor of the state directory
 * ({@code /proc/self/fd/N/attach}), as the monitor bound it: the state directory's path may be longer than a
 * socket address takes.
 */
public final class ContainerAttach implements Closeable {
    private static final int O_PATH = 010000000;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;

    // read and written with the channel's own calls, which lock reading and writing apart: the streams of
    // java.nio.channels.Channels hold one lock for both, so a write would wait for a read that waits for output
    private final SocketChannel channel;

    private ContainerAttach(SocketChannel channel) {
        this.channel = channel;
    }

    static Optional<ContainerAttach> open(Path stateDir) throws IOException {
        if (!Files.exists(stateDir.resolve("attach"))) {
            return Optional.empty();
        }
        int dir = Libc.get().open(stateDir.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) {
            return Optional.empty();
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of("/proc/self/fd/" + dir + "/attach"));
        } catch (IOException ended) {
            // the container ended between the check and the connect: its socket went with it
            ch.close();
            return Optional.empty();
        } finally {
            Libc.get().close(dir);
        }
        return Optional.of(new ContainerAttach(ch));
    }

    /** The next piece of output; null once the container has ended and all of its output was read. */
    public ContainerLog.Chunk next() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(ContainerLog.HEADER);
        if (!readFully(header, true)) {
            return null;
        }
        ContainerLog.Header h = ContainerLog.header(header.array(), 0);
        ByteBuffer data = ByteBuffer.allocate(h.length());
        readFully(data, false);
        return new ContainerLog.Chunk(h.stream(), h.timeNanos(), data.array());
    }

    /** Fills {@code b}; false at the end of the stream before its first byte when {@code endAllowed}. */
    private boolean readFully(ByteBuffer b, boolean endAllowed) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                if (endAllowed && b.position() == 0) {
                    return false;
                }
                throw new EOFException("the attach socket ended within a record");
            }
        }
        return true;
    }

    /** Where the container's input goes (nowhere when it was started without one). */
    public OutputStream input() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        };
    }

    /** This client's input has ended; the container's stays open for the next client, as Docker's. */
    public void endInput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
