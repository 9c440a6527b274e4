/* Status records, stderr, sd_notify and fatal errors. */
#include "helper.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The helper runs once per process and has one status channel: this state lives for the whole run. */
static int status_fd = -1;
static char status_buffer[16384];
static size_t status_used;

void report_use_status_fd(int fd) { status_fd = fd; }

int report_has_status_fd(void) { return status_fd >= 0; }

static ssize_t send_some(const char *data, size_t size) {
  /* send(MSG_NOSIGNAL): a reader that went away must not kill the helper with SIGPIPE. */
  ssize_t n = send(status_fd, data, size, MSG_NOSIGNAL);
  if (n < 0 && errno == ENOTSOCK) n = write(status_fd, data, size);
  return n;
}

static void send_all(const char *data, size_t size) {
  for (size_t done = 0; status_fd >= 0 && done < size;) {
    ssize_t n = send_some(data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += (size_t)n;
  }
}

/* Sends the buffered records in one go (the reader then sees them in one event, not dozens). */
void status_flush(void) {
  send_all(status_buffer, status_used);
  status_used = 0;
}

void status_close(void) {
  if (status_fd < 0) return;
  status_flush();
  close(status_fd);
  status_fd = -1;
}

void status_wait_for_ack(void) {
  if (status_fd < 0) return;
  status_flush();
  char ack;
  while (read(status_fd, &ack, 1) < 0 && errno == EINTR) {
  }
  close(status_fd);
  status_fd = -1;
}

void status(const char *a, const char *b, const char *c) {
  if (status_fd < 0) return;
  const char *parts[3] = {a, b, c};
  for (int i = 0; i < 3 && parts[i] != NULL; i++) {
    size_t len = strlen(parts[i]) + 1;
    if (status_used + len > sizeof status_buffer) status_flush();
    if (len > sizeof status_buffer) {
      send_all(parts[i], len);
      continue;
    }
    memcpy(status_buffer + status_used, parts[i], len);
    status_used += len;
  }
}

void status_number(const char *kind, uint64_t value) {
  char text[24];
  snprintf(text, sizeof text, "%llu", (unsigned long long)value);
  status(kind, text, NULL);
}

void say(const char *format, ...) {
  struct text line = {0};
  va_list args;
  va_start(args, format);
  char *message = NULL;
  if (vasprintf(&message, format, args) < 0) message = NULL;
  va_end(args);
  text_add(&line, "volt-landlock: %s\n", message == NULL ? "(out of memory)" : message);
  free(message);
  for (size_t done = 0; done < line.used;) {
    ssize_t n = write(2, line.data + done, line.used - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += (size_t)n;
  }
  free(line.data);
}

void notify_status(const char *text) {
  const char *path = getenv("NOTIFY_SOCKET");
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (path == NULL || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof address.sun_path) return;
  size_t path_length = strlen(path);
  memcpy(address.sun_path, path, path_length);
  if (address.sun_path[0] == '@') address.sun_path[0] = '\0';
  /* systemd-nspawn reads at most 4 KiB per message; keep well below it. */
  char message[3072];
  int length = snprintf(message, sizeof message, "STATUS=%s", text);
  if (length < 0) return;
  if ((size_t)length >= sizeof message) memcpy(message + sizeof message - 4, "...", 4);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *)&address,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length));
  close(fd);
}

void die(int code, const char *kind, const char *format, ...) {
  va_list args;
  va_start(args, format);
  char *message = NULL;
  if (vasprintf(&message, format, args) < 0) message = NULL;
  va_end(args);
  const char *text = message == NULL ? "(out of memory)" : message;
  /* With a status descriptor the caller reports the error; otherwise stderr is the only channel. */
  if (status_fd >= 0) {
    status("error", kind, text);
    status_flush();
  } else
    say("%s", text);
  _exit(code);
}

const char *errno_kind(int error) {
  if (error == ENOENT) return "not-found";
  if (error == EACCES || error == EPERM) return "permission-denied";
  return "system";
}

void text_add(struct text *text, const char *format, ...) {
  va_list args;
  va_start(args, format);
  char *piece = NULL;
  int length = vasprintf(&piece, format, args);
  va_end(args);
  if (length < 0) _exit(EXIT_SETUP);
  if (text->used + (size_t)length + 1 > text->capacity) {
    size_t capacity = text->capacity == 0 ? 256 : text->capacity;
    while (capacity < text->used + (size_t)length + 1) capacity *= 2;
    char *grown = realloc(text->data, capacity);
    if (grown == NULL) _exit(EXIT_SETUP);
    text->data = grown;
    text->capacity = capacity;
  }
  memcpy(text->data + text->used, piece, (size_t)length + 1);
  text->used += (size_t)length;
  free(piece);
}

const char *text_get(const struct text *text) { return text->data == NULL ? "" : text->data; }
