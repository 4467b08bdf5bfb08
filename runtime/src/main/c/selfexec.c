/*
 * CVE-2019-5736: the stage runs from a sealed memfd copy of itself, so that no container can reach the binary on
 * disk through /proc/<pid>/exe. The protection fails closed: a stage that cannot set it up refuses to run
 * rather than run from the file on disk.
 */
#include "stage.h"

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* The running image is the sealed copy when its seals say so: the kernel's word, not the environment's (which a
 * caller could set). */
static int running_from_sealed_copy(void) {
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    int seals = fcntl(fd, F_GET_SEALS);
    close(fd);
    return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

static void refuse(const char *step) {
    fprintf(stderr, "dcont-init: cannot run from a sealed copy of itself (%s: %s); refusing to run from the file on "
            "disk, which a container could overwrite (CVE-2019-5736)\n", step, strerror(errno));
    exit(EXIT_SETUP);
}

void ensure_cloned_binary(char **argv) {
    if (running_from_sealed_copy()) return;
    int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0) refuse("open /proc/self/exe");
    struct stat st;
    if (fstat(src, &st) < 0) refuse("fstat /proc/self/exe");
    int mfd = syscall(SYS_memfd_create, "dcont-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) refuse("memfd_create");
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t r = sendfile(mfd, src, &off, st.st_size - off);
        if (r < 0) refuse("copy into memfd");
        if (r == 0) { errno = EIO; refuse("copy into memfd"); }
    }
    close(src);
    if (fcntl(mfd, F_ADD_SEALS, REQUIRED_SEALS) < 0) refuse("seal memfd");
    extern char **environ;
    syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
    refuse("execveat memfd");
}
