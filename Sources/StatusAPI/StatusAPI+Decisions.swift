import Controller
import DecisionStorage
import Foundation

/// `GET /v1/decisions`: a `DecisionPage` with `nextCursor` always present (`null` at the end).
public struct DecisionPageBody: Sendable, Hashable, Codable {
    public var decisions: [DecisionRecord]
    public var nextCursor: String?

    public init(_ page: DecisionPage) {
        self.decisions = page.decisions
        self.nextCursor = page.nextCursor
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decisions, forKey: .decisions)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    /// Hashable for the generated output that carries it; `DecisionRecord` is only Equatable.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(decisions.count)
        hasher.combine(nextCursor)
    }
}

extension StatusAPI {
    func listDecisions(_ input: Operations.ListDecisions.Input) async throws -> Operations.ListDecisions.Output {
        .ok(.init(body: .json(DecisionPageBody(try await backend.decisions(try Self.decisionQuery(input.query))))))
    }

    /// The log query of the request's parameters, with the checks the document states and the
    /// generated decoding does not make (`minLength`, bounds, `pattern`).
    static func decisionQuery(_ query: Operations.ListDecisions.Input.Query) throws -> DecisionQuery {
        var result = DecisionQuery()
        if let target = query.target {
            guard !target.isEmpty else { throw APIError.badRequest("target", "target must not be empty") }
            result.target = target
        }
        // An `until` not after `since` is an empty range: an empty page, not an error (the two are
        // independent parameters in the OpenAPI document, which cannot relate them).
        result.sinceSeconds = try APITime.seconds(query.since, "since")
        result.untilSeconds = try APITime.seconds(query.until, "until")
        if let limit = query.limit {
            guard Self.limitRange.contains(limit) else {
                throw APIError.badRequest("limit", "limit must be an integer from 1 to 1000, not '\(limit)'")
            }
            result.limit = limit
        }
        if let cursor = query.cursor {
            guard Self.isCursor(cursor) else { throw APIError.badRequest("cursor", "cursor must be a value returned as nextCursor") }
            result.cursor = cursor
        }
        return result
    }
}
