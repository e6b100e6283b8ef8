/* Sorts N pseudo-random words (N from the first 4 input bytes, little-endian, default 50000,
 * at most 262144) by heap sort; writes N, a checksum of the sorted array, its minimum and
 * maximum. Exits 0 when the result is sorted, 1 otherwise. */
#include "sys.h"

#define MAX_N 262144
static u32 a[MAX_N];

static void sift(u32 *v, u32 i, u32 n) {
    for (;;) {
        u32 l = 2 * i + 1, m = i;
        if (l < n && v[l] > v[m]) m = l;
        if (l + 1 < n && v[l + 1] > v[m]) m = l + 1;
        if (m == i) return;
        u32 t = v[i]; v[i] = v[m]; v[m] = t;
        i = m;
    }
}

int main(void) {
    u32 n = 50000;
    u8 in[4];
    if (read_input(in, 4) == 4) n = in[0] | (in[1] << 8) | (in[2] << 16) | ((u32)in[3] << 24);
    if (n > MAX_N) n = MAX_N;
    u32 x = 0x9e3779b9;
    for (u32 i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        a[i] = x;
    }
    for (u32 i = n / 2; i-- > 0;) sift(a, i, n);
    for (u32 end = n; end > 1; end--) {
        u32 t = a[0]; a[0] = a[end - 1]; a[end - 1] = t;
        sift(a, 0, end - 1);
    }
    u32 sum = 0, ok = 1;
    for (u32 i = 0; i < n; i++) {
        sum = sum * 31 + a[i];
        if (i > 0 && a[i - 1] > a[i]) ok = 0;
    }
    write_hex("n", n);
    write_hex("checksum", sum);
    write_hex("min", n ? a[0] : 0);
    write_hex("max", n ? a[n - 1] : 0);
    return ok ? 0 : 1;
}
