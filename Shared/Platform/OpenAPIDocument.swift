import Foundation

/// The OpenAPI 3.1 document of one service, built from its `RouteSpec`s and served at
/// `/openapi.json`. Invariant: it lists exactly the routes the service's access policy knows, with
/// the roles allowed (`x-oms-roles`), path parameters, whether a JSON body is read, and the shared
/// error body every 4xx carries.
public enum OpenAPIDocument {
    /// The document as sorted-key JSON bytes.
    public static func json(service: String, routes: [RouteSpec]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(document(service: service, routes: routes)))
    }

    /// `/v1/orders/:id` written the OpenAPI way, `/v1/orders/{id}`.
    public static func templated(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    struct Document: Encodable {
        var openapi = "3.1.0"
        var info: [String: String]
        var paths: [String: [String: Operation]]
        var components: Components
    }

    struct Operation: Encodable {
        var operationId: String
        var summary: String
        var parameters: [Parameter]
        var requestBody: RequestBody?
        var security: [[String: [String]]]
        var xRoles: [String]
        var responses: [String: Reference]

        enum CodingKeys: String, CodingKey {
            case operationId, summary, parameters, requestBody, security, responses
            case xRoles = "x-oms-roles"
        }
    }

    struct Parameter: Encodable {
        var name: String
        var `in` = "path"
        var required = true
        var schema = ["type": "string"]
    }

    struct RequestBody: Encodable {
        var required = true
        var content = ["application/json": ["schema": ["type": "object"]]]
    }

    struct Reference: Encodable {
        var description: String
        var content: [String: [String: [String: String]]]?
    }

    struct Components: Encodable {
        var securitySchemes = ["bearer": ["type": "http", "scheme": "bearer"]]
        var schemas: [String: ErrorSchema] = ["Error": ErrorSchema()]
    }

    /// `{"error": {"code", "message", "fields": [{"field", "reason"}]}}` (see `APIError`).
    struct ErrorSchema: Encodable {
        struct Property: Encodable {
            var type: String
            var properties: [String: Property]?
            var items: Box?
            var required: [String]?
        }
        final class Box: Encodable {
            let value: Property
            init(_ value: Property) { self.value = value }
            func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
        }
        var type = "object"
        var required = ["error"]
        var properties: [String: Property] = [
            "error": Property(type: "object", properties: [
                "code": Property(type: "string"), "message": Property(type: "string"),
                "fields": Property(type: "array", items: Box(Property(type: "object", properties: ["field": Property(type: "string"), "reason": Property(type: "string")],
                                                                     required: ["field", "reason"]))),
            ], required: ["code", "message", "fields"]),
        ]
    }

    static func document(service: String, routes: [RouteSpec]) -> Document {
        var paths: [String: [String: Operation]] = [:]
        let error = Reference(description: "a client error, naming the field and the reason",
                              content: ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]])
        for route in routes {
            let method = route.method.rawValue.lowercased()
            let operationID = method + route.path.split(separator: "/").map { $0.hasPrefix(":") ? "by_" + $0.dropFirst() : String($0) }
                .joined(separator: "_").replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_").prefixedWithUnderscore
            var responses = ["2XX": Reference(description: "success"), "4XX": error]
            if case .roles = route.access {
                responses["401"] = Reference(description: "no valid bearer token", content: error.content)
                responses["403"] = Reference(description: "the token's role may not make this request", content: error.content)
            }
            paths[templated(route.path), default: [:]][method] = Operation(
                operationId: operationID, summary: route.summary, parameters: route.parameters.map { Parameter(name: $0) },
                requestBody: route.body == .json ? RequestBody() : nil,
                security: route.access == .open ? [] : [["bearer": []]],
                xRoles: route.roles.map(\.rawValue).sorted(), responses: responses)
        }
        return Document(info: ["title": "oms-\(service)", "version": "1"], paths: paths, components: Components())
    }
}

private extension String {
    var prefixedWithUnderscore: String { isEmpty ? self : "_" + self }
}
