// CBLAS: Debian's OpenBLAS for MatchCore. No API of its own; only MatchCore/Scoring/BLAS.swift calls into it.
#include <cblas.h>
