/// A dense row-major Float32 matrix: one row per worker (or post), one column per feature.
public struct FeatureMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows × columns` values, row-major.
    public var values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0, "negative matrix size")
        precondition(values.count == rows * columns, "values must hold rows × columns entries")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int) {
        self.init(rows: rows, columns: columns, values: Array(repeating: 0, count: rows * columns))
    }

    @inlinable public subscript(row: Int, column: Int) -> Float {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The inner product of row `i` of `self` with row `j` of `other`, summed in Double (a reference, not fast).
    public func dot(row i: Int, _ other: FeatureMatrix, row j: Int) -> Double {
        precondition(columns == other.columns, "column counts differ")
        var s = 0.0
        for c in 0..<columns { s += Double(values[i * columns + c]) * Double(other.values[j * columns + c]) }
        return s
    }
}
