/*
 * A Boot=no container's network, set up before its command starts: lo and host0 up, the leased addresses
 * on host0, a default route through each gateway (rtnetlink, as `ip` does it). systemd-nspawn adds the DNAT
 * rule of a port forward once host0 has an address, so a forward works as soon as the command listens.
 * And, on a read-only root, Volt's resolv.conf bound over the image's /etc/resolv.conf.
 */
#include "helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define INTERFACE "host0"

struct request {
  struct nlmsghdr header;
  union {
    struct ifinfomsg link;
    struct ifaddrmsg address;
    struct rtmsg route;
  } body;
  char attributes[128];
};

void parse_address(const char *text, int with_prefix, struct address *address) {
  char host[64];
  const char *slash = strchr(text, '/');
  size_t length = slash == NULL ? strlen(text) : (size_t)(slash - text);
  if (length == 0 || length >= sizeof host || (slash == NULL) == with_prefix)
    die(EXIT_SETUP, "usage", "not an address%s: %.80s", with_prefix ? " with a prefix length (ADDRESS/N)" : "",
        text);
  memcpy(host, text, length);
  host[length] = '\0';
  address->family = strchr(host, ':') == NULL ? AF_INET : AF_INET6;
  address->text = text;
  if (inet_pton(address->family, host, address->bytes) != 1) die(EXIT_SETUP, "usage", "not an address: %.80s", text);
  address->prefix = -1;
  if (!with_prefix) return;
  int max = address->family == AF_INET ? 32 : 128, prefix = 0;
  const char *digits = slash + 1;
  if (*digits == '\0' || strlen(digits) > 3) die(EXIT_SETUP, "usage", "not a prefix length: %.80s", text);
  for (const char *c = digits; *c != '\0'; c++) {
    if (*c < '0' || *c > '9') die(EXIT_SETUP, "usage", "not a prefix length: %.80s", text);
    prefix = prefix * 10 + (*c - '0');
  }
  if (prefix > max) die(EXIT_SETUP, "usage", "prefix length above %d: %.80s", max, text);
  address->prefix = prefix;
}

static size_t address_size(int family) { return family == AF_INET ? 4 : 16; }

static void add_attribute(struct request *request, unsigned short type, const void *data, size_t size) {
  struct rtattr *attribute = (struct rtattr *)((char *)request + NLMSG_ALIGN(request->header.nlmsg_len));
  attribute->rta_type = type;
  attribute->rta_len = (unsigned short)RTA_LENGTH(size);
  memcpy(RTA_DATA(attribute), data, size);
  request->header.nlmsg_len = NLMSG_ALIGN(request->header.nlmsg_len) + RTA_ALIGN(attribute->rta_len);
}

/* Sends one request and waits for its acknowledgement: 0, or the kernel's errno. */
static int talk(int fd, struct request *request) {
  static unsigned int sequence;
  request->header.nlmsg_seq = ++sequence;
  request->header.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(fd, request, request->header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return errno;
  for (;;) {
    char buffer[8192];
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    for (struct nlmsghdr *reply = (struct nlmsghdr *)buffer; NLMSG_OK(reply, (size_t)n);
         reply = NLMSG_NEXT(reply, n)) {
      if (reply->nlmsg_seq != sequence || reply->nlmsg_type != NLMSG_ERROR) continue;
      const struct nlmsgerr *error = NLMSG_DATA(reply);
      return -error->error;
    }
  }
}

/* A request of `type` whose body is `body_size` bytes, attributes to follow. */
static struct request new_request(unsigned short type, unsigned short flags, size_t body_size) {
  struct request request = {0};
  request.header.nlmsg_len = (unsigned int)NLMSG_LENGTH(body_size);
  request.header.nlmsg_type = type;
  request.header.nlmsg_flags = flags;
  return request;
}

static void link_up(int fd, unsigned int index, const char *name) {
  struct request request = new_request(RTM_NEWLINK, 0, sizeof request.body.link);
  request.body.link.ifi_family = AF_UNSPEC;
  request.body.link.ifi_index = (int)index;
  request.body.link.ifi_flags = IFF_UP;
  request.body.link.ifi_change = IFF_UP;
  int error = talk(fd, &request);
  if (error != 0) die(EXIT_SETUP, "network", "cannot bring %s up: %s", name, strerror(error));
}

static void add_address(int fd, unsigned int index, const struct address *address) {
  struct request request = new_request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, sizeof request.body.address);
  request.body.address.ifa_family = (unsigned char)address->family;
  request.body.address.ifa_prefixlen = (unsigned char)address->prefix;
  /* no duplicate address detection: the address is leased, and usable at once */
  request.body.address.ifa_flags = address->family == AF_INET6 ? IFA_F_NODAD : 0;
  request.body.address.ifa_scope = RT_SCOPE_UNIVERSE;
  request.body.address.ifa_index = index;
  add_attribute(&request, IFA_LOCAL, address->bytes, address_size(address->family));
  add_attribute(&request, IFA_ADDRESS, address->bytes, address_size(address->family));
  int error = talk(fd, &request);
  if (error != 0) die(EXIT_SETUP, "network", "cannot add %s to " INTERFACE ": %s", address->text, strerror(error));
}

