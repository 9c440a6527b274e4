/* Exports libseccomp's BPF for an allowlist: libseccomp-export ARCH OPTIMIZE ERRNO < names > filter.bpf
 * Every name on stdin (one per line) is allowed; everything else returns ERRNO; a foreign
 * architecture kills the process. The raw struct sock_filter array goes to stdout. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s ARCH OPTIMIZE ERRNO < names\n", argv[0]);
    return 2;
  }
  uint32_t arch = seccomp_arch_resolve_name(argv[1]);
  if (arch == 0) {
    fprintf(stderr, "unknown arch %s\n", argv[1]);
    return 2;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(atoi(argv[3])));
  if (ctx == NULL) return 1;
  if (arch != seccomp_arch_native()) {
    if (seccomp_arch_add(ctx, arch) != 0 || seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE) != 0) return 1;
  }
  if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0) return 1;
  if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, atoi(argv[2])) != 0) return 1;
  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    line[strcspn(line, "\n")] = 0;
    if (line[0] == 0) continue;
    /* libseccomp takes native numbers (or its pseudo numbers) and translates them per filter arch */
    if (seccomp_syscall_resolve_name_arch(arch, line) < 0) continue; /* not on this architecture */
    int nr = seccomp_syscall_resolve_name(line);
    if (nr == __NR_SCMP_ERROR) {
      fprintf(stderr, "unknown syscall %s\n", line);
      return 1;
    }
    int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    if (rc != 0) {
      fprintf(stderr, "rule %s (%d): %s\n", line, nr, strerror(-rc));
      return 1;
    }
  }
  int rc = seccomp_export_bpf(ctx, STDOUT_FILENO);
  seccomp_release(ctx);
  return rc == 0 ? 0 : 1;
}
