import Controller
import DecisionStorage
import Foundation
import OpenAPIRuntime

/// The generated `APIProtocol`: health, status, targets, series and the document. Errors are
/// thrown (`APIError`, `ControlError`) and rendered by `APIErrorMiddleware`.
extension StatusAPI: APIProtocol {
    func healthz(_ input: Operations.Healthz.Input) async throws -> Operations.Healthz.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func readyz(_ input: Operations.Readyz.Input) async throws -> Operations.Readyz.Output {
        let ready = await backend.isReady()
        return ready ? .ok(.init(body: .json(.init(ready: true)))) : .serviceUnavailable(.init(body: .json(.init(ready: false))))
    }

    /// Answered from `StatusCacheMiddleware`'s cached body while it may be.
    func getStatus(_ input: Operations.GetStatus.Input) async throws -> Operations.GetStatus.Output {
        .ok(.init(body: .json(await backend.status())))
    }

    func listTargets(_ input: Operations.ListTargets.Input) async throws -> Operations.ListTargets.Output {
        .ok(.init(body: .json(.init(targets: await backend.targetSummaries()))))
    }

    func getTarget(_ input: Operations.GetTarget.Input) async throws -> Operations.GetTarget.Output {
        let name = try Self.targetName(input.path.name)
        let window = try Self.duration("window", input.query.window, default: Self.defaultWindowSeconds, range: Self.windowRange)
        return .ok(.init(body: .json(try await backend.targetDetail(name: name, scorecardWindowSeconds: window))))
    }

    func getTargetSeries(_ input: Operations.GetTargetSeries.Input) async throws -> Operations.GetTargetSeries.Output {
        let name = try Self.targetName(input.path.name)
        let window = try Self.duration("window", input.query.window, default: Self.defaultSeriesWindowSeconds, range: Self.seriesWindowRange)
        return .ok(.init(body: .json(try await backend.series(name: name, windowSeconds: window))))
    }

    func getOpenAPI(_ input: Operations.GetOpenAPI.Input) async throws -> Operations.GetOpenAPI.Output {
        .ok(.init(body: .yaml(HTTPBody(try Self.openAPIDocument()))))
    }
}
