/// Rows of an array lent to parallel readers without copying an element per read.
///
/// `rows[i]` of an `Array` of structs copies the element (retaining each of its strings and arrays) where the
/// optimiser cannot prove a borrow is enough; the candidate lists read a worker or post per row, millions of times,
/// and those copies were the largest share of their cost. This handle reads the element in place through an
/// addressor. It is only valid inside `withBorrowedRows`, which keeps the array alive and unchanged; it is read-only,
/// so sharing it between threads is safe.
struct BorrowedRows<Element>: @unchecked Sendable {
    private let base: UnsafePointer<Element>
    let count: Int

    private init(base: UnsafePointer<Element>, count: Int) {
        self.base = base
        self.count = count
    }

    subscript(i: Int) -> Element {
        unsafeAddress {
            precondition(i >= 0 && i < count, "row \(i) outside 0..<\(count)")
            return base + i
        }
    }

    /// Lends `array`'s rows to `body` (which must not let the handle escape).
    static func withBorrowedRows<R>(_ array: [Element], _ body: (BorrowedRows<Element>) throws -> R) rethrows -> R {
        try array.withUnsafeBufferPointer { buffer in
            // An empty array may have no base address; a handle over it is never read.
            guard let start = buffer.baseAddress else {
                return try withUnsafeTemporaryAllocation(of: Element.self, capacity: 1) { scratch in
                    try body(BorrowedRows(base: UnsafePointer(scratch.baseAddress!), count: 0))
                }
            }
            return try body(BorrowedRows(base: start, count: buffer.count))
        }
    }
}
