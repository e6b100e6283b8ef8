// Portability layer: the same kernel source compiles as CUDA C++ (NVRTC, `__CUDACC__` defined) and
// as OpenCL C (PoCL, GPU drivers). Kernels use only the macros below for qualifiers, indices and
// barriers; wide arithmetic goes through the carry-chain primitives at the end, which have an
// inline-PTX body under CUDA and a portable C body otherwise.
//
// Rule for the PTX bodies: a carry chain (add.cc / addc / mad*.cc) lives inside ONE asm statement.
// The carry flag is not an operand the compiler knows about, so nothing guarantees that it survives
// from one asm statement to the next.

#ifndef ZKPROVE_COMMON_H
#define ZKPROVE_COMMON_H

#if defined(__CUDACC__)
typedef unsigned int u32;
typedef unsigned long long u64;
#define KERNEL extern "C" __global__
#define GLOBAL
#define LOCAL_MEM __shared__
#define DEVICE static __device__ __forceinline__
#define CONSTANT __constant__
#define GID ((u32)(blockIdx.x * blockDim.x + threadIdx.x))
#define LID ((u32)threadIdx.x)
#define GROUP_ID ((u32)blockIdx.x)
#define GROUP_SIZE ((u32)blockDim.x)
#define BARRIER() __syncthreads()
#define MUL_HI_U32(a, b) __umulhi((a), (b))
#define MUL_HI_U64(a, b) __umul64hi((a), (b))
#else
typedef uint u32;
typedef ulong u64;
#define KERNEL kernel
#define GLOBAL global
#define LOCAL_MEM local
#define DEVICE static inline
#define CONSTANT constant
#define GID ((u32)get_global_id(0))
#define LID ((u32)get_local_id(0))
#define GROUP_ID ((u32)get_group_id(0))
#define GROUP_SIZE ((u32)get_local_size(0))
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define MUL_HI_U32(a, b) mul_hi((u32)(a), (u32)(b))
#define MUL_HI_U64(a, b) mul_hi((u64)(a), (u64)(b))
#endif

// ------------------------------------------------------------------------------------------------
// 8 × 32-bit limb primitives (little-endian), for the 256-bit fields.
// ------------------------------------------------------------------------------------------------

// r = a + b (mod 2^256); returns the carry out (0 or 1).
DEVICE u32 add8(u32 *r, const u32 *a, const u32 *b) {
#if defined(__CUDACC__)
    u32 c;
    asm("add.cc.u32  %0, %9, %17;\n\t"
        "addc.cc.u32 %1, %10, %18;\n\t"
        "addc.cc.u32 %2, %11, %19;\n\t"
        "addc.cc.u32 %3, %12, %20;\n\t"
        "addc.cc.u32 %4, %13, %21;\n\t"
        "addc.cc.u32 %5, %14, %22;\n\t"
        "addc.cc.u32 %6, %15, %23;\n\t"
        "addc.cc.u32 %7, %16, %24;\n\t"
        "addc.u32    %8, 0, 0;"
        : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]), "=r"(r[4]), "=r"(r[5]), "=r"(r[6]),
          "=r"(r[7]), "=r"(c)
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(a[4]), "r"(a[5]), "r"(a[6]), "r"(a[7]),
          "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(b[4]), "r"(b[5]), "r"(b[6]), "r"(b[7]));
    return c;
#else
    u64 c = 0;
    for (int i = 0; i < 8; i++) {
        u64 s = (u64)a[i] + b[i] + c;
        r[i] = (u32)s;
        c = s >> 32;
    }
    return (u32)c;
#endif
}

