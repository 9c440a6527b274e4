/*
 * volt-landlock: apply a Landlock policy (and optionally a classic-BPF seccomp filter) to itself, then
 * execute a command. Built statically so that it runs inside any container rootfs.
 *
 *   volt-landlock --probe
 *   volt-landlock (--policy FILE | --policy-fd N) [--status-fd N [--status-ack]]
 *                 [--seccomp-bpf FILE | --seccomp-fd N] -- COMMAND [ARGS...]
 *
 * --status-fd N: NUL-terminated status records on descriptor N (closed at exec). With --status-ack the
 * helper writes `ready` and waits for one byte on N before it installs the seccomp filter and executes.
 *
 * The policy format (NUL-terminated tokens, fixed order) is written by @volt/landlock's
 * serializeHelperPolicy(). Compatibility is resolved there; this program enforces exactly what it is given
 * and refuses to run on a kernel older than the policy's `abi`, so it never enforces less than it reports.
 *
 * Order of effects: read policy and seccomp filter, open every path (O_PATH), build the ruleset,
 * no_new_privs, landlock_restrict_self, seccomp filter (last), execvp.
 * Exit codes of its own: 125 policy/setup failure, 126 command not executable, 127 command not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define CREATE_RULESET_VERSION 1U
#define CREATE_RULESET_ERRATA 2U
#define RULE_PATH_BENEATH 1
#define RULE_NET_PORT 2
#define MAX_INPUT (16u << 20)
#define MAX_BPF_INSNS 4096u

struct ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

struct net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};

static int status_fd = -1;
static char status_buffer[16384];
static size_t status_used;

/* Sends the buffered status records in one go (the reader then sees them in one event, not dozens). */
static void status_flush(void) {
  size_t done = 0;
  while (status_fd >= 0 && done < status_used) {
    /* send(MSG_NOSIGNAL): a reader that went away must not kill the helper with SIGPIPE. */
    ssize_t n = send(status_fd, status_buffer + done, status_used - done, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = write(status_fd, status_buffer + done, status_used - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += (size_t)n;
  }
  status_used = 0;
}

/* Adds one status record (NUL-terminated tokens) to the buffer; without a status descriptor, what weakens
 * or skips the policy goes to stderr, so that it is never silent. */
static void status(const char *a, const char *b, const char *c) {
  if (status_fd < 0) {
    if (strcmp(a, "unenforced") == 0) dprintf(2, "volt-landlock: warning: %s\n", b);
    if (strcmp(a, "missing") == 0) dprintf(2, "volt-landlock: note: optional path %s does not exist\n", b);
    if (strcmp(a, "masked") == 0)
      dprintf(2, "volt-landlock: note: %s is not a directory; directory-only rights masked (%s)\n", c, b);
    return;
  }
  const char *parts[3] = {a, b, c};
  for (int i = 0; i < 3 && parts[i] != NULL; i++) {
    size_t len = strlen(parts[i]) + 1;
    if (status_used + len > sizeof status_buffer) status_flush();
    if (len > sizeof status_buffer) {
      status_flush();
      for (size_t done = 0; done < len;) {
        ssize_t n = send(status_fd, parts[i] + done, len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) n = write(status_fd, parts[i] + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += (size_t)n;
      }
      continue;
    }
    memcpy(status_buffer + status_used, parts[i], len);
    status_used += len;
  }
}

static void status_number(const char *kind, uint64_t value) {
  char text[24];
  snprintf(text, sizeof text, "%llu", (unsigned long long)value);
  status(kind, text, NULL);
}

/* Reports an error on stderr and the status descriptor, then exits with `code`. */
__attribute__((noreturn, format(printf, 3, 4))) static void die(int code, const char *kind, const char *format, ...) {
  char message[4400];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  /* With a status descriptor the caller reports the error; otherwise stderr is the only channel. */
  if (status_fd >= 0) {
    status("error", kind, message);
    status_flush();
  } else
    dprintf(2, "volt-landlock: %s\n", message);
  _exit(code);
}

static const char *errno_kind(int error) {
  if (error == ENOENT) return "not-found";
  if (error == EACCES || error == EPERM) return "permission-denied";
  return "system";
}

static char *read_all(int fd, size_t *size, const char *what) {
  size_t capacity = 4096, used = 0;
  char *buffer = malloc(capacity);
  if (buffer == NULL) die(125, "system", "out of memory reading %s", what);
  for (;;) {
    if (used == capacity) {
      if (capacity >= MAX_INPUT) die(125, "usage", "%s is larger than %u bytes", what, MAX_INPUT);
      capacity *= 2;
      buffer = realloc(buffer, capacity);
      if (buffer == NULL) die(125, "system", "out of memory reading %s", what);
    }
    ssize_t n = read(fd, buffer + used, capacity - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die(125, errno_kind(errno), "cannot read %s: %s", what, strerror(errno));
    if (n == 0) break;
    used += (size_t)n;
  }
  *size = used;
  return buffer;
}

static char *read_file(const char *path, size_t *size, const char *what) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(125, errno_kind(errno), "cannot open %s %s: %s", what, path, strerror(errno));
  char *data = read_all(fd, size, what);
  close(fd);
  return data;
}

static int parse_fd(const char *text) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || *text == '\0' || *end != '\0' || value < 0 || value > 1 << 20)
    die(125, "usage", "not a file descriptor: %s", text);
  return (int)value;
}

/* ── the policy tokens ─────────────────────────────────────────────────────────────────────────── */

struct tokens {
  const char *next;
  const char *end;
};

static const char *token(struct tokens *t) {
  if (t->next >= t->end) die(125, "bad-policy", "policy ends early (no 'end' token)");
  const char *start = t->next;
  const char *nul = memchr(start, '\0', (size_t)(t->end - start));
  if (nul == NULL) die(125, "bad-policy", "policy token is not NUL-terminated");
  t->next = nul + 1;
  return start;
}

static uint64_t number(struct tokens *t, uint64_t max) {
  const char *text = token(t);
  uint64_t value = 0;
  if (*text == '\0') die(125, "bad-policy", "empty number in policy");
  for (const char *c = text; *c != '\0'; c++) {
    if (*c < '0' || *c > '9' || value > (UINT64_MAX - 9) / 10)
      die(125, "bad-policy", "not a number in policy: %.40s", text);
    value = value * 10 + (uint64_t)(*c - '0');
  }
  if (value > max) die(125, "bad-policy", "number out of range in policy: %s", text);
  return value;
}

static void expect(struct tokens *t, const char *key) {
  const char *got = token(t);
  if (strcmp(got, key) != 0) die(125, "bad-policy", "expected '%s' in policy, found '%.40s'", key, got);
}

static int choice(struct tokens *t, const char *key, const char *yes, const char *no) {
  expect(t, key);
  const char *got = token(t);
  if (strcmp(got, yes) == 0) return 1;
  if (strcmp(got, no) == 0) return 0;
  die(125, "bad-policy", "'%s' must be '%s' or '%s', found '%.40s'", key, yes, no, got);
}

/* ── main ──────────────────────────────────────────────────────────────────────────────────────── */

/* The kernel's ABI, or 0 with `why` set when Landlock is missing, disabled, or blocked by a seccomp filter
 * (systemd-nspawn before v257 answers EPERM). */
static int landlock_abi(int *errata, const char **why) {
  long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, CREATE_RULESET_VERSION);
  if (abi < 0) {
    int error = errno;
    if (error == ENOSYS || error == EOPNOTSUPP || error == EPERM) {
      *why = error == ENOSYS ? "the kernel has no Landlock (ENOSYS)"
             : error == EOPNOTSUPP ? "Landlock is disabled at boot (EOPNOTSUPP)"
                                   : "a seccomp filter blocks the Landlock system calls (EPERM)";
      return 0;
    }
    die(125, "system", "landlock_create_ruleset(VERSION): %s", strerror(error));
  }
  long value = syscall(__NR_landlock_create_ruleset, NULL, 0, CREATE_RULESET_ERRATA);
  *errata = value < 0 ? 0 : (int)value;
  return (int)abi;
}

