// The selection scan's filter over one row of a score tile, in C because Swift cannot pick an instruction set at
// run time: it has no per-function target features and no CPU dispatch, so its SIMD16 code compiled for the
// x86-64 baseline runs as four SSE operations per step, and the tie ranks' 32-bit multiplies as four more.
// Here one source of each test is compiled three times (portable, AVX2, AVX-512F, chosen once from CPUID), so the
// same binary uses what the machine has. Every version computes the same IEEE single-precision values as the
// portable one (no fused multiply-add: contraction is off) and returns the same columns, which MatchCore's tests
// check level by level against a brute-force reference.
#include "ScanKernel.h"
#include <math.h>
#include <stdlib.h>

#pragma clang fp contract(off)

// 1.5 · 2^23: adding and subtracting it rounds to the nearest integer (ties to even) while |x| < 2^22.
#define LM_MAGIC 12582912.0f

/// Column j's score: the GEMM's, plus the bias, quantised.
static inline float lm_score(const LMScanRow *a, int32_t j) {
    float s = a->row[a->columnIndex ? a->columnIndex[j] : j];
    if (a->bias) s = s + a->bias[j];
    if (a->quantization > 0) {
        s = s * a->quantization;
        s = s + LM_MAGIC;
        s = s - LM_MAGIC;
    }
    return s;
}

/// The portable test of one column: the score, and whether it enters either list.
static inline int lm_column(const LMScanRow *a, int32_t j, float *out) {
    float s = lm_score(a, j);
    *out = s;
    float wt = a->workerThreshold;
    if (s > wt) return 1;
    if (s == wt && (a->postCodes[j] ^ a->workerSalt) * a->multiplier < a->workerThresholdRank) return 1;
    if (a->postThreshold) {
        float pt = a->postThreshold[j];
        if (s > pt) return 1;
        if (s == pt && (a->workerCode ^ a->postSalt[j]) * a->multiplier < a->postThresholdRank[j]) return 1;
    }
    return 0;
}

static int32_t lm_scan_portable(const LMScanRow *a, int32_t j, int32_t n, int32_t *columns, float *scores) {
    for (; j < a->width; j++) {
        float s;
        if (lm_column(a, j, &s)) { columns[n] = j; scores[n] = s; n++; }
    }
    return n;
}

/// The k-th largest of v[0..<n] (1 <= k <= n), reordering v: quickselect with Hoare partitions (the window holds the
/// answer's position throughout).
static float lm_kth_largest(float *v, int32_t n, int32_t k) {
    int32_t lo = 0, hi = n - 1, want = k - 1;
    while (lo < hi) {
        float pivot = v[lo + (hi - lo) / 2];
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot) i++;
            while (v[j] < pivot) j--;
            if (i <= j) {
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        }
        if (want <= j) hi = j;
        else if (want >= i) lo = i;
        else break;
    }
    return v[want];
}

float lm_row_bound(const LMScanRow *a, int32_t k) {
    const int32_t groups = a->width / 8;
    if (k <= 0 || k > groups || groups > 256) return -INFINITY;
    // Group g is the columns g, g + groups, …, g + 7·groups, so that its best score is an elementwise maximum of
    // eight slices of the row (vectorised by the compiler where the row has no column index); at least k groups
    // reach the k-th best of these maxima, so at least k columns do.
    float best[256];
    const float *restrict row = a->row, *restrict bias = a->bias;
    const int32_t *restrict index = a->columnIndex;
    const float q = a->quantization;
    for (int32_t g = 0; g < groups; g++) best[g] = -INFINITY;
    for (int32_t t = 0; t < 8; t++) {
        const int32_t o = t * groups;
        if (index) {
            for (int32_t g = 0; g < groups; g++) { float s = lm_score(a, o + g); best[g] = s > best[g] ? s : best[g]; }
        } else if (!bias && q <= 0) {
            for (int32_t g = 0; g < groups; g++) { float s = row[o + g]; best[g] = s > best[g] ? s : best[g]; }
        } else {
            for (int32_t g = 0; g < groups; g++) {
                float s = row[o + g];
                if (bias) s = s + bias[o + g];
                if (q > 0) s = (s * q + LM_MAGIC) - LM_MAGIC;
                best[g] = s > best[g] ? s : best[g];
            }
        }
    }
    return lm_kth_largest(best, groups, k);
}

