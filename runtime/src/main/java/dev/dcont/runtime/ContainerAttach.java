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
 * it was started with one open, and the caller's window size, as frames of a kind, a length and bytes. The socket is reached through a descriptor of the state directory
 * ({@code /proc/self/fd/N/attach}), as the monitor bound it: the state directory's path may be longer than a
 * socket address takes.
 */
public final class ContainerAttach implements Closeable {
    private static final int O_PATH = 010000000;
    private static final int O_DIRECTORY = 0200000;
    private static final int O_CLOEXEC = 02000000;
    /** The largest frame the monitor takes (attach.c's FRAME_MAX). */
    private static final int MAX_FRAME = 65536;

    // read and written with the channel's own calls, which lock reading and writing apart: the streams of
    // java.nio.channels.Channels hold one lock for both, so a write would wait for a read that waits for output
    /** What {@link #forwardSignals} and {@link #followWindow} set up, undone when closed. */
    public interface Release extends AutoCloseable {
        @Override
        void close();
    }

    private final SocketChannel channel;
    private final Path stateDir;

    private ContainerAttach(SocketChannel channel, Path stateDir) {
        this.channel = channel;
        this.stateDir = stateDir;
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
        return Optional.of(new ContainerAttach(ch, stateDir));
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
                for (int at = off; at < off + len; at += MAX_FRAME) {
                    send('i', ByteBuffer.wrap(b, at, Math.min(MAX_FRAME, off + len - at)));
                }
            }
        };
    }

    /** The caller's window size, for a terminal container's pty (others ignore it). */
    public void resize(int rows, int columns) throws IOException {
        send('w', ByteBuffer.allocate(4).putShort((short) rows).putShort((short) columns).flip());
    }

    /** One frame: its kind, its length and its bytes (attach.c); frames of two threads do not interleave. */
    private synchronized void send(char kind, ByteBuffer data) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).put((byte) kind).putInt(data.remaining()).flip();
        ByteBuffer[] frame = {head, data};
        while (data.hasRemaining() || head.hasRemaining()) {
            channel.write(frame);
        }
    }

    /**
     * Docker's {@code --sig-proxy}: the signals a foreground run passes on (INT, TERM, HUP, ...) go from this JVM to
     * the container, through its monitor, until closed.
     */
    public Release forwardSignals() throws IOException {
        return SignalForwarder.install(StateDir.readLong(stateDir.resolve("monitor.pid")))::close;
    }

    /** The terminal's window size now and whenever it changes (SIGWINCH), until closed. */
    public Release followWindow(RawTerminal terminal) {
        Runnable send = () -> {
            int[] size = terminal.size();
            if (size != null) {
                try {
                    resize(size[0], size[1]);
                } catch (IOException ended) {
                    // the container ended: no window to size
                }
            }
        };
        send.run();
        sun.misc.Signal winch = new sun.misc.Signal("WINCH");
        sun.misc.SignalHandler previous = sun.misc.Signal.handle(winch, sig -> send.run());
        return () -> sun.misc.Signal.handle(winch, previous);
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
