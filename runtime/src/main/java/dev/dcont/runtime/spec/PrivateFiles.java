package dev.dcont.runtime.spec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The runtime's files that only their owner may read: {@code config.json}, {@code state.json} and plans carry the
 * container's environment (secrets given with {@code -e}), so they are 0600 in 0700 directories, as runc keeps
 * its state (0700 directories, 0600 {@code state.json}). Modes are given when creating and set again after, so
 * the umask neither widens nor narrows them.
 */
public final class PrivateFiles {
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTR = PosixFilePermissions.asFileAttribute(FILE);
    private static final Set<StandardOpenOption> CREATE_NEW = EnumSet.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);

    private PrivateFiles() {}

    /** Writes {@code bytes} to {@code file} (0600) through a temporary file beside it and a rename. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (OutputStream out = create(tmp)) {
            out.write(bytes);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A new file (0600) in place of anything at {@code file}, open for writing. */
    public static OutputStream create(Path file) throws IOException {
        Files.deleteIfExists(file);
        OutputStream out = Channels.newOutputStream(Files.newByteChannel(file, CREATE_NEW, FILE_ATTR));
        Files.setPosixFilePermissions(file, FILE);
        return out;
    }

    /** Creates an empty file 0600 if there is none; takes group's and others' permissions from one that exists. */
    public static void touch(Path file) throws IOException {
        try {
            Files.newByteChannel(file, CREATE_NEW, FILE_ATTR).close();
            Files.setPosixFilePermissions(file, FILE);
        } catch (FileAlreadyExistsException e) {
            closeToOthers(file);
        }
    }

    /**
     * Creates {@code dir} 0700 (and its missing parents, 0700 too); an existing one loses any permission of group
     * and others, so that a directory made by an earlier version is closed as well.
     */
    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            closeToOthers(dir);
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
        Files.setPosixFilePermissions(dir, DIR);
    }

    /** Takes group's and others' permissions away, except from a sticky directory (such as /tmp: not ours). */
    private static void closeToOthers(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 077) != 0 && (mode & 01000) == 0 && (mode & 0170000) != 0120000) {
            Files.setAttribute(p, "unix:mode", mode & 0700, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