void lm_post_bounds(const LMScanRow *a, int32_t rows, int32_t ld, int32_t k, float *bounds) {
    const int32_t groups = rows / 8, w = a->width;
    float *best = (k > 0 && k <= groups && groups <= 256) ? (float *)malloc(sizeof(float) * (size_t)groups * (size_t)ld) : 0;
    if (!best) {
        for (int32_t j = 0; j < w; j++) bounds[j] = -INFINITY;
        return;
    }
    // Group g is the rows g, g + groups, …, g + 7·groups; best[g·ld + u] is its best raw score in buffer column u
    // (elementwise maxima of rows, vectorised by the compiler).
    for (int32_t g = 0; g < groups; g++) {
        float *restrict m = best + (size_t)g * (size_t)ld;
        const float *restrict r0 = a->row + (size_t)g * (size_t)ld;
        for (int32_t u = 0; u < ld; u++) m[u] = r0[u];
        for (int32_t t = 1; t < 8; t++) {
            const float *restrict r = a->row + (size_t)(g + t * groups) * (size_t)ld;
            for (int32_t u = 0; u < ld; u++) m[u] = r[u] > m[u] ? r[u] : m[u];
        }
    }
    // Per buffer column, the k-th largest group maximum; a post's bound is its column's, with the post's bias and
    // the quantisation: both are non-decreasing, so the k-th largest of the scores is that of the raw scores.
    float column[256];
    int32_t last = -1;
    float raw = -INFINITY;
    for (int32_t j = 0; j < w; j++) {
        int32_t u = a->columnIndex ? a->columnIndex[j] : j;
        if (u != last) {
            for (int32_t g = 0; g < groups; g++) column[g] = best[(size_t)g * (size_t)ld + (size_t)u];
            raw = lm_kth_largest(column, groups, k);
            last = u;
        }
        float s = raw;
        if (a->bias) s = s + a->bias[j];
        if (a->quantization > 0) {
            s = s * a->quantization;
            s = s + LM_MAGIC;
            s = s - LM_MAGIC;
        }
        bounds[j] = s;
    }
    free(best);
}

// The reservoirs' compaction (MatchCore's ReservoirHandle): quickselect for the K largest of 2K keys. Its
// comparisons go either way at random, so a branching partition mispredicts about every other key; here every
// key is written to both sides and only the counts move.

static inline uint64_t lm_median3(uint64_t a, uint64_t b, uint64_t c) {
    uint64_t hi = a > b ? a : b, lo = a > b ? b : a;
    return c > hi ? hi : (c < lo ? lo : c);
}

/// Keys >= p to the front of w, the others after them, in place with swaps (branching: only when no scratch
/// memory could be had); returns how many.
static int32_t lm_partition_in_place(uint64_t *w, int32_t n, uint64_t p) {
    int32_t nl = 0;
    for (int32_t i = 0; i < n; i++) {
        if (w[i] >= p) {
            uint64_t t = w[nl];
            w[nl] = w[i];
            w[i] = t;
            nl++;
        }
    }
    return nl;
}