// r = a − b (mod 2^256); returns the borrow out (0 or 1).
DEVICE u32 sub8(u32 *r, const u32 *a, const u32 *b) {
#if defined(__CUDACC__)
    u32 c;
    asm("sub.cc.u32  %0, %9, %17;\n\t"
        "subc.cc.u32 %1, %10, %18;\n\t"
        "subc.cc.u32 %2, %11, %19;\n\t"
        "subc.cc.u32 %3, %12, %20;\n\t"
        "subc.cc.u32 %4, %13, %21;\n\t"
        "subc.cc.u32 %5, %14, %22;\n\t"
        "subc.cc.u32 %6, %15, %23;\n\t"
        "subc.cc.u32 %7, %16, %24;\n\t"
        "subc.u32    %8, 0, 0;"
        : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]), "=r"(r[4]), "=r"(r[5]), "=r"(r[6]),
          "=r"(r[7]), "=r"(c)
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(a[4]), "r"(a[5]), "r"(a[6]), "r"(a[7]),
          "r"(b[0]), "r"(b[1]), "r"(b[2]), "r"(b[3]), "r"(b[4]), "r"(b[5]), "r"(b[6]), "r"(b[7]));
    return c & 1u;  // subc of 0 − 0 − borrow is 0 or 0xFFFFFFFF
#else
    u32 borrow = 0;
    for (int i = 0; i < 8; i++) {
        u64 d = (u64)a[i] - b[i] - borrow;
        r[i] = (u32)d;
        borrow = (u32)(d >> 63);
    }
    return borrow;
#endif
}

// t[0..10] += a[0..8] · b. The caller guarantees that the sum fits in 10 limbs.
DEVICE void mac_row8(u32 *t, const u32 *a, u32 b) {
#if defined(__CUDACC__)
    asm("mad.lo.cc.u32  %0, %10, %18, %0;\n\t"
        "madc.lo.cc.u32 %1, %11, %18, %1;\n\t"
        "madc.lo.cc.u32 %2, %12, %18, %2;\n\t"
        "madc.lo.cc.u32 %3, %13, %18, %3;\n\t"
        "madc.lo.cc.u32 %4, %14, %18, %4;\n\t"
        "madc.lo.cc.u32 %5, %15, %18, %5;\n\t"
        "madc.lo.cc.u32 %6, %16, %18, %6;\n\t"
        "madc.lo.cc.u32 %7, %17, %18, %7;\n\t"
        "addc.cc.u32    %8, %8, 0;\n\t"
        "addc.u32       %9, %9, 0;\n\t"
        "mad.hi.cc.u32  %1, %10, %18, %1;\n\t"
        "madc.hi.cc.u32 %2, %11, %18, %2;\n\t"
        "madc.hi.cc.u32 %3, %12, %18, %3;\n\t"
        "madc.hi.cc.u32 %4, %13, %18, %4;\n\t"
        "madc.hi.cc.u32 %5, %14, %18, %5;\n\t"
        "madc.hi.cc.u32 %6, %15, %18, %6;\n\t"
        "madc.hi.cc.u32 %7, %16, %18, %7;\n\t"
        "madc.hi.cc.u32 %8, %17, %18, %8;\n\t"
        "addc.u32       %9, %9, 0;"
        : "+r"(t[0]), "+r"(t[1]), "+r"(t[2]), "+r"(t[3]), "+r"(t[4]), "+r"(t[5]), "+r"(t[6]),
          "+r"(t[7]), "+r"(t[8]), "+r"(t[9])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(a[4]), "r"(a[5]), "r"(a[6]), "r"(a[7]),
          "r"(b));
#else
    u64 c = 0;
    for (int j = 0; j < 8; j++) {
        u64 s = (u64)a[j] * b + t[j] + c;
        t[j] = (u32)s;
        c = s >> 32;
    }
    u64 s = (u64)t[8] + c;
    t[8] = (u32)s;
    t[9] += (u32)(s >> 32);
#endif
}

// ------------------------------------------------------------------------------------------------
// 64-bit helpers.
// ------------------------------------------------------------------------------------------------

// Full 64 × 64 → 128-bit product as (lo, hi).
DEVICE u64 mul_wide_u64(u64 a, u64 b, u64 *hi) {
    *hi = MUL_HI_U64(a, b);
    return a * b;
}

#endif  // ZKPROVE_COMMON_H
