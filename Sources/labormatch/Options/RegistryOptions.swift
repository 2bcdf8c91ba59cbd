import ArgumentParser
import Foundation
import LaborModel
import LaborStore

/// Where the registry is, and opening it under the command lock.
struct RegistryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The registry (SQLite) file.", valueName: "path"))
    var db: String = "labormatch.sqlite"

    /// The options for a registry path given otherwise (e.g. `report --db`, where the registry is optional).
    static func at(_ path: String) -> RegistryOptions {
        var o = RegistryOptions()
        o.db = path
        return o
    }

    /// Refuses a --db that is not a registry before anything touches it (exit 66), and one written by a newer
    /// labormatch (exit 78).
    func checkFile() throws {
        do { try Registry.checkFile(path: db) } catch let e as Registry.FileProblem {
            Console.err("labormatch: error: \(e)")
            throw Exit.noInput
        }
    }

    /// Takes the registry's lock (exit 75 at once when another command holds it).
    func lock() throws -> RegistryLock {
        try checkFile()
        do { return try RegistryLock(registryPath: db) } catch let e as RegistryLock.Busy {
            Console.err("labormatch: error: \(e)")
            throw Exit.tempFail
        } catch let e as RegistryLock.CannotOpen {
            Console.err("labormatch: error: \(e)")
            throw Exit.noInput
        }
    }

    func open(create: Bool) throws -> Registry {
        if !create && !FileManager.default.fileExists(atPath: db) {
            Console.err("labormatch: error: no registry at \(db) (登记册不存在); create it with 'labormatch import workers FILE --db \(db)' or 'labormatch nightly --bootstrap sample'")
            throw Exit.noInput
        }
        return try Registry(path: db)
    }
}
