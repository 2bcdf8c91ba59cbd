import ArgumentParser
import Foundation
import GRDB
import LaborModel
import LaborShard
import LaborStore
import MatchCore

/// Exit codes (sysexits.h): the one place that picks them.
enum Exit {
    static let ok = ExitCode(0)
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let noInput = ExitCode(66)
    static let software = ExitCode(70)
    static let cantCreate = ExitCode(73)
    static let ioError = ExitCode(74)
    static let tempFail = ExitCode(75)
    static let config = ExitCode(78)
}

/// Console output: results on stdout, messages on stderr. Only the CLI prints.
enum Console {
    static func out(_ s: String) {
        FileHandle.standardOutput.write(Data((s + "\n").utf8))
    }

    static func err(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}

/// Prints a run-time failure as one sentence and returns the exit code it maps to.
func exitCode(for error: Error) -> ExitCode {
    switch error {
    case let e as CSVError:
        Console.err("labormatch: error: \(e)")
        if case .cannotRead = e { return Exit.noInput }
        return Exit.dataError
    case let e as IntakeError:
        Console.err("labormatch: error: \(e)")
        return Exit.dataError
    case let e as TaxonomyError:
        Console.err("labormatch: error: \(e)")
        return e.line == nil && e.message.hasSuffix("file is missing (缺少分类文件)") || e.message.hasPrefix("weights file is missing")
            ? Exit.noInput : Exit.dataError
    case let e as AssignmentError:
        Console.err("labormatch: error: \(e)")
        if case .beyondSafeRange = e { return Exit.dataError }
        if case .invalidEdge = e { return Exit.dataError }
        return Exit.software
    case let e as NightlyService.Backdated:
        Console.err("labormatch: error: \(e)")
        return Exit.usage
    case let e as Registry.FileProblem:
        Console.err("labormatch: error: \(e)")
        if case .newerVersion = e { return Exit.config }
        return Exit.noInput
    case let e as OutputFolderError:
        Console.err("labormatch: error: \(e)")
        return Exit.cantCreate
    case let e as XLSXError:
        Console.err("labormatch: error: \(e)")
        if case .tooManyRows = e { return Exit.cantCreate }
        return Exit.software
    case let e as AtomicFileError:
        Console.err("labormatch: error: \(e)")
        return e.errno == ENOSPC || e.errno == EIO || e.errno == EDQUOT ? Exit.ioError : e.errno == EACCES || e.errno == EROFS ? Exit.cantCreate : Exit.software
    case let e as ExitCode:
        return e
    case let e as DatabaseError where e.resultCode == .SQLITE_FULL || e.resultCode == .SQLITE_IOERR:
        Console.err("labormatch: error: the registry could not be written: \(e.resultCode == .SQLITE_FULL ? "the disk is full" : "an I/O error") (磁盘已满或读写错误); nothing was committed — free space and run again")
        return Exit.ioError
    case let e as DatabaseError where e.resultCode == .SQLITE_NOTADB || e.resultCode == .SQLITE_CORRUPT:
        Console.err("labormatch: error: the registry is not a valid SQLite database (\(e.resultCode)) (登记册文件损坏); check --db or restore a copy")
        return Exit.noInput
    case let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED:
        Console.err("labormatch: error: the registry is busy (\(e.message ?? "locked")); try again (数据库正忙)")
        return Exit.tempFail
    case let e as ShardError:
        Console.err("labormatch: error: \(e)")
        switch e {
        case .indexOutOfRange: return Exit.usage
        case .badManifest, .inputChanged: return Exit.dataError
        case .noManifest, .damagedBlock, .parts: return Exit.noInput
        }
    case let e as NPY.FormatError:
        Console.err("labormatch: error: \(e)")
        return Exit.dataError
    case let e as ValidationError:
        Console.err("labormatch: error: \(e.message)")
        return Exit.usage
    case let e as CleanExit:
        _ = e
        return Exit.ok
    default:
        Console.err("labormatch: error: \(error)")
        return Exit.software
    }
}

/// Runs a command body, turning thrown errors into their exit codes.
func runMapped(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch { throw exitCode(for: error) }
}
