import Foundation
import OMSDomain

/// Decoding of a configuration a service keeps as JSON in its schema (risk policy, sourcing
/// policy). Keys the stored JSON lacks take the defaults (a field added in a release needs no
/// data migration); a key that is there but does not decode is an error
/// (`StoredConfigurationUnreadable`), never a silent fall-back to every default.
public enum StoredConfiguration {
    public static func decode<T: Codable>(_ type: T.Type, json: String, defaults: T, name: String) throws -> T {
        do {
            guard var stored = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
                throw StoredConfigurationUnreadable(name: name, reason: "not a JSON object")
            }
            let base = try JSONSerialization.jsonObject(with: Data(try EventCoding.encode(defaults))) as? [String: Any] ?? [:]
            stored.merge(base) { storedValue, _ in storedValue }
            return try EventCoding.decode(T.self, from: Array(try JSONSerialization.data(withJSONObject: stored)))
        } catch let unreadable as StoredConfigurationUnreadable {
            throw unreadable
        } catch {
            throw StoredConfigurationUnreadable(name: name, reason: PIIMask.scrub(String(describing: error)))
        }
    }
}
