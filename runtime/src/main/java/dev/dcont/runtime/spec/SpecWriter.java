package dev.dcont.runtime.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records as JSON trees for {@link JsonTree}, with the runtime spec's field names; null members are left
 * out. The mirror of {@link SpecReader}; {@code SpecWriterTest} checks the two agree with each other and with
 * jackson-databind.
 */
final class SpecWriter {
    private SpecWriter() {}

    static Map<String, Object> spec(Spec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", s.ociVersion());
        if (s.root() != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("path", s.root().path());
            r.put("readonly", s.root().readonly());
            m.put("root", r);
        }
        m.put("process", process(s.process()));
        m.put("hostname", s.hostname());
        m.put("domainname", s.domainname());
        if (s.mounts() != null) {
            List<Object> l = new ArrayList<>();
            for (Spec.Mount x : s.mounts()) {
                Map<String, Object> mm = new LinkedHashMap<>();
                mm.put("destination", x.destination());
                mm.put("type", x.type());
                mm.put("source", x.source());
                mm.put("options", x.options());
                l.add(mm);
            }
            m.put("mounts", l);
        }
        m.put("linux", linux(s.linux()));
        m.put("annotations", s.annotations());
        return m;
    }

    static Map<String, Object> process(ProcessSpec p) {
        if (p == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("terminal", p.terminal());
        if (p.user() != null) {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("uid", p.user().uid());
            u.put("gid", p.user().gid());
            u.put("umask", p.user().umask());
            u.put("additionalGids", p.user().additionalGids());
            m.put("user", u);
        }
        m.put("args", p.args());
        m.put("env", p.env());
        m.put("cwd", p.cwd());
        if (p.capabilities() != null) {
            ProcessSpec.Capabilities c = p.capabilities();
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("bounding", c.bounding());
            cm.put("effective", c.effective());
            cm.put("inheritable", c.inheritable());
            cm.put("permitted", c.permitted());
            cm.put("ambient", c.ambient());
            m.put("capabilities", cm);
        }
        if (p.rlimits() != null) {
            List<Object> l = new ArrayList<>();
            for (ProcessSpec.Rlimit r : p.rlimits()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("type", r.type());
                rm.put("hard", r.hard());
                rm.put("soft", r.soft());
                l.add(rm);
            }
            m.put("rlimits", l);
        }
        m.put("noNewPrivileges", p.noNewPrivileges());
        return m;
    }

    private static Map<String, Object> linux(Linux l) {
        if (l == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        if (l.namespaces() != null) {
            List<Object> ns = new ArrayList<>();
            for (Linux.Namespace n : l.namespaces()) {
                Map<String, Object> nm = new LinkedHashMap<>();
                nm.put("type", n.type());
                nm.put("path", n.path());
                ns.add(nm);
            }
            m.put("namespaces", ns);
        }
        Linux.Resources r = l.resources();
        if (r != null) {
            Map<String, Object> rm = new LinkedHashMap<>();
            if (r.memory() != null) {
                Map<String, Object> mem = new LinkedHashMap<>();
                mem.put("limit", r.memory().limit());
                mem.put("swap", r.memory().swap());
                rm.put("memory", mem);
            }
            if (r.cpu() != null) {
                Map<String, Object> cpu = new LinkedHashMap<>();
                cpu.put("quota", r.cpu().quota());
                cpu.put("period", r.cpu().period());
                cpu.put("shares", r.cpu().shares());
                rm.put("cpu", cpu);
            }
            if (r.pids() != null) {
                Map<String, Object> pids = new LinkedHashMap<>();
                pids.put("limit", r.pids().limit());
                rm.put("pids", pids);
            }
            if (r.devices() != null) {
                List<Object> devices = new ArrayList<>();
                for (Linux.DeviceRule d : r.devices()) {
                    Map<String, Object> dm = new LinkedHashMap<>();
                    dm.put("allow", d.allow());
                    dm.put("type", d.type());
                    dm.put("major", d.major());
                    dm.put("minor", d.minor());
                    dm.put("access", d.access());
                    devices.add(dm);
                }
                rm.put("devices", devices);
            }
            m.put("resources", rm);
        }
        m.put("cgroupsPath", l.cgroupsPath());
        m.put("maskedPaths", l.maskedPaths());
        m.put("readonlyPaths", l.readonlyPaths());
        m.put("rootfsPropagation", l.rootfsPropagation());
        m.put("seccomp", seccomp(l.seccomp()));
        return m;
    }

    private static Map<String, Object> seccomp(Linux.Seccomp s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("defaultAction", s.defaultAction());
        m.put("defaultErrnoRet", s.defaultErrnoRet());
        m.put("architectures", s.architectures());
        m.put("flags", s.flags());
        if (s.syscalls() != null) {
            List<Object> calls = new ArrayList<>(s.syscalls().size());
            for (Linux.Syscall c : s.syscalls()) {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("names", c.names());
                cm.put("action", c.action());
                cm.put("errnoRet", c.errnoRet());
                if (c.args() != null) {
                    List<Object> args = new ArrayList<>(c.args().size());
                    for (Linux.Arg a : c.args()) {
                        Map<String, Object> am = new LinkedHashMap<>();
                        am.put("index", a.index());
                        am.put("value", a.value());
                        am.put("valueTwo", a.valueTwo());
                        am.put("op", a.op());
                        args.add(am);
                    }
                    cm.put("args", args);
                }
                calls.add(cm);
            }
            m.put("syscalls", calls);
        }
        return m;
    }

    static Map<String, Object> state(ContainerState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", s.ociVersion());
        m.put("id", s.id());
        m.put("status", s.status());
        m.put("pid", s.pid());
        m.put("bundle", s.bundle());
        m.put("annotations", s.annotations());
        return m;
    }
}
