import Foundation
import Hummingbird
import OMSDomain

extension Response {
    /// A JSON response (sorted keys, ISO 8601 UTC dates) with the given status and extra headers.
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try EventCoding.encode(value))))
    }
}
