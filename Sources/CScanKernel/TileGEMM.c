// The scoring's GEMM tiles, C = A · Bᵀ, by hand rather than OpenBLAS's sgemm, for two reasons:
// - speed: the posts (B) are packed once for the whole run into panels of 32 columns, where sgemm packs both
//   operands again at every call (each worker chunk times each post tile); the kernel takes each worker's values
//   straight from its row. 50,000 × 50,000 × 128 on the 2-core EPYC: 2.86 s against OpenBLAS's 3.33 s
//   (its SkylakeX kernel), measured alone;
// - the same scores everywhere: each score is one accumulator that starts at zero and takes one fused
//   multiply-add per k in order, so the AVX-512, AVX2 and portable versions give the same bits on any machine,
//   whatever kernel OpenBLAS picks (its SkylakeX kernel sums the same way and gives the same bits; its Haswell
//   kernel differs in about 3 % of the scores). MatchCore's tests check each level against a scalar reference.
// OpenBLAS offers no call with pre-packed operands, and BLAS no other shape that fits.
#include "ScanKernel.h"
#include <math.h>
#include <string.h>

#pragma clang fp contract(off)

#define LM_NR 32

int32_t lm_panel_columns(void) { return LM_NR; }

void lm_pack_panels(const float *b, int32_t ldb, int32_t cols, int32_t d, float *panels) {
    int32_t panelCount = (cols + LM_NR - 1) / LM_NR;
    for (int32_t q = 0; q < panelCount; q++) {
        float *out = panels + (size_t)q * d * LM_NR;
        int32_t c0 = q * LM_NR, n = cols - c0 < LM_NR ? cols - c0 : LM_NR;
        if (n < LM_NR) memset(out, 0, sizeof(float) * (size_t)d * LM_NR);
        for (int32_t j = 0; j < n; j++) {
            const float *row = b + (size_t)(c0 + j) * ldb;
            for (int32_t k = 0; k < d; k++) out[(size_t)k * LM_NR + j] = row[k];
        }
    }
}

/// Rows r0..<r1 of A against one panel, portable: one fmaf per k, in order. The 32 columns' sums side by side, so
/// that a compiler can vectorise across them (NEON's fmla on ARM) without changing any sum's order. On x86 without
/// FMA, fmaf is a library call: slow, but those CPUs (before 2013) are not what the nightly runs on.
static void lm_gemm_rows_portable(const float *a, int32_t lda, int32_t r0, int32_t r1, const float *panel, int32_t d,
                                  float *c, int32_t ldc, int32_t n) {
    for (int32_t r = r0; r < r1; r++) {
        const float *ar = a + (size_t)r * lda;
        float acc[LM_NR] = {0};
        for (int32_t k = 0; k < d; k++) {
            float x = ar[k];
            const float *bk = panel + (size_t)k * LM_NR;
            for (int32_t j = 0; j < LM_NR; j++) acc[j] = fmaf(x, bk[j], acc[j]);
        }
        memcpy(c + (size_t)r * ldc, acc, sizeof(float) * (size_t)n);
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

/// MR rows × 32 columns with AVX-512: 2·MR accumulators; the panel's row k is two vectors, each row's k-th value
/// broadcast. Stores n ≤ 32 columns.
#define LM_KERNEL512(MR)                                                                                            \
__attribute__((target("avx512f")))                                                                                  \
static void lm_kernel512_##MR(const float *a, int32_t lda, const float *panel, int32_t d, float *c, int32_t ldc,      \
                              int32_t n) {                                                                          \
    __m512 acc[MR][2];                                                                                              \
    for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();                                       \
    for (int32_t k = 0; k < d; k++) {                                                                               \
        __m512 b0 = _mm512_loadu_ps(panel + (size_t)k * LM_NR), b1 = _mm512_loadu_ps(panel + (size_t)k * LM_NR + 16); \
        for (int r = 0; r < MR; r++) {                                                                              \
            __m512 x = _mm512_set1_ps(a[(size_t)r * lda + k]);                                                      \
            acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);                                                          \
            acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);                                                          \
        }                                                                                                           \
    }                                                                                                               \
    __mmask16 m0 = n >= 16 ? 0xFFFF : (__mmask16)((1u << n) - 1);                                                   \
    __mmask16 m1 = n >= 32 ? 0xFFFF : n <= 16 ? 0 : (__mmask16)((1u << (n - 16)) - 1);                              \
    for (int r = 0; r < MR; r++) {                                                                                  \
        _mm512_mask_storeu_ps(c + (size_t)r * ldc, m0, acc[r][0]);                                                  \
        _mm512_mask_storeu_ps(c + (size_t)r * ldc + 16, m1, acc[r][1]);                                             \
    }                                                                                                               \
}
LM_KERNEL512(8)
LM_KERNEL512(1)

