package dev.dcont.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dcont.runtime.spec.DefaultSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilitySetTest {
    @Test
    void dockersFourteenCapabilitiesAreTheWellKnownMask() {
        // `docker run busybox grep CapBnd /proc/self/status` prints 00000000a80425fb
        assertEquals(0xa80425fbL, CapabilitySet.mask(DefaultSpec.DOCKER_CAPABILITIES));
        assertEquals(14, CapabilitySet.names(0xa80425fbL).size());
    }

    @Test
    void namesWithAndWithoutPrefixAndUnknownNames() {
        assertEquals(21, CapabilitySet.number("CAP_SYS_ADMIN"));
        assertEquals(40, CapabilitySet.number("checkpoint_restore"));
        assertEquals(List.of("CAP_KILL", "CAP_NET_RAW"), CapabilitySet.names((1L << 5) | (1L << 13)));
        assertThrows(IllegalArgumentException.class, () -> CapabilitySet.number("CAP_FLY"));
    }
}
