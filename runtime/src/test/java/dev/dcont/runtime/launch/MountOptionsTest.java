package dev.dcont.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {
    @Test
    void flagsPropagationAndDataAreSeparated() {
        MountOptions o = MountOptions.parse(List.of("rbind", "ro", "nosuid", "rslave", "mode=755", "size=1m"));
        assertTrue(o.bind());
        assertTrue(o.recursive());
        assertEquals(MountOptions.MS_RDONLY | MountOptions.MS_NOSUID, o.flags());
        assertEquals(MountOptions.MS_SLAVE | MountOptions.MS_REC, o.propagation());
        assertEquals("mode=755,size=1m", o.data());
    }

    @Test
    void laterOptionsOverrideEarlierOnes() {
        MountOptions o = MountOptions.parse(List.of("ro", "nodev", "rw", "dev"));
        assertEquals(0, o.flags());
        assertFalse(o.bind());
    }

    @Test
    void rootPropagationDefaultsToRecursivePrivate() {
        assertEquals(MountOptions.MS_PRIVATE | MountOptions.MS_REC, MountOptions.rootPropagation(null));
        assertEquals(MountOptions.MS_SLAVE | MountOptions.MS_REC, MountOptions.rootPropagation("slave"));
    }
}
