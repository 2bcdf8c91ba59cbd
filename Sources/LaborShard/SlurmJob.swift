import Foundation
import LaborModel

/// The Slurm side of a sharded run (`shard slurm`): an array job with one task per shard, a merge job that
/// waits for it (`afterok`), and `submit.sh`, the wrapper that submits only the shards not finished yet, waits,
/// and judges the run by the jobs' states, not their exit codes (a merge cancelled because a shard failed ends
/// with exit code 0:0). See ../shared/reference/slurm-on-one-machine.md for the pitfalls this avoids.
public struct SlurmJob: Sendable {
    public var manifestPath: String
    /// The merge's output folder.
    public var out: String
    /// The labormatch binary the jobs run (on a cluster: a path every node sees).
    public var executable: String
    public var partition: String?
    public var cpusPerShard: Int
    /// More arguments of `shard merge` (e.g. `--assign greedy --format xlsx`).
    public var mergeArguments: [String]

    public init(manifestPath: String, out: String, executable: String, partition: String?, cpusPerShard: Int, mergeArguments: [String]) {
        self.manifestPath = manifestPath
        self.out = out
        self.executable = executable
        self.partition = partition
        self.cpusPerShard = cpusPerShard
        self.mergeArguments = mergeArguments
    }

    /// `DIR/slurm`, beside the manifest.
    public var directory: String { ShardManifest.directory(of: manifestPath) + "/slurm" }

