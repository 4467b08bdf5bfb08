package dev.dcont.runtime;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;

/**
 * Where the container's stdin, stdout and stderr go. With {@code process.terminal} the native stage relays a pty
 * between these and the container (and puts a terminal stdin into raw mode for the duration).
 */
public record Stdio(Redirect in, Redirect out, Redirect err) {
    /** The caller's own stdio (what {@code dcont run} uses). */
    public static Stdio inherit() {
        return new Stdio(Redirect.INHERIT, Redirect.INHERIT, Redirect.INHERIT);
    }

    /** stdin from a file ({@code null}: /dev/null), stdout and stderr appended to files. */
    public static Stdio files(Path in, Path out, Path err) {
        return new Stdio(in == null ? Redirect.from(Path.of("/dev/null").toFile()) : Redirect.from(in.toFile()),
                Redirect.appendTo(out.toFile()), Redirect.appendTo(err.toFile()));
    }
}