/// Keys >= p (> p when `strict`) to the front of w (in order), the others after them; returns how many.
static int32_t lm_partition_portable(uint64_t *w, int32_t n, uint64_t p, int strict, uint64_t *right) {
    int32_t nl = 0, nr = 0;
    for (int32_t i = 0; i < n; i++) {
        uint64_t x = w[i];
        int ge = strict ? x > p : x >= p;
        w[nl] = x;   // nl <= i: never overwrites a key not yet read
        right[nr] = x;
        nl += ge;
        nr += !ge;
    }
    for (int32_t i = 0; i < nr; i++) w[nl + i] = right[i];
    return nl;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

// The row's fields in locals, for both vector versions: the stores of candidates could alias the struct, which
// would make the compiler reload every field at every step.
#define LM_ROW_LOCALS(a)                                                                                          \
    const float *restrict row = (a)->row, *restrict biasv = (a)->bias, *restrict ptv = (a)->postThreshold;        \
    const int32_t *restrict colIndex = (a)->columnIndex;                                                          \
    const uint32_t *restrict postCodes = (a)->postCodes, *restrict postSalt = (a)->postSalt,                      \
                             *restrict ptRank = (a)->postThresholdRank;                                           \
    const int32_t w = (a)->width

// Each vector version's body is compiled once per combination of the row's options (a column index, a bias,
// quantisation, post lists), each a constant in its copy: with the options tested at every step the compiler kept
// every option's arithmetic in the loop, and on Zen 4, whose vector units take a 512-bit operation in two halves,
// the unused multiply and adds cost as much as the rest of the step. A row of 512 random scores, 5 hits, in one run:
// 4.32 -> 2.35 ns per sixteen columns with AVX-512, 9.18 -> 3.03 ns with AVX2.
#define LM_SCAN_CASE(body, k) \
    case k: return body(a, columns, scores, (k) & 1, ((k) >> 1) & 1, ((k) >> 2) & 1, ((k) >> 3) & 1);
#define LM_SCAN_DISPATCH(body)                                                                                    \
    switch ((a->columnIndex != 0) | (a->bias != 0) << 1 | (a->quantization > 0) << 2 | (a->postThreshold != 0) << 3) { \
        LM_SCAN_CASE(body, 0) LM_SCAN_CASE(body, 1) LM_SCAN_CASE(body, 2) LM_SCAN_CASE(body, 3)                   \
        LM_SCAN_CASE(body, 4) LM_SCAN_CASE(body, 5) LM_SCAN_CASE(body, 6) LM_SCAN_CASE(body, 7)                   \
        LM_SCAN_CASE(body, 8) LM_SCAN_CASE(body, 9) LM_SCAN_CASE(body, 10) LM_SCAN_CASE(body, 11)                 \
        LM_SCAN_CASE(body, 12) LM_SCAN_CASE(body, 13) LM_SCAN_CASE(body, 14) default: LM_SCAN_CASE(body, 15)      \
    }

/// The AVX-512 scan's constants.
typedef struct {
    __m512 wt, q, magic;
    __m512i wRankMax, wSalt, mult, code;
} LMScan512;

/// Columns j..j+15's scores, with the bias and the quantisation.
__attribute__((target("avx512f"), always_inline))
static inline __m512 lm_load16(const LMScan512 *c, const float *restrict row, const int32_t *restrict colIndex,
                               const float *restrict biasv, const int indexed, const int bias, const int quantize, int32_t j) {
    __m512 v;
    if (indexed) {
        // Indices rise by at most one a column, so sixteen columns read at most sixteen consecutive scores:
        // one load from the first and a permutation (a gather is microcoded and three times slower on Zen 4).
        int32_t base = colIndex[j];
        __m512i lane = _mm512_sub_epi32(_mm512_loadu_si512(colIndex + j), _mm512_set1_epi32(base));
        v = _mm512_permutexvar_ps(lane, _mm512_loadu_ps(row + base));
    } else {
        v = _mm512_loadu_ps(row + j);
    }
    if (bias) v = _mm512_add_ps(v, _mm512_loadu_ps(biasv + j));
    if (quantize) v = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(v, c->q), c->magic), c->magic);
    return v;
}

// One comparison with both lists' thresholds settles most steps; a step that reaches one computes the tie ranks and
// stores its candidates (compressed) without branching on which lanes tie, which is as unpredictable as a coin where
// scores are quantised.
__attribute__((target("avx512f"), always_inline))
static inline int32_t lm_scan_avx512_body(const LMScanRow *a, int32_t *columns, float *scores, const int indexed,
                                          const int bias, const int quantize, const int posts) {
    LM_ROW_LOCALS(a);
    LMScan512 c;
    c.wt = _mm512_set1_ps(a->workerThreshold);
    c.q = _mm512_set1_ps(a->quantization);
    c.magic = _mm512_set1_ps(LM_MAGIC);
    c.wRankMax = _mm512_set1_epi32((int)a->workerThresholdRank);
    c.wSalt = _mm512_set1_epi32((int)a->workerSalt);
    c.mult = _mm512_set1_epi32((int)a->multiplier);
    c.code = _mm512_set1_epi32((int)a->workerCode);
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int32_t n = 0, j = 0;
    for (; j + 16 <= w; j += 16) {
        __m512 v = lm_load16(&c, row, colIndex, biasv, indexed, bias, quantize, j);
        __mmask16 reach = _mm512_cmp_ps_mask(v, c.wt, _CMP_GE_OQ);
        if (posts) reach |= _mm512_cmp_ps_mask(v, _mm512_loadu_ps(ptv + j), _CMP_GE_OQ);
        if (!reach) continue;
        __m512i rank = _mm512_mullo_epi32(_mm512_xor_si512(_mm512_loadu_si512(postCodes + j), c.wSalt), c.mult);
        __mmask16 hit = _mm512_cmp_ps_mask(v, c.wt, _CMP_GT_OQ)
            | _mm512_mask_cmplt_epu32_mask(_mm512_cmp_ps_mask(v, c.wt, _CMP_EQ_OQ), rank, c.wRankMax);
        if (posts) {
            __m512 pt = _mm512_loadu_ps(ptv + j);
            __m512i prank = _mm512_mullo_epi32(_mm512_xor_si512(_mm512_loadu_si512(postSalt + j), c.code), c.mult);
            hit |= _mm512_cmp_ps_mask(v, pt, _CMP_GT_OQ)
                | _mm512_mask_cmplt_epu32_mask(_mm512_cmp_ps_mask(v, pt, _CMP_EQ_OQ), prank, _mm512_loadu_si512(ptRank + j));
        }
        // Compressed in registers and stored whole (the buffers have 16 spare slots): a compressing store to
        // memory is microcoded and slow on AMD's Zen 4.
        _mm512_storeu_ps(scores + n, _mm512_maskz_compress_ps(hit, v));
        _mm512_storeu_si512(columns + n, _mm512_maskz_compress_epi32(hit, _mm512_add_epi32(lanes, _mm512_set1_epi32(j))));
        n += __builtin_popcount(hit);
    }
    return lm_scan_portable(a, j, n, columns, scores);
}

