/*
 * PID 1 duties for a Boot=no container (--init): the command runs as a child of the helper, which
 *
 * - forwards every signal it can wait for to the command (SIGTERM from `machinectl stop`, through
 *   systemd-nspawn's KillSignal=SIGTERM; SIGRTMIN+3/+4/+13/+14, the halt and poweroff requests of
 *   `machinectl poweroff`, become SIGTERM: the command is asked to stop, whatever its signal handling);
 * - reaps every child, the command's and orphans re-parented to it;
 * - exits with the command's exit code, or 128 + N when signal N ended it (as a shell reports it), so
 *   the container's exit status is the command's.
 *
 * The signals are blocked and taken with sigwaitinfo(), as tini does: a blocked signal is never discarded,
 * also not for a PID 1 without handlers. Outside a PID namespace the helper makes itself the children's
 * subreaper, so that the same duties hold there.
 */
#include "helper.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals that belong to the helper itself (faults) or to terminal job control: never waited for. */
static const int OWN_SIGNALS[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU};

static int stop_request(int signal_number) {
  return signal_number == SIGRTMIN + 3 || signal_number == SIGRTMIN + 4 || signal_number == SIGRTMIN + 13 ||
         signal_number == SIGRTMIN + 14;
}

void run_as_init(char **command, void (*start)(char **command)) {
  sigset_t waited, original;
  sigfillset(&waited);
  for (size_t i = 0; i < sizeof OWN_SIGNALS / sizeof OWN_SIGNALS[0]; i++) sigdelset(&waited, OWN_SIGNALS[i]);
  if (sigprocmask(SIG_BLOCK, &waited, &original) < 0)
    die(EXIT_SETUP, "system", "cannot block signals: %s", strerror(errno));
  if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
    die(EXIT_SETUP, "system", "cannot become the children's subreaper: %s", strerror(errno));

  pid_t child = fork();
  if (child < 0) die(EXIT_SETUP, "system", "cannot start the command: fork: %s", strerror(errno));
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &original, NULL);
    start(command);
    _exit(EXIT_SETUP); /* start() executes the command or exits */
  }

  for (;;) {
    siginfo_t info;
    int signal_number = sigwaitinfo(&waited, &info);
    if (signal_number < 0) {
      if (errno == EINTR) continue;
      die(EXIT_SETUP, "system", "waiting for signals: %s", strerror(errno));
    }
    if (signal_number != SIGCHLD) {
      (void)kill(child, stop_request(signal_number) ? SIGTERM : signal_number);
      continue;
    }
    for (;;) {
      int wait_status;
      pid_t reaped = waitpid(-1, &wait_status, WNOHANG);
      if (reaped <= 0) break;
      if (reaped != child) continue;
      /* The command is gone: the container ends with it (the kernel ends what is left of the namespace). */
      _exit(WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status));
    }
  }
}
