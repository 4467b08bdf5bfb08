package dev.dcont.runtime.cgroup;

import static dev.dcont.runtime.cgroup.DeviceRules.M;
import static dev.dcont.runtime.cgroup.DeviceRules.R;
import static dev.dcont.runtime.cgroup.DeviceRules.W;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Linux;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceRulesTest {
    private static DeviceRules of(List<Linux.DeviceRule> rules) {
        return DeviceRules.of(new Linux.Resources(null, null, null, rules));
    }

    private static Linux.DeviceRule rule(boolean allow, String type, Long major, Long minor, String access) {
        return new Linux.DeviceRule(allow, type, major, minor, access);
    }

    @Test
    void dockersRulesAllowMknodOfAnyNodeButUseOfTheirDevicesOnly() {
        DeviceRules d = of(DefaultSpec.DOCKER_DEVICES);
        assertFalse(d.defaultAllow());
        assertTrue(d.allows('c', 1, 3, R | W));
        assertTrue(d.allows('c', 136, 7, R | W));
        assertTrue(d.allows('c', 10, 200, R | W));
        assertTrue(d.allows('c', 1, 11, M));
        assertTrue(d.allows('b', 8, 0, M));
        assertFalse(d.allows('c', 1, 11, R));
        assertFalse(d.allows('c', 1, 11, M | W));
        assertFalse(d.allows('b', 8, 0, R));
        assertFalse(d.allows('c', 10, 229, R | W));
    }

    @Test
    void theRulesAreTheSpecsAfterItsLastRuleForAllDevicesThenTheRuntimesOwnDevices() {
        DeviceRules d = of(List.of(rule(true, "c", 4L, 1L, "rwm"), rule(false, "a", null, null, "rwm"),
                rule(true, "b", 7L, null, "r"), rule(true, "c", 1L, 3L, "rwm")));
        assertFalse(d.defaultAllow());
        assertEquals(List.of("allow b 7:* r", "allow c 1:3 rwm", "allow c 1:5 rwm", "allow c 1:7 rwm",
                "allow c 1:8 rwm", "allow c 1:9 rwm", "allow c 5:0 rwm", "allow c 5:2 rwm", "allow c 136:* rwm"),
                d.texts());
        assertFalse(d.allows('c', 4, 1, R));
        assertTrue(of(List.of(rule(true, null, null, null, null))).defaultAllow());
    }

    @Test
    void withoutRulesOnlyTheDevicesTheRuntimeMakesAreAllowed() {
        for (DeviceRules d : List.of(DeviceRules.of(null), of(null), of(List.of()))) {
            assertFalse(d.defaultAllow());
            for (long[] dev : new long[][] {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}, {136, 0}}) {
                assertTrue(d.allows('c', dev[0], dev[1], M | R | W), dev[0] + ":" + dev[1]);
            }
            assertFalse(d.allows('c', 1, 11, M));
            assertFalse(d.allows('c', 10, 200, R));
        }
    }

    @Test
    void theSpecCannotTakeAwayTheDevicesTheRuntimeMakes() {
        DeviceRules d = of(List.of(rule(true, "a", null, null, "rwm"), rule(false, "c", 1L, null, "rwm")));
        assertTrue(d.allows('c', 1, 3, R | W));
        assertFalse(d.allows('c', 1, 11, W));
        assertTrue(d.allows('b', 8, 0, R));
    }

    @Test
    void eachAccessOfARequestIsDecidedByTheLastRuleNamingTheDeviceAndThatAccess() {
        DeviceRules d = of(List.of(rule(false, "a", null, null, "rwm"), rule(true, "c", 4L, 1L, "r"),
                rule(true, "c", 4L, 1L, "w"), rule(true, "c", null, null, "rw"), rule(false, "c", 4L, null, "w")));
        assertTrue(d.allows('c', 4, 1, R));
        assertFalse(d.allows('c', 4, 1, R | W));
        assertTrue(d.allows('c', 9, 1, R | W));
        assertFalse(d.allows('c', 9, 1, R | W | M));
        // identical rules: only the last one counts and is kept
        assertEquals(1, of(List.of(rule(true, "c", 4L, 1L, "r"), rule(true, "c", 4L, 1L, "r"))).texts().stream()
                .filter(t -> t.equals("allow c 4:1 r")).count());
    }

    @Test
    void malformedRulesAreRefusedWithWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> of(List.of(rule(true, "p", null, null, "rwm"))));
        assertEquals("linux.resources.devices: type must be a, c or b, got \"p\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> of(List.of(rule(true, "c", 1L, 3L, "rx"))));
        assertEquals("linux.resources.devices: access must be made of r, w and m, got \"rx\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> of(List.of(rule(true, "c", -2L, 3L, "r"))));
        assertTrue(e.getMessage().startsWith("linux.resources.devices: major must be between 0 and"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> of(List.of(rule(true, "c", 1L, 1L << 40, "r"))));
        // -1 is any, as runc writes it
        assertEquals("allow c *:3 r", of(List.of(rule(true, "c", -1L, 3L, "r"))).texts().get(0));
    }
}
