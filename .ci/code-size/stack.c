/* The statsd program's peak stack in one tick (registration, updates, encode_region): the
   stack below main's frame is painted with a pattern, the tick runs, and the deepest byte it
   changed gives the depth. Built with -O0, so that the painting and the scan are not
   optimised away; the library itself is the firmware build. */
#include <stddef.h>
#include <stdio.h>
size_t firmware_tick(void (*send)(const unsigned char *, size_t));
static void send(const unsigned char *p, size_t n) { (void)p; (void)n; }
#define SPAN (64 * 1024)
#define PAINT 0xA5
static unsigned char *volatile painted;
__attribute__((noinline)) static void paint(void) {
  volatile unsigned char area[SPAN];
  for (size_t i = 0; i < SPAN; i++) area[i] = PAINT;
  painted = (unsigned char *)area;
}
__attribute__((noinline)) static size_t depth_below(unsigned char *top) {
  unsigned char *p = painted;
  while (p < top && *p == PAINT) p++;
  return (size_t)(top - p);
}
int main(void) {
  unsigned char top;
  paint();
  firmware_tick(send);
  printf("%zu\n", depth_below(&top));
  return 0;
}