    /// A word for bash, single-quoted.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    var header: String {
        "#SBATCH --cpus-per-task=\(cpusPerShard)\n" + (partition.map { "#SBATCH --partition=\($0)\n" } ?? "")
    }

    var shardsScript: String {
        """
        #!/usr/bin/env bash
        # One task per shard (written by 'labormatch shard slurm'): scores shard $SLURM_ARRAY_TASK_ID against all
        # posts. submit.sh gives the --array list (the shards not finished yet).
        #SBATCH --job-name=labormatch-shard
        #SBATCH --output=shard_%a.log
        \(header)set -euo pipefail
        # Slurm's task/none does not bind CPUs: without this, each shard's GEMM would use every core of the node.
        export OPENBLAS_NUM_THREADS=\(cpusPerShard)
        exec \(SlurmJob.quote(executable)) shard score --manifest \(SlurmJob.quote(manifestPath)) --index "$SLURM_ARRAY_TASK_ID" --threads \(cpusPerShard)

        """
    }

    var mergeScript: String {
        let args = (["shard", "merge", "--manifest", manifestPath, "--out", out] + mergeArguments).map(SlurmJob.quote).joined(separator: " ")
        return """
        #!/usr/bin/env bash
        # The merge (written by 'labormatch shard slurm'): checks every shard's parts, merges the lists and writes
        # what 'labormatch match' writes, then assigns. Submitted with --dependency=afterok on the shards.
        #SBATCH --job-name=labormatch-merge
        #SBATCH --output=merge.log
        \(header)set -euo pipefail
        export OPENBLAS_NUM_THREADS=\(cpusPerShard)
        exec \(SlurmJob.quote(executable)) \(args)

        """
    }

    var submitScript: String {
        """
        #!/usr/bin/env bash
        # Written by 'labormatch shard slurm'. Submits the shards not finished yet as one job array and the merge
        # after them, waits, and checks every job's STATE (a merge cancelled because a shard failed exits 0:0).
        # Exits 1 naming the failed shards; run it again (or 'labormatch shard slurm ... --submit') to rerun only
        # those shards and the merge: finished shards are kept.
        set -euo pipefail
        cd "$(dirname "$0")"
        LABORMATCH=\(SlurmJob.quote(executable))
        MANIFEST=\(SlurmJob.quote(manifestPath))
        pending=$("$LABORMATCH" shard status --manifest "$MANIFEST" --pending)
        A=""
        if [ -n "$pending" ]; then
          A=$(sbatch --parsable --array="$pending" shards.sbatch)
          echo "submitted shards $pending as array job $A" >&2
          M=$(sbatch --parsable --dependency="afterok:$A" merge.sbatch)
        else
          echo "every shard is finished; submitting the merge only" >&2
          M=$(sbatch --parsable merge.sbatch)
        fi
        echo "submitted the merge as job $M" >&2
        while squeue -h -j "${A:+$A,}$M" 2>/dev/null | grep -q .; do
          # Where kill_invalid_depend is not set, a merge whose shards failed would wait for ever.
          if squeue -h -j "$M" -o %r 2>/dev/null | grep -q DependencyNeverSatisfied; then scancel "$M"; fi
          sleep 1
        done
        field() { sed -n "s/.*[[:space:]]$1=\\([^[:space:]]*\\).*/\\1/p"; }
        failed=""
        if [ -n "$A" ]; then
          while read -r line; do
            [ -n "$line" ] || continue
            state=$(field JobState <<<" $line"); task=$(field ArrayTaskId <<<" $line"); code=$(field ExitCode <<<" $line")
            if [ "$state" != COMPLETED ]; then
              echo "labormatch: error: shard $task $state (exit code $code); log: $PWD/shard_$task.log" >&2
              tail -n 3 "shard_$task.log" 2>/dev/null | sed 's/^/    /' >&2 || true
              failed="$failed $task"
            fi
          done < <(scontrol -o show job "$A")
        fi
        mstate=$(scontrol -o show job "$M" | field JobState)
        if [ -n "$failed" ]; then
          echo "labormatch: error: failed shards:$failed; the merge was $mstate. Fix the cause, then run $PWD/submit.sh again: only the unfinished shards and the merge run" >&2
          exit 1
        fi
        if [ "$mstate" != COMPLETED ]; then
          echo "labormatch: error: the merge (job $M) ended $mstate; log: $PWD/merge.log" >&2
          tail -n 5 merge.log 2>/dev/null | sed 's/^/    /' >&2 || true
          exit 1
        fi
        echo "shards and merge completed; output in "\(SlurmJob.quote(out))

        """
    }

    /// A YAML double-quoted scalar (JSON's string syntax, which YAML reads the same).
    static func yamlString(_ s: String) -> String {
        let e = JSONEncoder()
        e.outputFormatting = .withoutEscapingSlashes
        return String(decoding: (try? e.encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// For sites that run Kubernetes rather than Slurm (documented, not tested here).
    func kubernetesJob(shards: Int) -> String {
        """
        # A Kubernetes Indexed Job (written by 'labormatch shard slurm'; not tested here): one pod per shard, the
        # pod's JOB_COMPLETION_INDEX as --index. The shard folder must be on a volume every pod mounts at the same
        # path; the image needs the labormatch binary and Debian's libopenblas0 and liblapacke. When the job has
        # completed, run the merge once: \(SlurmJob.quote(executable)) shard merge --manifest \(manifestPath) --out \(out)
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: labormatch-shards
        spec:
          completionMode: Indexed
          completions: \(shards)
          parallelism: \(shards)
          backoffLimit: \(shards)
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: shard
                image: labormatch:latest
                command: ["sh", "-c", \(SlurmJob.yamlString("exec labormatch shard score --manifest \(SlurmJob.quote(manifestPath)) --index \"$JOB_COMPLETION_INDEX\" --threads \(cpusPerShard)"))]
                env:
                - name: OPENBLAS_NUM_THREADS
                  value: "\(cpusPerShard)"
                resources:
                  requests: {cpu: "\(cpusPerShard)"}
                  limits: {cpu: "\(cpusPerShard)"}
                volumeMounts:
                - {name: shards, mountPath: \(SlurmJob.yamlString(ShardManifest.directory(of: manifestPath)))}
              volumes:
              - name: shards
                persistentVolumeClaim: {claimName: labormatch-shards}

        """
    }

    /// Writes shards.sbatch, merge.sbatch, submit.sh and kubernetes-job.yaml into `directory`.
    public func write(shards: Int) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        for (name, text, mode) in [("shards.sbatch", shardsScript, 0o755), ("merge.sbatch", mergeScript, 0o755),
                                   ("submit.sh", submitScript, 0o755), ("kubernetes-job.yaml", kubernetesJob(shards: shards), 0o644)] {
            let path = directory + "/" + name
            try AtomicFile.write(Data(text.utf8), to: path)
            chmod(path, mode_t(mode))
            written.append(path)
        }
        return written
    }

    /// Runs submit.sh, its output going to this process's, and returns its exit status.
    public func submit() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [directory + "/submit.sh"]
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
