/*
 * dcont-init: the native exec stage of the dcont runtime.
 *
 * It holds no policy. Java (dev.dcont.runtime.launch.LaunchPlanner) computes a
 * plan - a flat list of operations - and this program carries it out:
 *
 *   monitor (this process, outside the container)
 *     - re-executes itself from a sealed memfd (CVE-2019-5736)
 *     - optionally detaches (double fork, setsid), then keeps the container's output in a log file
 *       (see write_record)
 *     - clone()s the container process with the requested namespaces
 *       (or, for exec, setns()es into an existing pid namespace and forks)
 *     - writes the child pid into the cgroup.procs files of the plan
 *     - forwards signals, relays a pty, waits, records the exit status,
 *       removes the cgroup directories of the plan
 *   child (inside the new namespaces)
 *     - runs the child operations in order (mount, pivot_root, sethostname,
 *       setrlimit, setgroups/setresgid/setresuid, capabilities, ...)
 *     - closes every descriptor but 0-2 and execve()s the process
 *
 * Plan format: a sequence of NUL-terminated strings. Each operation is
 * NAME, ARGC (decimal), then ARGC arguments. Numbers are decimal unless noted.
 * Usage: dcont-init [--await LAUNCHER-PID] <plan-file>  (--await: wait for the plan file, see await_plan)
 */
#include "stage.h"

int main(int argc, char **argv) {
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (strcmp(base, "docker-init") == 0) return init_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "--device-filter-dump") == 0) return device_filter_dump(argc - 2, argv + 2);
    if (argc == 2 && strcmp(argv[1], "--self-check") == 0) {
        /* prints where the running image comes from and whether it can be written */
        ensure_cloned_binary(argv);
        char buf[PATH_MAX] = {0};
        if (readlink("/proc/self/exe", buf, sizeof buf - 1) < 0) strcpy(buf, "?");
        int fd = open("/proc/self/exe", O_WRONLY);
        printf("exe=%s writable=%s\n", buf, fd >= 0 ? "yes" : strerror(errno));
        return 0;
    }
    int await = argc == 4 && strcmp(argv[1], "--await") == 0;
    if (argc != 2 && !await) {
        fprintf(stderr, "usage: dcont-init [--await LAUNCHER-PID] <plan-file>\n");
        return EXIT_SETUP;
    }
    ensure_cloned_binary(argv);
    if (await) await_plan((pid_t)atoi(argv[2]), argv[3]);
    load_plan(argv[argc - 1]);
    return run_monitor();
}
