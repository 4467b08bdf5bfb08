package dev.dcont.runtime.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Root tests run for real on CI ({@code CI=true}, as root): there, anything that prevents them is a failure.
 * Only outside CI and without root do they skip, with a message saying why.
 */
public final class RootOnly {
    private RootOnly() {}

    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static void require(String what) {
        if (uid() != 0) {
            String msg = what + " needs root (namespaces, mounts, cgroups); uid is " + uid();
            if (onCi()) {
                fail(msg + " - CI=true, so this is a failure, not a skip");
            }
            Assumptions.abort(msg + " - skipped (not root, CI not set)");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/busybox"))) {
            String msg = what + " needs /usr/bin/busybox (apt-get install busybox-static)";
            if (onCi()) {
                fail(msg);
            }
            Assumptions.abort(msg + " - skipped");
        }
    }

    public static int uid() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("Uid:")) {
                    return Integer.parseInt(l.split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return -1;
    }
}
