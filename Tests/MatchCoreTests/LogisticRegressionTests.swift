import Foundation
import Testing
import MatchCore

/// The IRLS fit against closed forms, and LAPACKE's info codes turned into errors.
@Suite struct LogisticRegressionTests {
    /// One binary feature, no ridge: the maximum-likelihood fit is the two groups' log-odds, and the standard
    /// errors are sqrt(1/(n p (1-p))) per group.
    @Test func singleBinaryFeatureMatchesTheClosedForm() throws {
        // x = 0: 30 of 100 retained; x = 1: 140 of 200.
        var rows: [[Double]] = [], y: [Bool] = []
        for i in 0..<100 { rows.append([0]); y.append(i < 30) }
        for i in 0..<200 { rows.append([1]); y.append(i < 140) }
        let fit = try LogisticRegression(rows: rows, labels: y).fit(ridge: 0)
        let logit = { (p: Double) in log(p / (1 - p)) }
        #expect(fit.converged && fit.singular == nil)
        #expect(abs(fit.coefficients[0] - logit(0.3)) < 1e-9)
        #expect(abs(fit.coefficients[1] - (logit(0.7) - logit(0.3))) < 1e-9)
        let v0 = 1 / (100 * 0.3 * 0.7), v1 = 1 / (200 * 0.7 * 0.3)
        #expect(abs(fit.standardErrors[0] - sqrt(v0)) < 1e-9)
        #expect(abs(fit.standardErrors[1] - sqrt(v0 + v1)) < 1e-9)
    }

    /// A feature constant across all rows makes the normal equations singular: reported and ridged, not a crash.
    @Test func aSingularDesignIsReportedAndRidged() throws {
        let rows = (0..<50).map { [Double($0 % 2), 0] }, y = (0..<50).map { $0 % 3 == 0 }
        let fit = try LogisticRegression(rows: rows, labels: y).fit(ridge: 0)
        #expect(fit.singular == .notPositiveDefinite(order: 3) && fit.ridge > 0)
        #expect(fit.coefficients[2] == 0 && fit.coefficients.allSatisfy(\.isFinite))
        #expect("\(fit.singular!)".contains("singular at column 3"))
    }

    @Test func lapackErrorsAreNamed() {
        #expect(throws: LAPACK.LAPACKError.notPositiveDefinite(order: 2)) {
            try LAPACK.solvePositiveDefinite([1, 2, 2, 1], [1, 1])
        }
        #expect(throws: LAPACK.LAPACKError.notPositiveDefinite(order: 1)) {
            try LAPACK.inversePositiveDefinite([-1, 0, 0, 1], n: 2)
        }
        let inv = (try? LAPACK.inversePositiveDefinite([4, 2, 2, 3], n: 2)) ?? []
        #expect(inv.count == 4 && zip(inv, [0.375, -0.25, -0.25, 0.5]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func aucCountsTiesAsHalf() {
        #expect(LogisticRegression.auc([1, 2, 3, 4], [false, false, true, true]) == 1)
        #expect(LogisticRegression.auc([1, 1, 1, 1], [false, true, false, true]) == 0.5)
        #expect(LogisticRegression.auc([3, 1, 2], [false, true, true]) == 0)
    }
}
