import FulfillmentService
import Testing

@Suite("Pick path: zones, aisles and an S-shaped walk")
struct PickPathTests {
    typealias Stop = PickPath.Stop

    @Test("up the first aisle with picks, down the next, zone by zone; unslotted SKUs last")
    func serpentine() {
        let stops = [
            Stop(sku: "UNSLOTTED-B", location: nil),
            Stop(sku: "A2-7", location: BinLocation(zone: "A", aisle: 2, bin: 7)),
            Stop(sku: "B1-3", location: BinLocation(zone: "B", aisle: 1, bin: 3)),
            Stop(sku: "A1-5", location: BinLocation(zone: "A", aisle: 1, bin: 5)),
            Stop(sku: "A4-2", location: BinLocation(zone: "A", aisle: 4, bin: 2)),
            Stop(sku: "A2-1", location: BinLocation(zone: "A", aisle: 2, bin: 1)),
            Stop(sku: "UNSLOTTED-A", location: nil),
            Stop(sku: "A1-2", location: BinLocation(zone: "A", aisle: 1, bin: 2)),
            Stop(sku: "A4-9", location: BinLocation(zone: "A", aisle: 4, bin: 9)),
        ]
        let walk = PickPath.order(stops).map { stops[$0].sku }
        // Aisle 3 has no picks, so aisle 4 is the third aisle walked: ascending again.
        #expect(walk == ["A1-2", "A1-5", "A2-7", "A2-1", "A4-2", "A4-9", "B1-3", "UNSLOTTED-A", "UNSLOTTED-B"])
    }

    @Test("picks at the same bin stay together in input order")
    func stable() {
        let bin = BinLocation(zone: "C", aisle: 3, bin: 4)
        let stops = [Stop(sku: "X", location: bin), Stop(sku: "Y", location: BinLocation(zone: "C", aisle: 3, bin: 1)), Stop(sku: "X", location: bin)]
        #expect(PickPath.order(stops) == [1, 0, 2])
        #expect(bin.label == "C-03-04")
    }
}
