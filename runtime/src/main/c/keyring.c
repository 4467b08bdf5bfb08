/* The container's own session keyring, so that it cannot read or use the keys of the caller's session. */
#include "stage.h"
#include <linux/keyctl.h>

#define KEY_USR_SEARCH 0x00080000u

/*
 * SESSION_KEYRING NAME: joins the session keyring NAME ("_ses.<container id>"), making it when there is none, as
 * runc does for run and exec. The first process of the container makes it and lets its owner search it: a
 * named keyring can be joined only with search permission, and the processes that dcont exec starts, which
 * run as that same owner at this point (root, before the ids are changed), join it by its name. A kernel
 * without keyrings (ENOSYS) has no keys to leak: the step is skipped there, as runc skips it.
 */
void join_session_keyring(const char *name) {
    long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
    if (id < 0) {
        if (errno == ENOSYS) return;
        die_child("join session keyring %s", name);
    }
    char desc[512] = {0};
    if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof desc - 1, 0) < 0)
        die_child("describe session keyring %s", name);
    /* "type;uid;gid;perm;description", perm in hex */
    const char *p = desc;
    for (int field = 0; field < 3 && p; field++) {
        p = strchr(p, ';');
        if (p) p++;
    }
    if (!p) { errno = EINVAL; die_child("describe session keyring %s: %s", name, desc); }
    unsigned long perm = strtoul(p, NULL, 16);
    if ((perm & KEY_USR_SEARCH) == 0
            && syscall(SYS_keyctl, KEYCTL_SETPERM, id, (unsigned long)(perm | KEY_USR_SEARCH), 0, 0) < 0)
        die_child("set permissions of session keyring %s", name);
}
