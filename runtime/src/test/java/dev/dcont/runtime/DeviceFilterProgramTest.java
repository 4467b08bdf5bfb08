package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dcont.runtime.cgroup.DeviceRules;
import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Linux;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The BPF device program the native stage builds (devices_bpf.c, dumped with --device-filter-dump), run on a small
 * interpreter of the instructions it uses: for every rule set, its verdicts agree with {@link DeviceRules#allows}
 * over a grid of devices and accesses, and it passes the checks of the kernel's verifier that a wrong build would
 * break (every instruction reachable, jumps inside the program, return value 0 or 1). No root, no kernel: the root
 * test (DeviceFilterRootTest) loads it for real.
 */
class DeviceFilterProgramTest {
    /** BPF_DEVCG_DEV_BLOCK and BPF_DEVCG_DEV_CHAR, the type half of the context's access_type. */
    private static final int BLOCK = 1, CHAR = 2;

    private record Insn(int code, int dst, int src, int off, int imm) {}

    private static List<Insn> build(DeviceRules rules) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(NativeStage.path().toString(), "--device-filter-dump",
                rules.defaultAllow() ? "allow" : "deny"));
        cmd.addAll(rules.texts());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        List<Insn> prog = new ArrayList<>();
        for (String line : out.lines().toList()) {
            String[] f = line.split(" ");
            prog.add(new Insn(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
                    Integer.parseInt(f[3]), Integer.parseInt(f[4])));
        }
        return prog;
    }

    /** Runs the program on the context (access << 16 | type, major, minor); returns r0 at exit. */
    private static long run(List<Insn> prog, int type, int access, long major, long minor) {
        long[] ctx = {((long) access << 16) | type, major, minor};
        long[] r = new long[11];
        boolean[] isCtx = new boolean[11];
        isCtx[1] = true;
        for (int pc = 0, steps = 0; steps < 100_000; steps++) {
            Insn i = prog.get(pc++);
            switch (i.code()) {
                case 0x61 -> { // ldxw dst, [src + off]: only the context is readable
                    assertTrue(isCtx[i.src()] && i.off() % 4 == 0 && i.off() <= 8, "bad load " + i);
                    r[i.dst()] = ctx[i.off() / 4];
                    isCtx[i.dst()] = false;
                }
                case 0x54 -> r[i.dst()] = (r[i.dst()] & i.imm()) & 0xffffffffL;   // and32 imm
                case 0x74 -> r[i.dst()] = (r[i.dst()] & 0xffffffffL) >>> i.imm(); // rsh32 imm
                case 0xbc -> { // mov32 dst, src
                    r[i.dst()] = r[i.src()] & 0xffffffffL;
                    isCtx[i.dst()] = false;
                }
                case 0xb7 -> { // mov64 dst, imm
                    r[i.dst()] = i.imm();
                    isCtx[i.dst()] = false;
                }
                case 0x15 -> pc += r[i.dst()] == i.imm() ? i.off() : 0; // jeq imm
                case 0x55 -> pc += r[i.dst()] != i.imm() ? i.off() : 0; // jne imm
                case 0x05 -> pc += i.off();                             // ja
                case 0x95 -> {                                          // exit
                    return r[0];
                }
                default -> fail("instruction the kernel would not expect here: " + i);
            }
        }
        return fail("the program does not end");
    }

    /** The verifier's structural checks: jumps land inside, every instruction can be reached, the last one exits. */
    private static void verifiable(List<Insn> prog) {
        boolean[] seen = new boolean[prog.size()];
        List<Integer> todo = new ArrayList<>(List.of(0));
        while (!todo.isEmpty()) {
            int pc = todo.remove(todo.size() - 1);
            assertTrue(pc >= 0 && pc < prog.size(), "jump out of the program to " + pc);
            if (seen[pc]) {
                continue;
            }
            seen[pc] = true;
            Insn i = prog.get(pc);
            if (i.code() == 0x95) {
                continue;
            }
            if (i.code() == 0x05) {
                todo.add(pc + 1 + i.off());
                continue;
            }
            if (i.code() == 0x15 || i.code() == 0x55) {
                todo.add(pc + 1 + i.off());
            }
            todo.add(pc + 1);
        }
        for (int pc = 0; pc < seen.length; pc++) {
            assertTrue(seen[pc], "unreachable instruction " + pc + ": " + prog.get(pc));
        }
    }

    private static void agrees(List<Linux.DeviceRule> spec) throws Exception {
        DeviceRules rules = DeviceRules.of(spec == null ? null : new Linux.Resources(null, null, null, spec));
        List<Insn> prog = build(rules);
        verifiable(prog);
        int checked = 0;
        for (int type : new int[] {CHAR, BLOCK}) {
            for (long major : new long[] {0, 1, 4, 5, 8, 10, 136, 4095}) {
                for (long minor : new long[] {0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 200, 229, 1_000_000}) {
                    for (int access = 1; access <= 7; access++) {
                        long got = run(prog, type, access, major, minor);
                        boolean want = rules.allows(type == CHAR ? 'c' : 'b', major, minor, access);
                        assertEquals(want ? 1 : 0, got, (type == CHAR ? "c " : "b ") + major + ":" + minor
                                + " access " + access + " with " + rules.texts() + " default allow "
                                + rules.defaultAllow());
                        checked++;
                    }
                }
            }
        }
        assertEquals(2 * 8 * 13 * 7, checked);
    }

    private static Linux.DeviceRule rule(boolean allow, String type, Long major, Long minor, String access) {
        return new Linux.DeviceRule(allow, type, major, minor, access);
    }

    @Test
    void dockersRules() throws Exception {
        agrees(DefaultSpec.DOCKER_DEVICES);
    }

    @Test
    void noRulesInTheSpecLeaveOnlyTheRuntimesDevices() throws Exception {
        agrees(null);
        agrees(List.of());
    }

    @Test
    void aDefaultAllowWithDenialsAfterIt() throws Exception {
        agrees(List.of(rule(true, "a", null, null, "rwm"), rule(false, "c", 1L, 3L, "w"),
                rule(false, "b", 8L, null, "rwm"), rule(false, "c", null, 11L, "m")));
    }

    @Test
    void eachAccessIsDecidedByTheLastRuleThatNamesIt() throws Exception {
        agrees(List.of(rule(false, "a", null, null, "rwm"), rule(true, "c", 4L, 1L, "r"), rule(true, "c", 4L, 1L, "w"),
                rule(false, "c", 4L, null, "m"), rule(true, "c", null, null, "rw"), rule(false, "c", 1L, null, "r"),
                rule(true, "c", 1L, 9L, "r"), rule(true, "b", 8L, 0L, "rm"), rule(false, "b", null, 0L, "w")));
    }

    @Test
    void aRuleForAllDevicesInTheMiddleStartsAgain() throws Exception {
        agrees(List.of(rule(true, "c", 10L, 200L, "rwm"), rule(true, "a", null, null, "r"),
                rule(false, "c", 5L, null, "w")));
        agrees(List.of(rule(true, "b", null, null, "rwm"), rule(false, null, null, null, "rwm"),
                rule(true, "b", 7L, null, "r")));
    }

    @Test
    void aMalformedRuleIsRefusedByTheStageToo() throws Exception {
        Process p = new ProcessBuilder(NativeStage.path().toString(), "--device-filter-dump", "deny", "allow c 1:x rwm")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(125, p.waitFor(), out);
        assertEquals("dcont-init: device filter: bad rule \"allow c 1:x rwm\"\n", out);
    }
}