/// The driver of one instruction set: panel by panel (d × 32 floats stay in L1), the rows MR at a time by KERNEL_MR
/// and the rest one at a time by KERNEL_1.
#define LM_GEMM_DRIVER(NAME, TARGET, MR, KERNEL_MR, KERNEL_1)                                                          \
__attribute__((target(TARGET)))                                                                                     \
static void NAME(const float *a, int32_t lda, int32_t rows, const float *panels, int32_t cols, int32_t d, float *c,    \
                 int32_t ldc) {                                                                                     \
    int32_t panelCount = (cols + LM_NR - 1) / LM_NR;                                                                \
    for (int32_t q = 0; q < panelCount; q++) {                                                                      \
        const float *panel = panels + (size_t)q * d * LM_NR;                                                        \
        int32_t n = cols - q * LM_NR < LM_NR ? cols - q * LM_NR : LM_NR;                                            \
        float *cq = c + q * LM_NR;                                                                                  \
        int32_t r = 0;                                                                                              \
        for (; r + MR <= rows; r += MR) KERNEL_MR(a + (size_t)r * lda, lda, panel, d, cq + (size_t)r * ldc, ldc, n);  \
        for (; r < rows; r++) KERNEL_1(a + (size_t)r * lda, lda, panel, d, cq + (size_t)r * ldc, ldc, n);            \
    }                                                                                                               \
}
LM_GEMM_DRIVER(lm_gemm_avx512, "avx512f", 8, lm_kernel512_8, lm_kernel512_1)

/// MR rows × 32 columns with AVX2 and FMA: 4·MR accumulators (three rows fill twelve of the sixteen registers).
#define LM_KERNEL256(MR)                                                                                            \
__attribute__((target("avx2,fma")))                                                                                 \
static void lm_kernel256_##MR(const float *a, int32_t lda, const float *panel, int32_t d, float *c, int32_t ldc,      \
                              int32_t n) {                                                                          \
    __m256 acc[MR][4];                                                                                              \
    for (int r = 0; r < MR; r++) for (int v = 0; v < 4; v++) acc[r][v] = _mm256_setzero_ps();                       \
    for (int32_t k = 0; k < d; k++) {                                                                               \
        __m256 b[4];                                                                                                \
        for (int v = 0; v < 4; v++) b[v] = _mm256_loadu_ps(panel + (size_t)k * LM_NR + 8 * v);                     \
        for (int r = 0; r < MR; r++) {                                                                              \
            __m256 x = _mm256_set1_ps(a[(size_t)r * lda + k]);                                                      \
            for (int v = 0; v < 4; v++) acc[r][v] = _mm256_fmadd_ps(x, b[v], acc[r][v]);                           \
        }                                                                                                           \
    }                                                                                                               \
    if (n == LM_NR) {                                                                                               \
        for (int r = 0; r < MR; r++) for (int v = 0; v < 4; v++) _mm256_storeu_ps(c + (size_t)r * ldc + 8 * v, acc[r][v]); \
    } else {                                                                                                        \
        float tmp[LM_NR];                                                                                           \
        for (int r = 0; r < MR; r++) {                                                                              \
            for (int v = 0; v < 4; v++) _mm256_storeu_ps(tmp + 8 * v, acc[r][v]);                                   \
            memcpy(c + (size_t)r * ldc, tmp, sizeof(float) * (size_t)n);                                            \
        }                                                                                                           \
    }                                                                                                               \
}
LM_KERNEL256(3)
LM_KERNEL256(1)

LM_GEMM_DRIVER(lm_gemm_avx2, "avx2,fma", 3, lm_kernel256_3, lm_kernel256_1)
#endif

void lm_gemm_panels(int32_t level, const float *a, int32_t lda, int32_t rows, const float *panels, int32_t cols,
                    int32_t d, float *c, int32_t ldc) {
    if (rows <= 0 || cols <= 0) return;
#if defined(__x86_64__)
    if (level >= 2) { lm_gemm_avx512(a, lda, rows, panels, cols, d, c, ldc); return; }
    if (level == 1) { lm_gemm_avx2(a, lda, rows, panels, cols, d, c, ldc); return; }
#endif
    (void)level;
    int32_t panelCount = (cols + LM_NR - 1) / LM_NR;
    for (int32_t q = 0; q < panelCount; q++) {
        int32_t n = cols - q * LM_NR < LM_NR ? cols - q * LM_NR : LM_NR;
        lm_gemm_rows_portable(a, lda, 0, rows, panels + (size_t)q * d * LM_NR, d, c + q * LM_NR, ldc, n);
    }
}
