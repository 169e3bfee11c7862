/*
 * LD_PRELOAD shim that gives a pod its own "all interfaces". In a cluster every pod has a network namespace of its
 * own, so an app bound to 0.0.0.0 is reached on the pod IP while its 127.0.0.1 stays private. Here every pod shares
 * the host's loopback, so a bind to the wildcard address (IPv4 0.0.0.0, IPv6 ::) is narrowed to GRPCMESH_POD_IP (an
 * address in 127.0.0.0/8 other than 127.0.0.1). Every other bind, 127.0.0.1 included, is left as the app asked: an
 * app that listens on loopback only is not reachable on its pod address, exactly as in a cluster.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    static int (*real_bind)(int, const struct sockaddr *, socklen_t);
    if (!real_bind)
        real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");

    const char *pod_ip = getenv("GRPCMESH_POD_IP");
    if (pod_ip && addr && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        struct sockaddr_in narrowed;
        memcpy(&narrowed, addr, sizeof narrowed);
        if (narrowed.sin_addr.s_addr == htonl(INADDR_ANY) && inet_pton(AF_INET, pod_ip, &narrowed.sin_addr) == 1)
            return real_bind(fd, (const struct sockaddr *)&narrowed, sizeof narrowed);
    }
    if (pod_ip && addr && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 narrowed;
        char mapped[64];
        memcpy(&narrowed, addr, sizeof narrowed);
        snprintf(mapped, sizeof mapped, "::ffff:%s", pod_ip);
        if (IN6_IS_ADDR_UNSPECIFIED(&narrowed.sin6_addr) && inet_pton(AF_INET6, mapped, &narrowed.sin6_addr) == 1)
            return real_bind(fd, (const struct sockaddr *)&narrowed, sizeof narrowed);
    }
    return real_bind(fd, addr, len);
}
