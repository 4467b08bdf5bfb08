package dev.dcont.runtime;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;

/**
 * Where the container's stdin, stdout and stderr go; {@code null} for the caller's own. With
 * {@code process.terminal} the native stage relays a pty between these and the container (and puts a terminal
 * stdin into raw mode for the duration). Null rather than {@code Redirect.INHERIT} so that a start need not
 * initialise ProcessBuilder's classes (several milliseconds on JDK 25) before the thread that starts the stage.
 */
public record Stdio(Redirect in, Redirect out, Redirect err) {
    /** The caller's own stdio (what {@code dcont run} uses). */
    public static Stdio inherit() {
        return new Stdio(null, null, null);
    }

    /** Applies these redirections to {@code pb}. */
    ProcessBuilder applyTo(ProcessBuilder pb) {
        return pb.redirectInput(in == null ? Redirect.INHERIT : in)
                .redirectOutput(out == null ? Redirect.INHERIT : out)
                .redirectError(err == null ? Redirect.INHERIT : err);
    }

    /** stdin from a file ({@code null}: /dev/null), stdout and stderr appended to files. */
    public static Stdio files(Path in, Path out, Path err) {
        return new Stdio(in == null ? Redirect.from(Path.of("/dev/null").toFile()) : Redirect.from(in.toFile()),
                Redirect.appendTo(out.toFile()), Redirect.appendTo(err.toFile()));
    }
}
