package dev.dcont.runtime;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a foreground container runs, signals sent to this JVM (INT TERM HUP, and QUIT USR1 USR2 where the JVM
 * lets us) are passed to the monitor, which passes them to the container. A terminal's ^C does not take this
 * path: the monitor takes the terminal's foreground process group, so the kernel sends it there directly.
 */
final class SignalForwarder implements AutoCloseable {
    private record Installed(Signal signal, SignalHandler previous) {}

    private final List<Installed> installed = new ArrayList<>();

    private SignalForwarder() {}

    static SignalForwarder install(long monitorPid) {
        SignalForwarder f = new SignalForwarder();
        for (String name : Signals.FORWARDED) {
            try {
                Signal s = new Signal(name);
                SignalHandler prev = Signal.handle(s, new SignalHandler() {
                    @Override
                    public void handle(Signal sig) {
                        Libc.get().kill((int) monitorPid, sig.getNumber());
                    }
                });
                f.installed.add(new Installed(s, prev));
            } catch (IllegalArgumentException e) {
                // used by the JVM itself (QUIT without -Xrs, USR2 on some JVMs): not forwarded
            }
        }
        return f;
    }

    @Override
    public void close() {
        for (Installed i : installed) {
            Signal.handle(i.signal, i.previous);
        }
    }
}
