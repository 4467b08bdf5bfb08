package dev.dcont.runtime.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a container path under the root filesystem the way the container would see it: symlinks are
 * followed relative to {@code root}, and ".." never climbs above it (like Go's filepath-securejoin). A
 * rootfs that contains {@code /dev -> /etc} thus gets its /dev mount at {@code root/etc}, never on the host.
 * It returns a path string, so it is only for a root that no process uses yet (an image's, before its container
 * starts): in a running container a component can change between this and the use, and {@code RootFiles}
 * (descriptors) is the way there; the native stage resolves its own targets when it uses them.
 */
public final class SecureJoin {
    private static final int MAX_LINKS = 255;

    private SecureJoin() {}

    public static Path join(Path root, String unsafe) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, unsafe);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                done.pollLast();
                continue;
            }
            Path candidate = root;
            for (String d : done) {
                candidate = candidate.resolve(d);
            }
            candidate = candidate.resolve(part);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) {
                    throw new IOException("too many symlinks under " + root + " resolving " + unsafe);
                }
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) {
                    done.clear();
                }
                push(todo, target);
                continue;
            }
            done.addLast(part);
        }
        Path out = root;
        for (String d : done) {
            out = out.resolve(d);
        }
        return out;
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.addFirst(parts[i]);
        }
    }

    static boolean isDirectory(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }
}
