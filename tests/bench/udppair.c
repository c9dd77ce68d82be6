/* tests/bench/udppair.c: the smallest UDP echo pair, the bench's yardstick.
 *
 * Not a workbook program: ./workbook bench compiles it with cc and sets our
 * udpechoserver beside its server half, both driven by its client half.
 *
 *   udppair server PORT            echo every datagram (PORT 0: print the port)
 *   udppair client HOST PORT N     N round trips of one short datagram each
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what) {
    perror(what);
    return 1;
}

int main(int argc, char *argv[]) {
    struct sockaddr_in addr;
    char buf[8192];
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) return fail("socket");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        socklen_t len = sizeof addr;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons((unsigned short)atoi(argv[2]));
        if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("bind");
        getsockname(s, (struct sockaddr *)&addr, &len);
        printf("Listening on port %d.\n", ntohs(addr.sin_port));
        fflush(stdout);
        for (;;) {
            struct sockaddr_in peer;
            socklen_t plen = sizeof peer;
            ssize_t got = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
            if (got < 0) return fail("recvfrom");
            sendto(s, buf, (size_t)got, 0, (struct sockaddr *)&peer, plen);
        }
    }
    if (argc == 5 && strcmp(argv[1], "client") == 0) {
        long n = atol(argv[4]), i;
        inet_pton(AF_INET, argv[2], &addr.sin_addr);
        addr.sin_port = htons((unsigned short)atoi(argv[3]));
        if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) return fail("connect");
        for (i = 0; i < n; i++) {
            if (send(s, "hello", 5, 0) != 5) return fail("send");
            if (recv(s, buf, sizeof buf, 0) != 5) return fail("recv");
        }
        printf("%ld round trips\n", n);
        return 0;
    }
    fprintf(stderr, "usage: udppair server PORT | udppair client HOST PORT N\n");
    return 2;
}