static void usage(void) {
  die(125, "usage",
      "usage: volt-landlock --probe | (--policy FILE | --policy-fd N) [--status-fd N [--status-ack]] "
      "[--seccomp-bpf FILE | --seccomp-fd N] -- COMMAND [ARGS...]");
}

int main(int argc, char **argv) {
  const char *policy_path = NULL, *seccomp_path = NULL;
  int policy_fd = -1, seccomp_fd = -1, probe = 0, status_ack = 0, i = 1;
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
      status_fd = parse_fd(argv[++i]);
      if (status_fd < 3) {
        status_fd = -1;
        die(125, "usage", "--status-fd must be 3 or higher (0, 1 and 2 belong to the command)");
      }
      if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) < 0) {
        status_fd = -1;
        die(125, "usage", "--status-fd %s is not open", argv[i]);
      }
    } else if (strcmp(arg, "--status-ack") == 0) {
      status_ack = 1;
    } else if (strcmp(arg, "--seccomp-bpf") == 0 && has_value) {
      seccomp_path = argv[++i];
    } else if (strcmp(arg, "--seccomp-fd") == 0 && has_value) {
      seccomp_fd = parse_fd(argv[++i]);
    } else {
      usage();
    }
  }

  int errata = 0;
  const char *unavailable = "";
  int abi = landlock_abi(&errata, &unavailable);
  if (probe) {
    printf("abi %d\nerrata %d\n", abi, errata);
    return 0;
  }
  if (i >= argc || (policy_path == NULL) == (policy_fd < 0) || (seccomp_path != NULL && seccomp_fd >= 0) ||
      (status_ack && status_fd < 0))
    usage();
  char **command = argv + i;

  size_t policy_size;
  char *policy = policy_path != NULL ? read_file(policy_path, &policy_size, "policy")
                                     : read_all(policy_fd, &policy_size, "policy");
  if (policy_fd >= 0) close(policy_fd);

  struct sock_fprog filter = {0, NULL};
  if (seccomp_path != NULL || seccomp_fd >= 0) {
    size_t size;
    char *data = seccomp_path != NULL ? read_file(seccomp_path, &size, "seccomp filter")
                                      : read_all(seccomp_fd, &size, "seccomp filter");
    if (seccomp_fd >= 0) close(seccomp_fd);
    if (size == 0 || size % sizeof(struct sock_filter) != 0 || size / sizeof(struct sock_filter) > MAX_BPF_INSNS)
      die(125, "bad-seccomp", "seccomp filter has %zu bytes; accepted: 1..%u instructions of %zu bytes", size,
          MAX_BPF_INSNS, sizeof(struct sock_filter));
    filter.len = (unsigned short)(size / sizeof(struct sock_filter));
    filter.filter = (struct sock_filter *)data;
  }

  status_number("abi", (uint64_t)abi);
  status_number("errata", (uint64_t)errata);

  struct tokens t = {policy, policy + policy_size};
  expect(&t, "volt-landlock-policy");
  expect(&t, "1");
  expect(&t, "abi");
  int required_abi = (int)number(&t, 1000);
  expect(&t, "fs");
  struct ruleset_attr attr = {0, 0, 0};
  attr.handled_access_fs = number(&t, UINT64_MAX);
  expect(&t, "net");
  attr.handled_access_net = number(&t, UINT64_MAX);
  expect(&t, "scoped");
  attr.scoped = number(&t, UINT64_MAX);
  expect(&t, "restrict-flags");
  uint32_t restrict_flags = (uint32_t)number(&t, UINT32_MAX);
  int mask_file_rights = choice(&t, "file-rights", "mask", "error");
  expect(&t, "file-rights-mask");
  uint64_t file_rights = number(&t, UINT64_MAX);
  int run_unavailable = choice(&t, "unavailable", "run", "fail");

  int handles = attr.handled_access_fs != 0 || attr.handled_access_net != 0 || attr.scoped != 0;
  int ruleset = -1;
  if (handles && abi == 0) {
    if (!run_unavailable) die(125, "unsupported", "Landlock is not available: %s", unavailable);
    char reason[160];
    snprintf(reason, sizeof reason, "Landlock is not available: %s; running unconfined (best-effort)", unavailable);
    status("unenforced", reason, NULL);
  } else if (handles && abi < required_abi) {
    die(125, "unsupported", "the policy needs Landlock ABI %d but the kernel has ABI %d; resolve it again", required_abi,
        abi);
  } else if (handles) {
    size_t size = abi >= 6 ? sizeof attr : abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
    ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0U);
    if (ruleset < 0) die(125, "system", "landlock_create_ruleset: %s", strerror(errno));
  } else {
    status("unenforced", "the policy handles nothing", NULL);
  }

  for (;;) {
    const char *kind = token(&t);
    if (strcmp(kind, "end") == 0) break;
    if (strcmp(kind, "path") == 0) {
      uint64_t access = number(&t, UINT64_MAX);
      int optional = (int)number(&t, 1);
      const char *path = token(&t);
      if (ruleset < 0) continue;
      int fd = open(path, O_PATH | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT && optional) {
        status("missing", path, NULL);
        continue;
      }
      if (fd < 0 && errno == ENOENT) die(125, "missing-path", "%s does not exist", path);
      if (fd < 0) die(125, errno_kind(errno), "cannot open %s: %s", path, strerror(errno));
      struct stat st;
      if (fstat(fd, &st) < 0) die(125, "system", "cannot stat %s: %s", path, strerror(errno));
      if (!S_ISDIR(st.st_mode) && (access & ~file_rights) != 0) {
        if (!mask_file_rights)
          die(125, "not-a-directory",
              "%s is not a directory, but its rule grants directory-only rights (mask %llu); grant only file rights",
              path, (unsigned long long)(access & ~file_rights));
        char masked[24];
        snprintf(masked, sizeof masked, "%llu", (unsigned long long)(access & ~file_rights));
        status("masked", masked, path);
        access &= file_rights;
      }
      struct path_beneath_attr rule = {access, fd};
      if (access != 0 && syscall(__NR_landlock_add_rule, ruleset, RULE_PATH_BENEATH, &rule, 0U) < 0)
        die(125, "system", "landlock_add_rule(%s): %s", path, strerror(errno));
      close(fd);
    } else if (strcmp(kind, "port") == 0) {
      struct net_port_attr rule;
      rule.allowed_access = number(&t, UINT64_MAX);
      rule.port = number(&t, 65535);
      if (ruleset >= 0 && syscall(__NR_landlock_add_rule, ruleset, RULE_NET_PORT, &rule, 0U) < 0)
        die(125, "system", "landlock_add_rule(port %llu): %s", (unsigned long long)rule.port, strerror(errno));
    } else {
      die(125, "bad-policy", "unknown policy record '%.40s'", kind);
    }
  }
  if (t.next != t.end) die(125, "bad-policy", "data after the 'end' token");
  free(policy);

  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die(125, "system", "no_new_privs: %s", strerror(errno));
  if (ruleset >= 0) {
    if (syscall(__NR_landlock_restrict_self, ruleset, restrict_flags) < 0)
      die(125, "system", "landlock_restrict_self: %s", strerror(errno));
    close(ruleset);
    status("enforced", NULL, NULL);
  }
  if (filter.filter != NULL) status_number("seccomp", filter.len);
  if (status_ack) {
    /* Wait until the caller has taken the status (e.g. printed it), so that nothing the command prints
     * comes before it. From here on, errors go to stderr: the status is already taken. */
    status("ready", NULL, NULL);
    status_flush();
    char ack;
    while (read(status_fd, &ack, 1) < 0 && errno == EINTR) {
    }
    close(status_fd);
    status_fd = -1;
  }
  /* Last step before execve: the filter may forbid anything the helper itself still needed. */
  if (filter.filter != NULL && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter, 0, 0) < 0)
    die(125, "bad-seccomp", "installing the seccomp filter: %s", strerror(errno));

  status_flush();
  execvp(command[0], command);
  int error = errno;
  die(error == ENOENT ? 127 : 126, error == ENOENT ? "not-found" : errno_kind(error), "cannot execute %s: %s",
      command[0], strerror(error));
}
