@testable import FulfillmentService
import Foundation
@testable import IntakeService
@testable import LogisticsService
import OMSDemo
import OMSDomain
import OMSPlatform
import Testing

/// The services' demo seed migrations are frozen SQL text (a released migration's checksum must
/// never change); the load generator, demo and tests use the Swift demo data in OMSDemo. These
/// tests render the Swift data as the seeds once did and compare: when one fails, the demo data was
/// edited — add a new migration with the difference (never edit migration 110) and keep the Swift
/// data and the seeded rows equal.
@Suite("Demo seeds: the frozen migration text equals the Swift demo data")
struct DemoSeedTests {
    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    @Test("intake's catalog seed holds every demo product, code and promotion")
    func intakeCatalog() throws {
        let rows = DemoCatalog.products.map { p in
            "(\(Self.quote(p.sku)), \(Self.quote(p.name)), \(Self.quote(p.category)), \(p.listPrice.minorUnits), \(p.memberPrice.map { String($0.minorUnits) } ?? "NULL"), \(p.weightGrams), \(p.volumeCubicCentimetres), \(p.handling.fragile), \(p.handling.liquid), \(p.handling.valuable), \(p.handling.perishable))"
        }
        var statements = ["INSERT INTO products (sku, name, category, list_price_fen, member_price_fen, weight_grams, volume_cm3, fragile, liquid, valuable, perishable) VALUES\n"
                          + rows.joined(separator: ",\n") + "\nON CONFLICT (sku) DO NOTHING;"]
        let codes = DemoCatalog.products.flatMap { p in
            p.barcodes.map { "('barcode', \(Self.quote($0)), \(Self.quote(p.sku)))" }
                + p.outerIDs.sorted { $0.key < $1.key }.map { "(\(Self.quote("outer:" + $0.key)), \(Self.quote($0.value)), \(Self.quote(p.sku)))" }
        }
        statements.append("INSERT INTO product_codes (kind, code, sku) VALUES\n" + codes.joined(separator: ",\n") + "\nON CONFLICT DO NOTHING;")
        for promotion in DemoPromotions.all {
            let json = String(decoding: try EventCoding.encode(promotion), as: UTF8.self)
            statements.append("INSERT INTO promotions (id, definition) VALUES (\(Self.quote(promotion.id)), \(Self.quote(json))::jsonb) ON CONFLICT (id) DO NOTHING;")
        }
        #expect(statements.joined(separator: "\n") == IntakeServiceMigrations.demoCatalogSQL)
        #expect(IntakeServiceMigrations.all(seedDemoCatalog: true).last?.sql == IntakeServiceMigrations.demoCatalogSQL)
    }

    @Test("fulfillment's item master seed holds every demo product's handling data and barcodes")
    func fulfillmentItems() {
        let items = DemoCatalog.products.map { p in
            "(\(Self.quote(p.sku)), \(Self.quote(p.name)), \(p.weightGrams), \(p.volumeCubicCentimetres), \(p.handling.fragile), \(p.handling.liquid), \(p.handling.valuable), \(p.handling.perishable))"
        }
        let barcodes = DemoCatalog.products.flatMap { p in p.barcodes.map { "(\(Self.quote($0)), \(Self.quote(p.sku)))" } }
        let sql = "INSERT INTO items (sku, name, weight_grams, volume_cm3, fragile, liquid, valuable, perishable) VALUES\n" + items.joined(separator: ",\n")
            + "\nON CONFLICT (sku) DO NOTHING;\n"
            + "INSERT INTO item_barcodes (barcode, sku) VALUES\n" + barcodes.joined(separator: ",\n") + "\nON CONFLICT DO NOTHING;"
        #expect(sql == FulfillmentServiceMigrations.demoItemsSQL)
    }

    @Test("logistics' carrier seed holds every demo carrier's definition")
    func logisticsCarriers() throws {
        let rows = try DemoCarriers.all.map { carrier in
            "(\(Self.quote(carrier.code)), \(Self.quote(carrier.carrierCode)), true, \(Self.quote(String(decoding: try EventCoding.encode(carrier), as: UTF8.self)))::jsonb)"
        }
        let sql = "INSERT INTO carriers (code, carrier_code, active, definition) VALUES\n" + rows.joined(separator: ",\n") + "\nON CONFLICT (code) DO NOTHING;"
        #expect(sql == LogisticsServiceMigrations.demoCarriersSQL)
    }
}
