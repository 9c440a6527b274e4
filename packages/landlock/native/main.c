/*
 * volt-landlock: the first process of a Volt workload. It applies a Landlock policy as asked, decided on the
 * kernel it runs on, then (optionally) a classic-BPF seccomp filter, and executes the command; in a Boot=no
 * container it also gives host0 its leased address and stays as the command's init.
 *
 *   volt-landlock --probe
 *   volt-landlock [--policy FILE | --policy-fd N] [--status-fd N [--status-ack]]
 *                 [--seccomp-bpf FILE | --seccomp-fd N]
 *                 [--address ADDRESS/PREFIX]... [--gateway ADDRESS]... [--resolv-conf FILE]
 *                 [--init] -- COMMAND [ARGS...]
 *
 * --status-fd N: NUL-terminated status records on descriptor N (closed at exec). With --status-ack the
 * helper writes `ready` and waits for one byte on N before it installs the seccomp filter and executes.
 * --address/--gateway: host0's leased addresses and the default routes (network.c). --resolv-conf FILE:
 * bind FILE over /etc/resolv.conf (a read-only root, where systemd-nspawn cannot create the mount point).
 * --init: run the command as a child and stay as its init (init.c).
 *
 * Without a status descriptor, what was enforced, dropped and skipped goes to stderr (the container's
 * journal) and, with --init, to the service manager as STATUS= (systemd-nspawn shows it as the unit's
 * status text, which `volt status` prints).
 *
 * Order: read the inputs; decide the policy for this kernel (a refusal comes before any change); host0;
 * resolv.conf; open the rule paths and build the ruleset; no_new_privs; landlock_restrict_self; report;
 * then (in the command's process) the seccomp filter, last, and execvp.
 * Exit codes of its own: 125 setup failure, 126 command not executable, 127 command not found.
 *
 * Built with -DVOLT_HELPER_TESTING (only for the test suite, never shipped), it also takes
 * --emulate-abi N (decide as if the kernel had ABI N <= its own) and --no-openat2 (open rule paths with
 * the component walk of kernels before 5.6).
 */
#include "helper.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define MAX_BPF_INSNS 4096u
#define MAX_NETWORK_ARGUMENTS 8

#ifdef VOLT_HELPER_TESTING
extern int testing_without_openat2;
#endif

/* The seccomp filter, installed in the command's process right before execvp. */
static struct sock_fprog filter = {0, NULL};

static int parse_fd(const char *text) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || *text == '\0' || *end != '\0' || value < 0 || value > 1 << 20)
    die(EXIT_SETUP, "usage", "not a file descriptor: %s", text);
  return (int)value;
}

__attribute__((noreturn)) static void usage(void) {
  die(EXIT_SETUP, "usage",
      "usage: volt-landlock --probe | [--policy FILE | --policy-fd N] [--status-fd N [--status-ack]] "
      "[--seccomp-bpf FILE | --seccomp-fd N] [--address ADDRESS/PREFIX]... [--gateway ADDRESS]... "
      "[--resolv-conf FILE] [--init] -- COMMAND [ARGS...]");
}

/* The last steps, in the command's process: the seccomp filter (it may forbid what the helper needed), exec. */
static void start_command(char **command) {
  if (filter.filter != NULL) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
      die(EXIT_SETUP, "system", "no_new_privs: %s", strerror(errno));
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter, 0, 0) < 0)
      die(EXIT_SETUP, "bad-seccomp", "installing the seccomp filter: %s", strerror(errno));
  }
  status("exec", NULL, NULL);
  status_flush();
  execvp(command[0], command);
  int error = errno;
  die(error == ENOENT ? 127 : 126, error == ENOENT ? "not-found" : errno_kind(error), "cannot execute %s: %s",
      command[0], strerror(error));
}

static void read_filter(const char *path, int fd) {
  size_t size;
  char *data = path != NULL ? read_file(path, &size, "seccomp filter") : read_all(fd, &size, "seccomp filter");
  if (fd >= 0) close(fd);
  if (size == 0 || size % sizeof(struct sock_filter) != 0 || size / sizeof(struct sock_filter) > MAX_BPF_INSNS)
    die(EXIT_SETUP, "bad-seccomp", "seccomp filter has %zu bytes; accepted: 1..%u instructions of %zu bytes", size,
        MAX_BPF_INSNS, sizeof(struct sock_filter));
  filter.len = (unsigned short)(size / sizeof(struct sock_filter));
  filter.filter = (struct sock_filter *)data;
}

