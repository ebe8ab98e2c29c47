// GOGH_SIMD compiles a kernel twice on x86-64, for AVX2 and for any
// x86-64, and lets the program pick one when it starts (function
// multiversioning, resolved by glibc). AVX2 without FMA: both versions
// round exactly as the Go twins do.

#include <string.h> // defines __GLIBC__ on glibc

#if defined(__x86_64__) && defined(__GLIBC__) && (defined(__GNUC__) || defined(__clang__))
#define GOGH_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define GOGH_SIMD
#endif
