// CLAPACKE: Debian's LAPACKE for MatchCore. No API of its own; only MatchCore/Learning/LAPACK.swift calls into it.
#include <lapacke.h>
