package dev.dcont.runtime;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;

/**
 * Where the container's stdin, stdout and stderr come from and go; {@code null} for the caller's own. The container
 * never holds these descriptors: the native stage, which has them, relays them to and from pipes that it gives the
 * container (with {@code process.terminal}, a pty, and a terminal stdin goes into raw mode for the duration).
 * Without {@code input} the container's stdin is empty, as under {@code docker run} without {@code -i}. Null
 * rather than {@code Redirect.INHERIT} so that a start need not initialise ProcessBuilder's classes (several
 * milliseconds on JDK 25) before the thread that starts the stage.
 */
public record Stdio(Redirect in, Redirect out, Redirect err, boolean input) {
    public Stdio(Redirect in, Redirect out, Redirect err) {
        this(in, out, err, true);
    }

    /** The caller's own stdio, its stdin relayed to the container (what {@code runc run} does). */
    public static Stdio inherit() {
        return new Stdio(null, null, null, true);
    }

    /** The caller's own stdio; its stdin relayed to the container only with {@code input} ({@code run -i}). */
    public static Stdio inherit(boolean input) {
        return new Stdio(null, null, null, input);
    }

    /** Applies these redirections to {@code pb}: without input the stage's stdin is /dev/null. */
    ProcessBuilder applyTo(ProcessBuilder pb) {
        Redirect i = !input ? Redirect.from(new File("/dev/null")) : in == null ? Redirect.INHERIT : in;
        return pb.redirectInput(i)
                .redirectOutput(out == null ? Redirect.INHERIT : out)
                .redirectError(err == null ? Redirect.INHERIT : err);
    }

    /** stdin from a file ({@code null}: no input), stdout and stderr appended to files. */
    public static Stdio files(Path in, Path out, Path err) {
        return new Stdio(in == null ? null : Redirect.from(in.toFile()), Redirect.appendTo(out.toFile()),
                Redirect.appendTo(err.toFile()), in != null);
    }
}
