/* Calls the registration-only program: 10 metrics registered and updated in a static region
   that another process or a debugger reads (.ci/code-size/statsd-only, firmware_update). */
#include <stddef.h>
size_t firmware_update(void);
int main(void) { return (int)firmware_update(); }
