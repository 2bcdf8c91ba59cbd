import Foundation
import GRDB
import GRDBSQLite

/// Set-based writes: rows go to SQLite in batches of a few hundred through one cached multi-row statement
/// (`VALUES (?, ?), (?, ?), …`). A statement per row cost GRDB's argument checks and SQLite's step and reset on
/// every row (an import of 50,000 workers spent more time there than in the B-trees). Feeding the rows as one JSON
/// array through `json_each` was tried: SQLite's `->>` re-reads each row's JSON per column and took 2.4 times as
/// long as these batches for the 14 columns of a post.
///
/// The batch's values are bound here with SQLite's own `sqlite3_bind_*` on GRDB's cached statement, and the
/// statement stepped here: GRDB's `StatementArguments` converts every value through a generic key-path `map` that
/// is not specialised across modules, and that conversion alone was 17 % of a 50,000-worker import.
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
            let text = sql.replacingOccurrences(of: "{rows}", with: Array(repeating: tuple, count: end - start).joined(separator: ","))
            let statement = try db.cachedStatement(sql: text)
            try run(statement.sqliteStatement, rows[start..<end], db: db, sql: text)
            changed += db.changesCount
            start = end
        }
        return changed
    }

    /// Binds the rows' values in order, steps the statement to its end, and resets it (bindings cleared).
    private static func run(_ s: SQLiteStatement, _ rows: ArraySlice<[DatabaseValue]>, db: Database, sql: String) throws {
        sqlite3_reset(s)
        sqlite3_clear_bindings(s)
        // SQLite copies each text and blob (SQLITE_TRANSIENT), so the Swift values need not outlive the call.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var index: Int32 = 1
        var code = SQLITE_OK
        for row in rows {
            for value in row where code == SQLITE_OK {
                switch value.storage {
                case .null: code = sqlite3_bind_null(s, index)
                case .int64(let i): code = sqlite3_bind_int64(s, index, i)
                case .double(let d): code = sqlite3_bind_double(s, index, d)
                case .string(var text):
                    // An empty text still needs a pointer: a null one would bind NULL.
                    code = text.isEmpty ? sqlite3_bind_text(s, index, "", 0, transient)
                        : text.withUTF8 { sqlite3_bind_text(s, index, $0.baseAddress, Int32($0.count), transient) }
                case .blob(let data):
                    code = data.isEmpty ? sqlite3_bind_zeroblob(s, index, 0)
                        : data.withUnsafeBytes { sqlite3_bind_blob(s, index, $0.baseAddress, Int32($0.count), transient) }
                }
                index += 1
            }
        }
        if code == SQLITE_OK {
            repeat { code = sqlite3_step(s) } while code == SQLITE_ROW
        }
        let message = code == SQLITE_DONE ? nil : String(cString: sqlite3_errmsg(db.sqliteConnection))
        sqlite3_reset(s)
        sqlite3_clear_bindings(s)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
    }
}
