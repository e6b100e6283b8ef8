/* Fibonacci: F(n) by naive recursion (n from the first input byte, default 25, at most 32) and
 * F(1000) mod 2^32 by iteration, plus a division/remainder mix. Exits with F(n) mod 256. */
#include "sys.h"

static u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
    u32 n = 25;
    u8 in[1];
    if (read_input(in, 1) == 1) n = in[0];
    if (n > 32) n = 32;
    u32 f = fib(n);
    u32 a = 0, b = 1;
    for (u32 i = 0; i < 1000; i++) { u32 t = a + b; a = b; b = t; }
    int q = (int)f / -7, r = (int)f % -7;
    write_hex("n", n);
    write_hex("fib", f);
    write_hex("fib1000", a);
    write_hex("q", (u32)q);
    write_hex("r", (u32)r);
    return (int)(f & 0xff);
}
