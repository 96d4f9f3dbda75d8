import Foundation
import Hummingbird

/// A client-facing error with a machine-readable JSON body:
/// `{"error": {"code": "...", "message": "...", "fields": [{"field": "...", "reason": "..."}]}}`.
/// Invariant: used for 4xx only; messages name fields and rules, never echo personal data.
public struct APIError: HTTPResponseError, Sendable {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var reason: String
        public init(field: String, reason: String) {
            self.field = field
            self.reason = reason
        }
    }

    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var fields: [FieldError]

    public init(_ status: HTTPResponse.Status, code: String, message: String, fields: [FieldError] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
    }

    public static func validation(_ fields: [FieldError]) -> APIError {
        APIError(.unprocessableContent, code: "validation_failed", message: "the request has invalid fields", fields: fields)
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) not found")
    }

    public static func conflict(_ code: String, _ message: String) -> APIError {
        APIError(.conflict, code: code, message: message)
    }

    struct Body: Encodable {
        struct Inner: Encodable {
            var code: String
            var message: String
            var fields: [FieldError]
        }
        var error: Inner
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Body(error: .init(code: code, message: message, fields: fields)))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Request {
    /// Query parameters as a plain dictionary (the first value wins when a key repeats).
    public var queryDictionary: [String: String] {
        Dictionary(uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Decodes a JSON body, turning malformed JSON or wrong types into a 400/422 `APIError`
    /// that names the field instead of a bare failure. It calls the context's decoder itself:
    /// Hummingbird's `decode(as:context:)` turns a `DecodingError` into an `HTTPError` with
    /// prose only, which would lose the field.
    public func decodeJSON<T: Decodable>(as type: T.Type, context: some RequestContext) async throws -> T {
        do {
            return try await context.requestDecoder.decode(type, from: self, context: context)
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "malformed_body", message: "request body does not match the expected shape",
                           fields: [APIError.FieldError(field: Self.path(of: error), reason: Self.reason(of: error))])
        } catch let error as HTTPError {
            throw APIError(error.status, code: error.status == .contentTooLarge ? "body_too_large" : "malformed_body",
                           message: error.body ?? "request body could not be read")
        }
    }

    private static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context? = switch error {
        case .keyNotFound(let key, let c): DecodingError.Context(codingPath: c.codingPath + [key], debugDescription: c.debugDescription)
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c
        @unknown default: nil
        }
        let path = context?.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") ?? ""
        return path.isEmpty ? "(body)" : path.replacingOccurrences(of: ".[", with: "[")
    }

    private static func reason(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound: "required"
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "must not be null (expected \(type))"
        case .dataCorrupted: "not valid JSON"
        @unknown default: "invalid"
        }
    }
}