int main(int argc, char **argv) {
  const char *policy_path = NULL, *seccomp_path = NULL, *resolv_conf = NULL;
  int policy_fd = -1, seccomp_fd = -1, probe = 0, status_ack = 0, init = 0, i = 1;
  struct address addresses[MAX_NETWORK_ARGUMENTS], gateways[MAX_NETWORK_ARGUMENTS];
  size_t address_count = 0, gateway_count = 0;
#ifdef VOLT_HELPER_TESTING
  int emulated_abi = -1;
#endif
  for (; i < argc; i++) {
    const char *arg = argv[i];
    int has_value = i + 1 < argc;
    if (strcmp(arg, "--") == 0) {
      i++;
      break;
    } else if (strcmp(arg, "--probe") == 0) {
      probe = 1;
    } else if (strcmp(arg, "--policy") == 0 && has_value) {
      policy_path = argv[++i];
    } else if (strcmp(arg, "--policy-fd") == 0 && has_value) {
      policy_fd = parse_fd(argv[++i]);
    } else if (strcmp(arg, "--status-fd") == 0 && has_value) {
      int fd = parse_fd(argv[++i]);
      if (fd < 3) die(EXIT_SETUP, "usage", "--status-fd must be 3 or higher (0, 1 and 2 belong to the command)");
      if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) die(EXIT_SETUP, "usage", "--status-fd %s is not open", argv[i]);
      report_use_status_fd(fd);
    } else if (strcmp(arg, "--status-ack") == 0) {
      status_ack = 1;
    } else if (strcmp(arg, "--seccomp-bpf") == 0 && has_value) {
      seccomp_path = argv[++i];
    } else if (strcmp(arg, "--seccomp-fd") == 0 && has_value) {
      seccomp_fd = parse_fd(argv[++i]);
    } else if (strcmp(arg, "--address") == 0 && has_value && address_count < MAX_NETWORK_ARGUMENTS) {
      parse_address(argv[++i], 1, &addresses[address_count++]);
    } else if (strcmp(arg, "--gateway") == 0 && has_value && gateway_count < MAX_NETWORK_ARGUMENTS) {
      parse_address(argv[++i], 0, &gateways[gateway_count++]);
    } else if (strcmp(arg, "--resolv-conf") == 0 && has_value && argv[i + 1][0] == '/') {
      resolv_conf = argv[++i];
    } else if (strcmp(arg, "--init") == 0) {
      init = 1;
#ifdef VOLT_HELPER_TESTING
    } else if (strcmp(arg, "--emulate-abi") == 0 && has_value) {
      emulated_abi = parse_fd(argv[++i]);
    } else if (strcmp(arg, "--no-openat2") == 0) {
      testing_without_openat2 = 1;
#endif
    } else {
      usage();
    }
  }

  struct kernel kernel;
  probe_kernel(&kernel);
  if (probe) {
    printf("abi %d\nerrata %d\n", kernel.real_abi, kernel.errata);
    return 0;
  }
#ifdef VOLT_HELPER_TESTING
  if (emulated_abi > kernel.real_abi)
    die(EXIT_SETUP, "usage", "--emulate-abi %d: the kernel has ABI %d; only a lower ABI can be emulated",
        emulated_abi, kernel.real_abi);
  if (emulated_abi >= 0) kernel.abi = emulated_abi;
#endif
  if (i >= argc || (policy_path != NULL && policy_fd >= 0) || (seccomp_path != NULL && seccomp_fd >= 0) ||
      (status_ack && !report_has_status_fd()) || (status_ack && init) || (gateway_count > 0 && address_count == 0))
    usage();
  char **command = argv + i;

  struct policy policy;
  int has_policy = policy_path != NULL || policy_fd >= 0;
  if (has_policy) {
    size_t size;
    char *data = policy_path != NULL ? read_file(policy_path, &size, "policy") : read_all(policy_fd, &size, "policy");
    if (policy_fd >= 0) close(policy_fd);
    parse_policy(data, size, &policy);
  }
  if (seccomp_path != NULL || seccomp_fd >= 0) read_filter(seccomp_path, seccomp_fd);

  status_number("abi", (uint64_t)kernel.abi);
  status_number("errata", (uint64_t)kernel.errata);
  struct resolution resolution = {.ruleset = -1};
  if (has_policy) resolve_policy(&policy, &kernel, &resolution);

  struct text container = {0};
  if (address_count > 0) configure_host0(addresses, address_count, gateways, gateway_count, &container);
  if (resolv_conf != NULL) bind_resolv_conf(resolv_conf, &container);
  if (container.used > 0) {
    status("container", text_get(&container), NULL);
    if (!report_has_status_fd()) say("%s", text_get(&container));
  }

  if (has_policy) {
    build_ruleset(&policy, &kernel, &resolution);
    restrict_self(&resolution);
  }
  if (filter.filter != NULL) status_number("seccomp", filter.len);
  if (init) {
    struct text line = {0};
    text_add(&line, "%s", text_get(&resolution.summary));
    if (container.used > 0) text_add(&line, "%s%s", line.used == 0 ? "" : " | ", text_get(&container));
    if (line.used > 0) notify_status(text_get(&line));
  }
  if (status_ack) {
    /* Wait until the caller has taken the status (e.g. printed it), so that nothing the command prints
     * comes before it. From here on, errors go to stderr: the status is already taken. */
    status("ready", NULL, NULL);
    status_wait_for_ack();
  }
  if (init) {
    status_close();
    run_as_init(command, start_command);
  }
  start_command(command);
  return EXIT_SETUP;
}
