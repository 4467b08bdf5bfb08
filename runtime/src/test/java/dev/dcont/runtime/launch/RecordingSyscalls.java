package dev.dcont.runtime.launch;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A {@link Syscalls} fake that records each call as "name arg arg ..." (longs in hex), in order. */
final class RecordingSyscalls {
    final List<String> calls = new ArrayList<>();
    final Syscalls sys = (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(),
            new Class<?>[] {Syscalls.class}, (proxy, m, args) -> {
                String a = args == null ? "" : Stream.of(args).map(RecordingSyscalls::fmt)
                        .collect(Collectors.joining(" ", " ", ""));
                calls.add(m.getName() + a);
                return null;
            });

    private static String fmt(Object o) {
        if (o instanceof Long l) {
            return "0x" + Long.toHexString(l);
        }
        if (o instanceof SeccompFilter f) {
            return (f.atExec() ? "atExec" : "now") + " default=0x" + Long.toHexString(f.defaultAction()) + " rules="
                    + f.rules().size();
        }
        return String.valueOf(o);
    }

    int indexOf(String prefix) {
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    List<String> named(String method) {
        return calls.stream().filter(c -> c.equals(method) || c.startsWith(method + " ")).toList();
    }
}