__attribute__((target("avx512f")))
static int32_t lm_scan_avx512(const LMScanRow *a, int32_t *columns, float *scores) { LM_SCAN_DISPATCH(lm_scan_avx512_body) }

/// Unsigned 32-bit a < b on AVX2 (which compares signed only): flip both sign bits.
__attribute__((target("avx2")))
static inline __m256i lm_lt_epu32(__m256i a, __m256i b) {
    const __m256i sign = _mm256_set1_epi32((int)0x80000000u);
    return _mm256_cmpgt_epi32(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign));
}

__attribute__((target("avx2"), always_inline))
static inline int32_t lm_scan_avx2_body(const LMScanRow *a, int32_t *columns, float *scores, const int indexed,
                                        const int bias, const int quantize, const int posts) {
    LM_ROW_LOCALS(a);
    const __m256 wt = _mm256_set1_ps(a->workerThreshold), q = _mm256_set1_ps(a->quantization), magic = _mm256_set1_ps(LM_MAGIC);
    const __m256i wRankMax = _mm256_set1_epi32((int)a->workerThresholdRank), wSalt = _mm256_set1_epi32((int)a->workerSalt);
    const __m256i mult = _mm256_set1_epi32((int)a->multiplier), code = _mm256_set1_epi32((int)a->workerCode);
    int32_t n = 0, j = 0;
    for (; j + 8 <= w; j += 8) {
        __m256 v;
        if (indexed) {
            int32_t base = colIndex[j];
            __m256i lane = _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(colIndex + j)), _mm256_set1_epi32(base));
            v = _mm256_permutevar8x32_ps(_mm256_loadu_ps(row + base), lane);
        } else {
            v = _mm256_loadu_ps(row + j);
        }
        if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(biasv + j));
        if (quantize) v = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(v, q), magic), magic);
        __m256 reach = _mm256_cmp_ps(v, wt, _CMP_GE_OQ);
        if (posts) reach = _mm256_or_ps(reach, _mm256_cmp_ps(v, _mm256_loadu_ps(ptv + j), _CMP_GE_OQ));
        if (!_mm256_movemask_ps(reach)) continue;
        __m256i rank = _mm256_mullo_epi32(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(postCodes + j)), wSalt), mult);
        __m256i hit = _mm256_or_si256(_mm256_castps_si256(_mm256_cmp_ps(v, wt, _CMP_GT_OQ)),
                                      _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(v, wt, _CMP_EQ_OQ)), lm_lt_epu32(rank, wRankMax)));
        if (posts) {
            __m256 pt = _mm256_loadu_ps(ptv + j);
            __m256i prank = _mm256_mullo_epi32(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(postSalt + j)), code), mult);
            __m256i below = lm_lt_epu32(prank, _mm256_loadu_si256((const __m256i *)(ptRank + j)));
            hit = _mm256_or_si256(hit, _mm256_or_si256(_mm256_castps_si256(_mm256_cmp_ps(v, pt, _CMP_GT_OQ)),
                                                       _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(v, pt, _CMP_EQ_OQ)), below)));
        }
        unsigned bits = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(hit));
        if (!bits) continue;
        float lane[8];
        _mm256_storeu_ps(lane, v);
        while (bits) {
            int e = __builtin_ctz(bits);
            columns[n] = j + e;
            scores[n] = lane[e];
            n++;
            bits &= bits - 1;
        }
    }
    return lm_scan_portable(a, j, n, columns, scores);
}