static void add_default_route(int fd, unsigned int index, const struct address *gateway) {
  struct request request = new_request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, sizeof request.body.route);
  request.body.route.rtm_family = (unsigned char)gateway->family;
  request.body.route.rtm_table = RT_TABLE_MAIN;
  request.body.route.rtm_protocol = RTPROT_STATIC;
  request.body.route.rtm_scope = RT_SCOPE_UNIVERSE;
  request.body.route.rtm_type = RTN_UNICAST;
  add_attribute(&request, RTA_GATEWAY, gateway->bytes, address_size(gateway->family));
  add_attribute(&request, RTA_OIF, &index, sizeof index);
  int error = talk(fd, &request);
  if (error != 0)
    die(EXIT_SETUP, "network", "cannot add the default route via %s on " INTERFACE ": %s", gateway->text,
        strerror(error));
}

void configure_host0(const struct address *addresses, size_t address_count, const struct address *gateways,
                     size_t gateway_count, struct text *summary) {
  unsigned int index = if_nametoindex(INTERFACE);
  if (index == 0)
    die(EXIT_SETUP, "network", "the container has no " INTERFACE
                               " interface; its leased address needs private networking on a bridge");
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die(EXIT_SETUP, "network", "cannot open a netlink socket: %s", strerror(errno));
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0)
    die(EXIT_SETUP, "network", "cannot bind the netlink socket: %s", strerror(errno));
  unsigned int loopback = if_nametoindex("lo");
  if (loopback != 0) link_up(fd, loopback, "lo");
  link_up(fd, index, INTERFACE);
  text_add(summary, "%snetwork: " INTERFACE, summary->used == 0 ? "" : " | ");
  for (size_t i = 0; i < address_count; i++) {
    add_address(fd, index, &addresses[i]);
    text_add(summary, " %s", addresses[i].text);
  }
  for (size_t i = 0; i < gateway_count; i++) {
    add_default_route(fd, index, &gateways[i]);
    text_add(summary, "%s%s", i == 0 ? " via " : ", ", gateways[i].text);
  }
  close(fd);
}

void bind_resolv_conf(const char *source, struct text *summary) {
  struct stat st;
  const char *separator = summary->used == 0 ? "" : " | ";
  if (lstat("/etc/resolv.conf", &st) < 0) {
    text_add(summary, "%sDNS: not configured: the read-only image has no /etc/resolv.conf (servers in %s)",
             separator, source);
    return;
  }
  /* inside the container's own mount namespace: a symlink is resolved in its tree, as any reader's would be */
  if (mount(source, "/etc/resolv.conf", NULL, MS_BIND, NULL) < 0) {
    text_add(summary, "%sDNS: not configured: cannot bind %s over /etc/resolv.conf (%s)", separator, source,
             strerror(errno));
    return;
  }
  /* read-only like nspawn's own binds; a remount the user namespace refuses leaves the bind as it is */
  (void)mount(NULL, "/etc/resolv.conf", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
  text_add(summary, "%sDNS: %s bound over /etc/resolv.conf", separator, source);
}
