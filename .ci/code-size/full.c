/* Calls the no-std check program (.ci/no-std-check): every kind, snapshot, parser, JSON and
   OpenMetrics, statsd. */
#include <stddef.h>
size_t mutornadomon_no_std_check(unsigned char *out, size_t len);
int main(void) { static unsigned char buf[16384]; return (int)mutornadomon_no_std_check(buf, sizeof buf); }
