/* memset and memcpy: gcc may emit calls to them even with -nostdlib. */
#include "sys.h"

void *memset(void *d, int c, size_t n) {
    volatile u8 *p = d;
    while (n--) *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n) {
    volatile u8 *p = d;
    const u8 *q = s;
    while (n--) *p++ = *q++;
    return d;
}
