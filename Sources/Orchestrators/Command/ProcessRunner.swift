import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished program produced.
struct ProcessOutput: Sendable {
    var exitStatus: Int32
    /// True when it was ended by a signal (`exitStatus` is then the signal number).
    var signalled: Bool
    var standardOutput: String
    var standardError: String
}

/// Runs programs by argv (no shell) with a bounded run time.
enum ProcessRunner {
    /// Finds `argv[0]` on `PATH` unless it contains a slash.
    static func executableURL(for program: String, environment: [String: String]) throws -> URL {
        if program.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: program) else {
                throw OrchestratorError(.config, "program \(program) does not exist or is not executable")
            }
            return URL(fileURLWithPath: program)
        }
        let path = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw OrchestratorError(.config, "program \(program) was not found on PATH (\(path)); use an absolute path")
    }

    static func makeProcess(argv: [String], environment: [String: String]) throws -> Process {
        guard let program = argv.first, !program.isEmpty else {
            throw OrchestratorError(.config, "empty command: give the program and its arguments as a list")
        }
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let process = Process()
        process.executableURL = try executableURL(for: program, environment: merged)
        process.arguments = Array(argv.dropFirst())
        process.environment = merged
        process.standardInput = FileHandle.nullDevice
        return process
    }

    /// Creates, prepares and starts a process. A program file that another thread has open for writing
    /// at that instant (a descriptor briefly inherited by a concurrent spawn) fails with ETXTBSY: that
    /// is retried a few times, each with a fresh `Process`.
    static func launch(argv: [String], environment: [String: String], prepare: (Process) -> Void) throws -> Process {
        var attempt = 0
        while true {
            let process = try makeProcess(argv: argv, environment: environment)
            prepare(process)
            do {
                try process.run()
                return process
            } catch {
                attempt += 1
                if attempt < 5, isTextFileBusy(error) {
                    usleep(20_000)
                    continue
                }
                throw OrchestratorError(.commandFailed, "cannot start \(argv[0]): \(error)")
            }
        }
    }

    static func isTextFileBusy(_ error: any Error) -> Bool {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain, nsError.code == Int(ETXTBSY) { return true }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.domain == NSPOSIXErrorDomain && underlying.code == Int(ETXTBSY)
        }
        return false
    }

    /// Runs `argv` to completion; after `timeoutSeconds` sends SIGTERM, then SIGKILL after `graceSeconds`.
    static func run(argv: [String], timeoutSeconds: Double, graceSeconds: Double, environment: [String: String] = [:]) async throws -> ProcessOutput {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("forescale-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout")
        let errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        let (exits, exitContinuation) = AsyncStream<Void>.makeStream()
        let process = try launch(argv: argv, environment: environment) { process in
            process.standardOutput = outHandle
            process.standardError = errHandle
            process.terminationHandler = { _ in
                exitContinuation.yield()
                exitContinuation.finish()
            }
        }
        let pid = process.processIdentifier
        let exited = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in exits {}
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(max(timeoutSeconds, 0) * 1_000_000_000))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !exited {
            signalGroup(pid, SIGTERM)
            if !(await waitForExit(process, seconds: graceSeconds)) {
                signalGroup(pid, SIGKILL)
                _ = await waitForExit(process, seconds: 5)
            }
            if Task.isCancelled { throw CancellationError() }
            throw OrchestratorError(
                .timeout, "\(argv.joined(separator: " ")) did not finish within \(timeoutSeconds) s and was stopped; raise `timeout` or fix the program")
        }
        _ = await waitForExit(process, seconds: 5)  // the handler may run just before the status is published
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return ProcessOutput(
            exitStatus: process.terminationStatus,
            signalled: process.terminationReason == .uncaughtSignal,
            standardOutput: String(out.prefix(64 * 1024)),
            standardError: String(err.prefix(64 * 1024))
        )
    }

    /// Signals the child's process group (Foundation starts each child as a group leader), so programs
    /// it started die with it; falls back to the child alone.
    static func signalGroup(_ pid: Int32, _ signal: Int32) {
        guard pid > 0 else { return }
        if kill(-pid, signal) != 0 {
            kill(pid, signal)
        }
    }

    /// Polls (bounded) until the process has exited.
    static func waitForExit(_ process: Process, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            if Date() >= deadline { return false }
            await pause()
        }
        return true
    }

    /// About 10 ms, also when the task is cancelled (clean-up after cancellation must still wait for children).
    static func pause() async {
        if Task.isCancelled {
            usleep(10_000)
        } else {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }
}
