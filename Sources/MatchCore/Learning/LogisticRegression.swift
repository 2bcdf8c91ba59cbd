import Foundation

/// Logistic regression by iteratively reweighted least squares (Newton's method): each step solves the normal
/// equations (Xᵀ W X + λ D) Δ = Xᵀ (y − p) − λ D β with LAPACKE (`LAPACK.solvePositiveDefinite`), where
/// W = diag(p (1 − p)) and D penalises every coefficient but the intercept (column 0) — ridge regularisation.
/// Standard errors are the square roots of the diagonal of (Xᵀ W X + λ D)⁻¹ at the optimum (`LAPACKE_dpotri`).
public struct LogisticRegression: Sendable {
    public struct Fit: Sendable {
        public var coefficients: [Double]
        public var standardErrors: [Double]
        public var iterations: Int
        public var converged: Bool
        /// The ridge actually used: more than asked when the normal equations were singular at the asked one.
        public var ridge: Double
        /// Set when the asked ridge left the normal equations singular (e.g. a feature constant across all rows).
        public var singular: LAPACK.LAPACKError?
        public var logLoss: Double
    }

    /// Rows of features (without the intercept, which is added as column 0), labels 0/1.
    public var rows: [[Double]]
    public var labels: [Bool]

    public init(rows: [[Double]], labels: [Bool]) {
        precondition(rows.count == labels.count, "one label per row")
        self.rows = rows
        self.labels = labels
    }

    public static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z)) }

    /// Mean log-loss of probabilities `p` against `y` (clamped away from 0 and 1).
    public static func logLoss(_ p: [Double], _ y: [Bool]) -> Double {
        guard !p.isEmpty else { return .nan }
        var s = 0.0
        for (q, t) in zip(p, y) { let c = min(max(q, 1e-12), 1 - 1e-12); s -= t ? log(c) : log(1 - c) }
        return s / Double(p.count)
    }

    /// Area under the ROC curve of `scores` for labels `y` (ties count one half): the chance a retained pair
    /// scores above a not-retained one.
    public static func auc(_ scores: [Double], _ y: [Bool]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0, i = 0
        let positives = y.filter { $0 }.count, negatives = y.count - positives
        guard positives > 0, negatives > 0 else { return .nan }
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let midRank = Double(i + j) / 2 + 1
            for k in i...j where y[order[k]] { rankSum += midRank }
            i = j + 1
        }
        return (rankSum - Double(positives) * Double(positives + 1) / 2) / (Double(positives) * Double(negatives))
    }

    public func predict(_ beta: [Double]) -> [Double] {
        rows.map { r in LogisticRegression.sigmoid(beta[0] + zip(r, beta.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }) }
    }

    /// Fits with ridge `lambda` (≥ 0). When the normal equations are singular at that ridge, retries with a ridge
    /// of 1e-6 × n, then 1e-3 × n, and says so in `singular`.
    public func fit(ridge lambda: Double, maxIterations: Int = 50, tolerance: Double = 1e-10) throws -> Fit {
        precondition(lambda >= 0, "ridge must be 0 or more")
        var ridges = [lambda]
        let n = Double(max(rows.count, 1))
        for r in [1e-6 * n, 1e-3 * n] where r > lambda { ridges.append(r) }
        var firstError: LAPACK.LAPACKError?
        for r in ridges {
            do {
                var f = try fit(exactRidge: r, maxIterations: maxIterations, tolerance: tolerance)
                f.singular = firstError
                return f
            } catch let e as LAPACK.LAPACKError {
                if case .illegalArgument = e { throw e }
                if firstError == nil { firstError = e }
            }
        }
        throw firstError!
    }

    func fit(exactRidge lambda: Double, maxIterations: Int, tolerance: Double) throws -> Fit {
        let p = (rows.first?.count ?? 0) + 1
        var beta = [Double](repeating: 0, count: p)
        var iterations = 0, converged = false
        var hessian = [Double](repeating: 0, count: p * p)
        var x = [Double](repeating: 1, count: p)
        func normalEquations(_ beta: [Double]) -> (h: [Double], g: [Double]) {
            var h = [Double](repeating: 0, count: p * p), g = [Double](repeating: 0, count: p)
            for (r, y) in zip(rows, labels) {
                for k in 1..<p { x[k] = r[k - 1] }
                var z = 0.0
                for k in 0..<p { z += x[k] * beta[k] }
                let mu = LogisticRegression.sigmoid(z), w = mu * (1 - mu), resid = (y ? 1 : 0) - mu
                for a in 0..<p {
                    g[a] += x[a] * resid
                    for b in a..<p { h[a * p + b] += w * x[a] * x[b] }
                }
            }
            for a in 0..<p { for b in 0..<a { h[a * p + b] = h[b * p + a] } }
            for k in 1..<p { h[k * p + k] += lambda; g[k] -= lambda * beta[k] }
            return (h, g)
        }
        while iterations < maxIterations {
            iterations += 1
            let (h, g) = normalEquations(beta)
            hessian = h
            let step = try LAPACK.solvePositiveDefinite(h, g)
            for k in 0..<p { beta[k] += step[k] }
            if step.map(abs).max() ?? 0 < tolerance * (1 + (beta.map(abs).max() ?? 0)) { converged = true; break }
        }
        hessian = normalEquations(beta).h
        let inverse = try LAPACK.inversePositiveDefinite(hessian, n: p)
        let se = (0..<p).map { sqrt(max(0, inverse[$0 * p + $0])) }
        return Fit(coefficients: beta, standardErrors: se, iterations: iterations, converged: converged, ridge: lambda,
                   singular: nil, logLoss: LogisticRegression.logLoss(predict(beta), labels))
    }
}
