import FulfillmentService
import OMSDomain
import Testing

@Suite("Packing rules and carton choice")
struct PackingPlannerTests {
    let planner = PackingPlanner()
    let cartons = Carton.standardSet

    func unit(_ line: Int, grams: Int = 200, cm3: Int = 800, price: Int64 = 1_000, _ handling: HandlingAttributes = .init()) -> PackingPlanner.Unit {
        .init(lineNumber: line, sku: "SKU-\(line)", weightGrams: grams, volumeCubicCentimetres: cm3, handling: handling, unitPrice: .fen(price))
    }

    @Test("plain goods go in the smallest carton that holds them, weight includes the carton and the inserts")
    func smallestCarton() {
        let parcels = planner.plan([unit(1), unit(1), unit(2)], cartons: cartons, inserts: ["invoice", "return_slip"])
        #expect(parcels.count == 1)
        #expect(parcels[0].carton.code == "S")                // 2,400 cm3 fits S (5,000 x 85% = 4,250)
        #expect(parcels[0].weightGrams == 600 + 150 + 20)   // goods + tare + two inserts
        #expect(parcels[0].lines == [ParcelLine(lineNumber: 1, sku: "SKU-1", quantity: 2), ParcelLine(lineNumber: 2, sku: "SKU-2", quantity: 1)])
        #expect(parcels[0].packaging.isEmpty && !parcels[0].insured && parcels[0].inserts == ["invoice", "return_slip"])
        // 4,500 cm3 of goods no longer fits S: M.
        #expect(planner.plan([unit(1, cm3: 4_500)], cartons: cartons, inserts: []).map(\.carton.code) == ["M"])
    }

    @Test("fragile items are wrapped and take more room; liquids are bagged")
    func fragileAndLiquid() {
        // 3,500 cm3 fits S plainly, but wrapped (x1.3 = 4,550) it needs M.
        #expect(planner.plan([unit(1, cm3: 3_500)], cartons: cartons, inserts: []).first?.carton.code == "S")
        let fragile = planner.plan([unit(1, grams: 300, cm3: 3_500, .init(fragile: true))], cartons: cartons, inserts: [])
        #expect(fragile.first?.carton.code == "M" && fragile.first?.packaging == ["protective_wrap"])
        #expect(fragile.first?.weightGrams == 300 + 30 + 250)
        let liquid = planner.plan([unit(1, .init(liquid: true))], cartons: cartons, inserts: [])
        #expect(liquid.first?.packaging == ["sealed_bag"] && liquid.first?.weightGrams == 200 + 5 + 150)
    }

    @Test("valuables get a tamper-evident seal and an insured parcel declared at their price")
    func valuables() {
        let parcels = planner.plan([unit(1, price: 399_900, .init(fragile: true, valuable: true)), unit(2, price: 2_900)], cartons: cartons, inserts: [])
        #expect(parcels.count == 1)
        #expect(parcels[0].insured && parcels[0].declaredValue == .fen(402_800))
        #expect(parcels[0].packaging == ["protective_wrap", "tamper_evident_seal"])
    }

    @Test("perishables travel apart, insulated with an ice pack; inserts go in the first parcel only")
    func perishables() {
        let parcels = planner.plan([unit(1, grams: 1_000, cm3: 2_000, .init(liquid: true, perishable: true)), unit(2)], cartons: cartons, inserts: ["invoice"])
        #expect(parcels.count == 2)
        #expect(parcels[0].lines.map(\.sku) == ["SKU-2"] && parcels[0].inserts == ["invoice"] && !parcels[0].handling.perishable)
        #expect(parcels[1].lines.map(\.sku) == ["SKU-1"] && parcels[1].inserts.isEmpty)
        #expect(parcels[1].packaging == ["sealed_bag", "insulated_liner", "ice_pack"])
        #expect(parcels[1].weightGrams == 1_000 + 5 + 500 + 150)
        // The liner leaves 75% of the carton: 3,500 cm3 of cold goods need M, not S.
        #expect(planner.plan([unit(1, cm3: 3_500, .init(perishable: true))], cartons: cartons, inserts: []).first?.carton.code == "M")
    }

    @Test("too much for the largest carton is split, each parcel shrunk to fit; an item bigger than any carton ships in its own packaging")
    func splitting() {
        // XL holds 81,600 cm3 and 29.2 kg of goods; 12 rugs of 12,000 cm3 / 3 kg need two XL-sized loads by volume.
        let rugs = (0..<12).map { _ in unit(1, grams: 3_000, cm3: 12_000) }
        let parcels = planner.plan(rugs, cartons: cartons, inserts: [])
        #expect(parcels.count == 2)
        #expect(parcels.reduce(0) { $0 + $1.lines.reduce(0) { $0 + $1.quantity } } == 12)
        for parcel in parcels {
            let limit = planner.capacity(of: parcel.carton, cold: false, reserve: 0)
            let goods = parcel.lines.reduce(0) { $0 + $1.quantity } * 12_000
            #expect(goods <= limit.volume && parcel.weightGrams <= parcel.carton.maxWeightGrams)
        }
        // Heavy: 40 units of 1.5 kg = 60 kg exceed XL by weight long before volume.
        let heavy = planner.plan((0..<40).map { _ in unit(1, grams: 1_500, cm3: 1_000) }, cartons: cartons, inserts: [])
        #expect(heavy.count == 3 && heavy.allSatisfy { $0.weightGrams <= $0.carton.maxWeightGrams })
        let huge = planner.plan([unit(1, grams: 8_000, cm3: 200_000), unit(2)], cartons: cartons, inserts: [])
        #expect(huge.map(\.carton.code).sorted() == ["OWN", "S"])
        #expect(huge.first { $0.carton.code == "OWN" }?.carton.lengthMm == 590) // cube root of 200,000 cm3, rounded up: 59 cm
    }
}