__attribute__((target("avx2")))
static int32_t lm_scan_avx2(const LMScanRow *a, int32_t *columns, float *scores) { LM_SCAN_DISPATCH(lm_scan_avx2_body) }

/// lm_partition_portable with eight keys a step: compare, then compress each side in registers.
__attribute__((target("avx512f")))
static int32_t lm_partition_avx512(uint64_t *w, int32_t n, uint64_t p, uint64_t *left, uint64_t *right) {
    const __m512i pv = _mm512_set1_epi64((long long)p);
    int32_t nl = 0, nr = 0, i = 0;
    for (; i < n; i += 8) {
        __mmask8 live = n - i >= 8 ? 0xFF : (__mmask8)((1u << (n - i)) - 1);
        __m512i v = _mm512_maskz_loadu_epi64(live, w + i);
        __mmask8 ge = _mm512_mask_cmpge_epu64_mask(live, v, pv), lt = (__mmask8)(~ge & live);
        _mm512_storeu_si512(left + nl, _mm512_maskz_compress_epi64(ge, v));
        _mm512_storeu_si512(right + nr, _mm512_maskz_compress_epi64(lt, v));
        nl += __builtin_popcount(ge);
        nr += __builtin_popcount(lt);
    }
    for (int32_t j = 0; j < nl; j++) w[j] = left[j];
    for (int32_t j = 0; j < nr; j++) w[nl + j] = right[j];
    return nl;
}

static int32_t lm_detect(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    // AVX needs the CPU's support and the OS saving the YMM state (OSXSAVE, then XCR0 bits 1 and 2).
    if (!(c & (1u << 27)) || !(c & (1u << 28))) return 0;
    int fma = (c >> 12) & 1;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0x6) != 0x6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    // AVX-512F (leaf 7 EBX bit 16) with the opmask and ZMM states saved (XCR0 bits 5, 6, 7).
    if ((b & (1u << 16)) && (lo & 0xE0) == 0xE0) return 2;
    // AVX2 (leaf 7 EBX bit 5) with FMA (leaf 1 ECX bit 12, kept in fma), which the GEMM kernel uses.
    return (b & (1u << 5)) && fma ? 1 : 0;
}
#else
static int32_t lm_detect(void) { return 0; }
#endif

int32_t lm_scan_best_level(void) {
    static int32_t level = -1;
    int32_t l = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (l < 0) {
        l = lm_detect();
        __atomic_store_n(&level, l, __ATOMIC_RELAXED);
    }
    return l;
}

int32_t lm_scan_row(int32_t level, const LMScanRow *args, int32_t *columns, float *scores) {
#if defined(__x86_64__)
    if (level >= 2) return lm_scan_avx512(args, columns, scores);
    if (level == 1) return lm_scan_avx2(args, columns, scores);
#endif
    (void)level;
    return lm_scan_portable(args, 0, 0, columns, scores);
}

void lm_select_largest(int32_t level, uint64_t *a, int32_t count, int32_t k) {
    if (k <= 0 || k >= count) return;
    uint64_t small[2 * (256 + 8)];
    uint64_t *scratch = count <= 256 ? small : (uint64_t *)malloc(2 * ((size_t)count + 8) * sizeof(uint64_t));
    uint64_t *w = a;
    int32_t n = count, need = k;
    // The median of three distinct keys is neither the window's largest nor its smallest, so both sides of each
    // partition are non-empty and the window shrinks.
    while (n > 2) {
        uint64_t p = lm_median3(w[0], w[n / 2], w[n - 1]);
        int32_t g;
        if (!scratch) {
            g = lm_partition_in_place(w, n, p);
            if (g == n || g == 0) break;  // only equal keys (never in one list) would stop it shrinking
        } else
#if defined(__x86_64__)
        if (level >= 2) g = lm_partition_avx512(w, n, p, scratch, scratch + n + 8);
        else
#endif
            g = lm_partition_portable(w, n, p, 0, scratch);
        // Only equal keys (never in one list, whose codes differ) could leave the window whole: then > p.
        if (g == n && scratch) g = lm_partition_portable(w, n, p, 1, scratch);
        if (g == 0) break;  // every key of the window equal: any of them will do
        if (g == need) break;
        if (g > need) {
            n = g;
        } else {
            w += g;
            n -= g;
            need -= g;
        }
    }
    if (n == 2 && need == 1 && w[1] > w[0]) {
        uint64_t t = w[0];
        w[0] = w[1];
        w[1] = t;
    }
    if (scratch && scratch != small) free(scratch);
    (void)level;
}
