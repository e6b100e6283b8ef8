/* Sieve of Eratosthenes below L (from the first 4 input bytes, little-endian, default 2^21, at
 * most 2^22). Writes L, the number of primes and the largest; exits with the count mod 256. */
#include "sys.h"

#define MAX_L (1u << 22)
static u8 composite[MAX_L];

int main(void) {
    u32 l = 1u << 21;
    u8 in[4];
    if (read_input(in, 4) == 4) l = in[0] | (in[1] << 8) | (in[2] << 16) | ((u32)in[3] << 24);
    if (l > MAX_L) l = MAX_L;
    u32 count = 0, largest = 0;
    for (u32 i = 2; i < l; i++) {
        if (composite[i]) continue;
        count++;
        largest = i;
        for (u32 j = i * i; i < 65536 && j < l; j += i) composite[j] = 1;
    }
    write_hex("limit", l);
    write_hex("primes", count);
    write_hex("largest", largest);
    return (int)(count & 0xff);
}
