package dev.dcont.cli;

import dev.dcont.store.StoreException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** One place that turns failures into one line and an exit code (DESIGN.md: 1 operational, 2 usage, 125 run). */
public final class Errors {
  public static final int OPERATIONAL = 1;
  public static final int USAGE = 2;
  public static final int RUN_FAILED = 125;

  private Errors() { }

  /** A failure whose message is ready for users. */
  public static class UserError extends RuntimeException {
    private final int code;

    public UserError(String message) {
      this(message, OPERATIONAL);
    }

    public UserError(String message, int code) {
      super(message);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  public static int exitCode(Throwable t) {
    if (t instanceof UserError u) {
      return u.code();
    }
    if (t instanceof ParameterException) {
      return USAGE;
    }
    return OPERATIONAL;
  }

  /** The user-facing line for an exception. */
  public static String message(Throwable t) {
    if (t instanceof java.io.UncheckedIOException u && u.getCause() != null) {
      t = u.getCause();
    }
    String m = t.getMessage();
    if (t instanceof java.nio.file.AccessDeniedException) {
      return "permission denied: " + m + " (run as root or choose a store with --root)";
    }
    if (t instanceof java.io.IOException && m != null && m.contains("No space left on device")) {
      return "disk full: " + m + " (free space, or run 'dcont system prune')";
    }
    if (m == null || m.isBlank()) {
      return t.getClass().getSimpleName();
    }
    if (t instanceof UserError || t instanceof StoreException || t instanceof IllegalArgumentException
        || t.getClass().getPackageName().startsWith("dev.dcont")) {
      return m;
    }
    return t.getClass().getSimpleName() + ": " + m;
  }

  static final class Handler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
      return report(ex, cl.getErr(), cl.getCommand() instanceof RunFailureCode);
    }
  }

  /**
   * Prints a command's failure as one line (with the stack trace under {@code --debug}) and returns its exit
   * code; {@code runFailure} for commands whose own failures exit 125.
   */
  public static int report(Exception ex, PrintWriter err, boolean runFailure) {
    if (GlobalOptions.debug()) {
      ex.printStackTrace(err);
    }
    err.println("dcont: " + message(ex).replace('\n', ' '));
    err.flush();
    int code = exitCode(ex);
    return code == OPERATIONAL && runFailure ? RUN_FAILED : code;
  }

  /** Marks commands whose own failures exit 125 (run, as Docker). */
  public interface RunFailureCode { }

  static final class UsageHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      String message = ex.getMessage();
      if (ex instanceof CommandLine.UnmatchedArgumentException u && cl.getCommand() instanceof Main
          && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
        message = "unknown command '" + u.getUnmatched().get(0) + "'";
      }
      err.println("dcont: " + message + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
      err.flush();
      return cl.getCommand() instanceof RunFailureCode ? RUN_FAILED : USAGE;
    }
  }
}
