/* docker-init mode. */
#include "stage.h"

/* ---- docker-init mode: a minimal init for --init (as Docker's tini) ----
 * Invoked inside the container as "/sbin/docker-init -- CMD ARGS...": runs CMD as its child,
 * forwards every catchable signal to it, reaps orphans, and exits with CMD's status
 * (128+N when CMD died of signal N). It never touches the plan or the memfd logic. */
static volatile sig_atomic_t init_child = 0;

static void init_forward(int sig) {
    if (init_child > 0) kill(init_child, sig);
}

int init_main(int argc, char **argv) {
    int first = 1;
    if (first < argc && strcmp(argv[first], "--") == 0) first++;
    if (first >= argc) {
        fprintf(stderr, "docker-init: usage: docker-init -- COMMAND [ARG...]\n");
        return EXIT_SETUP;
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t child = fork();
    if (child < 0) {
        perror("docker-init: fork");
        return EXIT_SETUP;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[first], argv + first);
        int e = errno;
        fprintf(stderr, "docker-init: exec %s: %s\n", argv[first], strerror(e));
        _exit(e == ENOENT ? 127 : 126);
    }
    init_child = child;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = init_forward;
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s < NSIG; s++) {
        if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD) continue;
        sigaction(s, &sa, NULL);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p < 0) {
            if (errno == EINTR) continue;
            return EXIT_SETUP;
        }
        if (p == child) {
            /* reap what is left without blocking, then leave with the command's status */
            while (waitpid(-1, NULL, WNOHANG) > 0) { }
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
    }
}
