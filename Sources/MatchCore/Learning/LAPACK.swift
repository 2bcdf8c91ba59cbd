import CLAPACKE

/// The one file that calls LAPACKE (Debian's liblapacke): symmetric positive-definite solves and inverses of the
/// small (features × features) matrices of the retention model. Row-major, upper triangle; every LAPACKE info
/// code comes back as a `LAPACKError` naming what went wrong, never a crash.
public enum LAPACK {
    public enum LAPACKError: Error, Equatable, CustomStringConvertible {
        /// The matrix is not positive definite: the leading minor of this order (1-based) is not positive. For
        /// normal equations this means a feature is constant, or a linear combination of the others.
        case notPositiveDefinite(order: Int)
        /// LAPACKE refused argument `index` (1-based), or ran out of memory (-1010).
        case illegalArgument(index: Int)

        public var description: String {
            switch self {
            case .notPositiveDefinite(let k):
                return "the normal equations are singular at column \(k) (a feature constant across all placements, or a combination of others)"
            case .illegalArgument(let i):
                return i == 1010 ? "LAPACKE ran out of memory" : "LAPACKE refused argument \(i)"
            }
        }
    }

    static func check(_ info: Int32) throws {
        if info > 0 { throw LAPACKError.notPositiveDefinite(order: Int(info)) }
        if info < 0 { throw LAPACKError.illegalArgument(index: Int(-info)) }
    }

    static let upper = CChar(UInt8(ascii: "U"))

    /// Solves A x = b for a symmetric positive-definite n × n `a` (row-major) with `LAPACKE_dposv`.
    public static func solvePositiveDefinite(_ a: [Double], _ b: [Double]) throws -> [Double] {
        let n = b.count
        precondition(a.count == n * n, "A must be n × n")
        precondition(n < Int(Int32.max), "n must fit LAPACK's int")
        var a = a, x = b
        let info = a.withUnsafeMutableBufferPointer { ap in
            x.withUnsafeMutableBufferPointer { xp in
                LAPACKE_dposv(LAPACK_ROW_MAJOR, upper, Int32(n), 1, ap.baseAddress, Int32(n), xp.baseAddress, 1)
            }
        }
        try check(info)
        return x
    }

    /// The inverse of a symmetric positive-definite n × n `a` (row-major): Cholesky with `LAPACKE_dpotrf`, then
    /// `LAPACKE_dpotri`, which fills the upper triangle; the lower one is mirrored here.
    public static func inversePositiveDefinite(_ a: [Double], n: Int) throws -> [Double] {
        precondition(a.count == n * n, "A must be n × n")
        precondition(n < Int(Int32.max), "n must fit LAPACK's int")
        var m = a
        try m.withUnsafeMutableBufferPointer { p in
            try check(LAPACKE_dpotrf(LAPACK_ROW_MAJOR, upper, Int32(n), p.baseAddress, Int32(n)))
            try check(LAPACKE_dpotri(LAPACK_ROW_MAJOR, upper, Int32(n), p.baseAddress, Int32(n)))
        }
        for i in 0..<n { for j in 0..<i { m[i * n + j] = m[j * n + i] } }
        return m
    }
}
