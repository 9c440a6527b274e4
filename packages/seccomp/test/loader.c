/* Test loader: loader FILTER.bpf PROGRAM [ARGS...]
 * Sets no_new_privs, installs the raw struct sock_filter array from FILTER.bpf, then execs PROGRAM.
 * Exit 125 if the filter cannot be read or installed. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s FILTER.bpf PROGRAM [ARGS...]\n", argv[0]);
    return 125;
  }
  FILE *file = fopen(argv[1], "rb");
  if (file == NULL) {
    perror(argv[1]);
    return 125;
  }
  static struct sock_filter filter[4096];
  size_t count = fread(filter, sizeof filter[0], 4096, file);
  fclose(file);
  if (count == 0) {
    fprintf(stderr, "%s: empty filter\n", argv[1]);
    return 125;
  }
  struct sock_fprog prog = {.len = (unsigned short)count, .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    perror("PR_SET_NO_NEW_PRIVS");
    return 125;
  }
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    perror("seccomp(SECCOMP_SET_MODE_FILTER)");
    return 125;
  }
  execv(argv[2], argv + 2);
  perror(argv[2]);
  return 125;
}
