import GRDB

extension Registry {
    /// The schema as an append-only timeline: a migration that has shipped is never edited; changes come as new
    /// migrations. Written in SQL words, not app types, because migrations describe past states of the database.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE worker (
                    id_number TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    township TEXT NOT NULL,
                    village TEXT NOT NULL DEFAULT '',
                    poor INTEGER NOT NULL DEFAULT 0,
                    education TEXT NOT NULL DEFAULT '',
                    skills TEXT NOT NULL DEFAULT '',
                    certificates TEXT NOT NULL DEFAULT '',
                    intentions TEXT NOT NULL DEFAULT '',
                    destinations TEXT NOT NULL DEFAULT '',
                    expected_wage INTEGER,
                    status TEXT NOT NULL,
                    status_source TEXT NOT NULL,
                    status_date TEXT NOT NULL,
                    phone TEXT NOT NULL DEFAULT '',
                    registered TEXT NOT NULL,
                    last_contact TEXT
                );
                CREATE INDEX worker_township ON worker(township);
                CREATE TABLE employer (
                    credit_code TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL DEFAULT '',
                    excluded INTEGER NOT NULL DEFAULT 0,
                    excluded_since TEXT
                );
                CREATE TABLE post (
                    post_id TEXT PRIMARY KEY NOT NULL,
                    credit_code TEXT NOT NULL REFERENCES employer(credit_code),
                    employer TEXT NOT NULL,
                    title TEXT NOT NULL DEFAULT '',
                    occupation TEXT NOT NULL,
                    location TEXT NOT NULL,
                    openings INTEGER NOT NULL,
                    wage_min INTEGER NOT NULL,
                    wage_max INTEGER NOT NULL,
                    education_min TEXT NOT NULL DEFAULT '',
                    age_min INTEGER,
                    age_max INTEGER,
                    required_certificates TEXT NOT NULL DEFAULT '',
                    board_lodging INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE placement (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    id_number TEXT NOT NULL REFERENCES worker(id_number) ON DELETE CASCADE,
                    post_id TEXT REFERENCES post(post_id),
                    credit_code TEXT NOT NULL,
                    start_date TEXT NOT NULL,
                    end_date TEXT,
                    end_reason TEXT,
                    source TEXT NOT NULL,
                    confirmed_month TEXT,
                    suspected_since TEXT
                );
                CREATE INDEX placement_worker ON placement(id_number);
                CREATE UNIQUE INDEX placement_one_open ON placement(id_number) WHERE end_date IS NULL;
                CREATE TABLE contribution (
                    id_number TEXT NOT NULL REFERENCES worker(id_number) ON DELETE CASCADE,
                    credit_code TEXT NOT NULL,
                    month TEXT NOT NULL,
                    PRIMARY KEY (id_number, credit_code, month)
                );
                CREATE INDEX contribution_month ON contribution(month);
                CREATE TABLE contact (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    id_number TEXT NOT NULL REFERENCES worker(id_number) ON DELETE CASCADE,
                    date TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    note TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX contact_worker ON contact(id_number);
                CREATE TABLE run (
                    id TEXT PRIMARY KEY NOT NULL,
                    started TEXT NOT NULL,
                    as_of TEXT NOT NULL,
                    version TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    counts TEXT NOT NULL,
                    objective INTEGER NOT NULL
                );
                CREATE TABLE proposal (
                    run_id TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                    id_number TEXT NOT NULL REFERENCES worker(id_number) ON DELETE CASCADE,
                    post_id TEXT NOT NULL REFERENCES post(post_id),
                    score REAL NOT NULL,
                    PRIMARY KEY (run_id, id_number)
                );
                CREATE TABLE history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    key TEXT NOT NULL,
                    field TEXT NOT NULL,
                    old_value TEXT,
                    new_value TEXT,
                    source TEXT NOT NULL
                );
                CREATE INDEX history_key ON history(entity, key);
                """)
        }
        m.registerMigration("v2: import log") { db in
            try db.execute(sql: """
                CREATE TABLE import (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    as_of TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    file TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    read INTEGER NOT NULL,
                    rejected INTEGER NOT NULL,
                    inserted INTEGER NOT NULL,
                    updated INTEGER NOT NULL,
                    unchanged INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v3: the status each worker had in the last workers file") { db in
            try db.execute(sql: "ALTER TABLE worker ADD COLUMN imported_status TEXT")
            try db.execute(sql: "UPDATE worker SET imported_status = status")
        }
        m.registerMigration("v4: status evidence, call outcome codes, declined proposals, person numbers") { db in
            try db.execute(sql: """
                CREATE TABLE evidence (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    id_number TEXT NOT NULL REFERENCES worker(id_number) ON DELETE CASCADE,
                    status TEXT NOT NULL,
                    source TEXT NOT NULL,
                    evidence_date TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT '',
                    recorded TEXT NOT NULL
                );
                CREATE INDEX evidence_worker ON evidence(id_number, evidence_date);
                INSERT INTO evidence (id_number, status, source, evidence_date, detail, recorded)
                    SELECT id_number, status,
                        CASE status_source WHEN 'contact' THEN 'call' WHEN 'reconciliation' THEN 'contribution' ELSE 'file' END,
                        status_date, 'status before evidence was kept', status_date FROM worker;
                ALTER TABLE placement ADD COLUMN suspected_found TEXT;
                ALTER TABLE run ADD COLUMN reconciled_month TEXT;
                UPDATE run SET reconciled_month = (SELECT MAX(month) FROM contribution WHERE month < substr(run.as_of, 1, 7));
                CREATE TABLE proposal_first (
                    id_number TEXT NOT NULL REFERENCES worker(id_number) ON DELETE CASCADE,
                    post_id TEXT NOT NULL,
                    first TEXT NOT NULL,
                    PRIMARY KEY (id_number, post_id)
                );
                INSERT INTO proposal_first (id_number, post_id, first)
                    SELECT p.id_number, p.post_id, MIN(r.as_of) FROM proposal p JOIN run r ON r.id = p.run_id GROUP BY p.id_number, p.post_id;
                ALTER TABLE contact ADD COLUMN code TEXT;
                ALTER TABLE contact ADD COLUMN post_id TEXT;
                ALTER TABLE contact ADD COLUMN credit_code TEXT;
                CREATE TABLE declined (
                    id_number TEXT NOT NULL REFERENCES worker(id_number) ON DELETE CASCADE,
                    post_id TEXT NOT NULL,
                    date TEXT NOT NULL,
                    PRIMARY KEY (id_number, post_id)
                );
                CREATE TABLE person_number (
                    number INTEGER PRIMARY KEY AUTOINCREMENT,
                    id_number TEXT NOT NULL UNIQUE
                );
                INSERT INTO person_number (id_number) SELECT id_number FROM worker ORDER BY registered, id_number;
                """)
        }
        // The counter's cache (`Suggest`): the encoded open posts and free pool as `suggest` loads them. Any change
        // to the tables they come from clears the side it feeds, so a stale cache is never read.
        m.registerMigration("v5: encoded rows cached for suggest") { db in
            try db.execute(sql: """
                CREATE TABLE encoded_cache (
                    side TEXT PRIMARY KEY,
                    key TEXT NOT NULL,
                    ids TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    columns INTEGER NOT NULL,
                    matrix BLOB NOT NULL
                )
                """)
            // A worker's update clears the pool only when a column the pool is read from changes: a call's
            // last_contact, or a status rewritten to the same value, leaves it.
            let workerColumns = ["id_number", "name", "township", "village", "poor", "education", "skills", "certificates",
                                 "intentions", "destinations", "expected_wage", "status", "phone"]
            let workerChanged = "WHEN " + workerColumns.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ")
            for (table, sides) in [("post", "'posts'"), ("employer", "'posts'"), ("placement", "'posts', 'workers'"), ("worker", "'workers'")] {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    let when = table == "worker" && event == "UPDATE" ? workerChanged : ""
                    try db.execute(sql: """
                        CREATE TRIGGER encoded_cache_\(table)_\(event.lowercased()) AFTER \(event) ON \(table) \(when)
                            BEGIN DELETE FROM encoded_cache WHERE side IN (\(sides)); END
                        """)
                }
            }
        }
        // The same triggers, each run only while its side is cached: a trigger's DELETE costs more than the row it
        // follows (an import's 30,000 placements took 0.17 s with it, 0.10 s with this test, 0.08 s without a
        // trigger), and after a batch's first row there is nothing left to delete. Same conditions otherwise.
        m.registerMigration("v6: the cache's triggers run only while something is cached") { db in
            let workerColumns = ["id_number", "name", "township", "village", "poor", "education", "skills", "certificates",
                                 "intentions", "destinations", "expected_wage", "status", "phone"]
            let workerChanged = "(" + workerColumns.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ") + ") AND "
            for (table, sides) in [("post", "'posts'"), ("employer", "'posts'"), ("placement", "'posts', 'workers'"), ("worker", "'workers'")] {
                for event in ["INSERT", "UPDATE", "DELETE"] {
                    let changed = table == "worker" && event == "UPDATE" ? workerChanged : ""
                    try db.execute(sql: """
                        DROP TRIGGER encoded_cache_\(table)_\(event.lowercased());
                        CREATE TRIGGER encoded_cache_\(table)_\(event.lowercased()) AFTER \(event) ON \(table)
                            WHEN \(changed)EXISTS (SELECT 1 FROM encoded_cache WHERE side IN (\(sides)))
                            BEGIN DELETE FROM encoded_cache WHERE side IN (\(sides)); END
                        """)
                }
            }
        }
        return m
    }
}
