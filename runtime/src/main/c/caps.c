/* Capability sets: bounding, effective/permitted/inheritable, ambient. */
#include "stage.h"

void cap_bounding(uint64_t bnd) {
    for (int c = 0; c < 64; c++) {
        if (bnd & (1ULL << c)) continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
            if (errno == EINVAL) break; /* beyond the kernel's last capability */
            die_child("drop bounding capability %d", c);
        }
    }
}

void cap_set(uint64_t eff, uint64_t prm, uint64_t inh) {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)eff; data[1].effective = (uint32_t)(eff >> 32);
    data[0].permitted = (uint32_t)prm; data[1].permitted = (uint32_t)(prm >> 32);
    data[0].inheritable = (uint32_t)inh; data[1].inheritable = (uint32_t)(inh >> 32);
    if (syscall(SYS_capset, &hdr, data) < 0) die_child("capset");
}

void cap_ambient(uint64_t amb) {
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int c = 0; c < 64; c++) {
        if (!(amb & (1ULL << c))) continue;
        /* the kernel raises only what is in both the permitted and the inheritable set (EPERM otherwise); runc
         * skips such a capability with a warning rather than failing, and specs made for runc (umoci's, runc
         * spec's older ones) list ambient capabilities without inheritable ones: skipped here too */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && errno != EPERM)
            die_child("raise ambient capability %d", c);
    }
}
