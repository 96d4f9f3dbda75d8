import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Keeps each SKU's name and category from the product master (`catalog.product-changed`), and
/// gives order lines that carry no category of their own the SKU's newest one.
/// Invariant: a SKU's row holds its newest version; an older or replayed one changes nothing, so the
/// facts are the same whatever order the topics are read in.
public struct ProductDimensionHandler: EventHandler {
    public let eventTypes: Set<String> = [ProductChanged.eventType]

    public init() {}

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        var newest: [String: ProductChanged] = [:]
        for event in events where event.type == ProductChanged.eventType {
            guard let product = try? event.decode(ProductChanged.self), !product.sku.isEmpty, !product.category.isEmpty else {
                throw HandlerRejection("catalog.product-changed without a SKU and a category")
            }
            if product.version > newest[product.sku]?.version ?? Int64.min { newest[product.sku] = product }
        }
        guard !newest.isEmpty else { return }
        let products = newest.values.sorted { $0.sku < $1.sku }
        let applied = try await context.connection.query("""
            INSERT INTO products (sku, name, category, version)
            SELECT * FROM unnest(\(products.map(\.sku))::text[], \(products.map(\.name))::text[], \(products.map(\.category))::text[], \(products.map(\.version))::int8[])
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, version = excluded.version
            WHERE products.version < excluded.version
            RETURNING sku, category
            """, logger: context.logger)
        var changed: [(sku: String, category: String)] = []
        for try await row in applied.decode((String, String).self) { changed.append(row) }
        guard !changed.isEmpty else { return }
        try await context.connection.query("""
            UPDATE order_line_facts f SET category = u.c FROM unnest(\(changed.map(\.sku))::text[], \(changed.map(\.category))::text[]) AS u(s, c)
            WHERE f.sku = u.s AND f.category_from_master AND f.category <> u.c
            """, logger: context.logger)
    }
}
