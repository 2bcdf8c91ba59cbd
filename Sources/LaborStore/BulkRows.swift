import Foundation
import GRDB

/// Set-based writes: rows go to SQLite in batches of a few hundred through one cached multi-row statement
/// (`VALUES (?, ?), (?, ?), …`). A statement per row cost GRDB's argument checks and SQLite's step and reset on
/// every row (an import of 50,000 workers spent more time there than in the B-trees). Feeding the rows as one JSON
/// array through `json_each` was tried: SQLite's `->>` re-reads each row's JSON per column and took 2.4 times as
/// long as these batches for the 14 columns of a post.
enum BulkRows {
    /// The most rows per statement (SQLite allows 32,766 bound values; a few hundred rows already amortise the
    /// statement's overhead).
    static let batch = 256

    /// Runs `sql` once per batch of `rows`, `{rows}` in it replaced by the batch's `(?, …), (?, …)`; every row has
    /// the same number of values. Rows go in the order given (a `VALUES` list is read in order). Returns the number
    /// of rows the statements changed. Nothing runs for no rows.
    @discardableResult
    static func execute(_ db: Database, _ sql: String, rows: [[DatabaseValue]]) throws -> Int {
        guard let width = rows.first?.count else { return 0 }
        precondition(width > 0 && rows.allSatisfy { $0.count == width }, "rows of different widths")
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
        var changed = 0
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + batch)
            let statement = try db.cachedStatement(sql: sql.replacingOccurrences(
                of: "{rows}", with: Array(repeating: tuple, count: end - start).joined(separator: ",")))
            try statement.execute(arguments: StatementArguments(rows[start..<end].joined()))
            changed += db.changesCount
            start = end
        }
        return changed
    }
}
