#ifndef LABORMATCH_SCAN_KERNEL_H
#define LABORMATCH_SCAN_KERNEL_H
#include <stdint.h>

/// One row of a score tile and the thresholds of the lists it may enter (see MatchCore's TileScanner).
typedef struct {
    /// The row's GEMM scores: `width` of them, or where `columnIndex` points.
    const float *row;
    /// Column j's score is row[columnIndex[j]] (posts sharing a feature row share its score), or NULL: row[j].
    /// The indices start at 0 and rise by 0 or 1 from one column to the next; `row` must be readable 16 floats
    /// past the last index.
    const int32_t *columnIndex;
    /// A bias per column added to the score, or NULL.
    const float *bias;
    /// > 0: the score is multiplied by it and rounded to an integer, as (s·q + 1.5·2^23) − 1.5·2^23; 0: kept.
    float quantization;
    /// The worker list's threshold score (+inf when there is no worker list) and the tie rank of its key.
    float workerThreshold;
    uint32_t workerThresholdRank;
    /// TieOrder.salt of the worker, and the posts' tie codes (`width`), for the worker list's tie ranks.
    uint32_t workerSalt;
    const uint32_t *postCodes;
    /// The posts' list thresholds and their keys' tie ranks (`width` each), or NULL when posts keep no lists.
    const float *postThreshold;
    const uint32_t *postThresholdRank;
    /// TieOrder.salt of each post (`width`), and the worker's tie code, for the posts' lists' tie ranks.
    const uint32_t *postSalt;
    uint32_t workerCode;
    /// TieOrder.multiplier: rank = (candidate code ^ owner salt) * multiplier mod 2^32.
    uint32_t multiplier;
    int32_t width;
} LMScanRow;

/// The instruction sets a scan can use: 0 portable C, 1 AVX2 with FMA, 2 AVX-512F.
int32_t lm_scan_best_level(void);

/// Writes the columns whose score enters the worker's list or the column's post list under the thresholds
/// given (a higher score, or an equal score with a lower tie rank) to `columns`, their scores to `scores`
/// (room for `width` + 16 each), in column order; returns how many. `level` must not exceed lm_scan_best_level().
int32_t lm_scan_row(int32_t level, const LMScanRow *row, int32_t *columns, float *scores);

/// A lower bound of the row's k-th best score, for a list that has seen nothing yet: the k-th largest of the best
/// scores of its groups of eight columns (g, g + w/8, …, g + 7·w/8 for w columns), so at least k columns score at
/// least as much. −∞ when the row has fewer
/// than 8·k columns (or more than 2,048). The scores as `lm_scan_row` computes them; the thresholds are not read.
float lm_row_bound(const LMScanRow *row, int32_t k);

/// The same for the posts' lists, for lists that have seen nothing yet: for each of the row's `width` columns, a lower
/// bound of its k-th best score over the `rows` rows starting at `row->row`, `ld` floats apart (the k-th largest of
/// the column's best scores in groups of eight rows), with the column index, bias and quantisation of `row`; −∞ when
/// there are fewer than 8·k rows (or more than 2,048).
void lm_post_bounds(const LMScanRow *row, int32_t rows, int32_t ld, int32_t k, float *bounds);

/// Moves the `k` largest of `a[0..<count]` (distinct keys) to `a[0..<k]`, in no particular order: quickselect
/// whose partitions are branch-free (AVX-512 compress at level 2, conditional stores otherwise).
void lm_select_largest(int32_t level, uint64_t *a, int32_t count, int32_t k);

/// The posts' panels for `lm_gemm_panels`: each holds 32 columns of B (rows of the post matrix) as d rows of 32
/// floats, the last one padded with zeros.
int32_t lm_panel_columns(void);

/// Packs `cols` rows of B (`d` floats each, `ldb` apart) into ⌈cols / 32⌉ panels at `panels` (d · 32 floats each).
void lm_pack_panels(const float *b, int32_t ldb, int32_t cols, int32_t d, float *panels);

/// C (rows × cols, `ldc` apart) = A (rows × d, `lda` apart) · Bᵀ, B's `cols` rows packed by `lm_pack_panels`. Every
/// level gives the same bits: each score is one fused multiply-add per k, in order, from zero. `level` must not
/// exceed lm_scan_best_level() (level 1 uses AVX2 with FMA).
void lm_gemm_panels(int32_t level, const float *a, int32_t lda, int32_t rows, const float *panels, int32_t cols,
                    int32_t d, float *c, int32_t ldc);

#endif
