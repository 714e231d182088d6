/* Calls the statsd-only program with a network stack that drops the datagrams. */
#include <stddef.h>
size_t firmware_tick(void (*send)(const unsigned char *, size_t));
static void send(const unsigned char *p, size_t n) { (void)p; (void)n; }
int main(void) { return (int)firmware_tick(send); }
