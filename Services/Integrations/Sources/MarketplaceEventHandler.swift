import Foundation
import OMSDomain
import OMSPlatform

/// Records, in the consumer's transaction, what the marketplaces must be told: marketplace orders
/// (`order.received`), their parcels (`shipment.dispatched`, planned by `ShipBackPlan`) and every
/// SKU's latest availability (`inventory.availability-changed`). Invariant: never calls a
/// platform (the senders do); a parcel of an order not known yet waits for it, a parcel of an
/// order of another channel is not recorded; a repeated event records nothing new; an event it
/// must read and cannot (a marketplace order's, or one whose order is not known yet) is dead-lettered.
struct MarketplaceEventHandler: EventHandler {
    var eventTypes: Set<String> { [OrderReceived.eventType, ShipmentDispatched.eventType, AvailabilityChanged.eventType] }

    /// The parts of `order.received` ship-back needs.
    struct Received: Decodable {
        struct Order: Decodable {
            struct Line: Decodable {
                var sku: String
                var quantity: Int
                var channelLineId: String?
            }
            var orderID: String
            var channel: String
            var channelOrderID: String?
            var lines: [Line]?
        }
        var order: Order
    }

    /// The parts of `shipment.dispatched` ship-back needs.
    struct Dispatched: Decodable {
        struct Line: Decodable {
            var sku: String
            var quantity: Int
        }
        var shipmentId: String
        var orderID: String
        var carrier: String
        var trackingNumber: String
        var lines: [Line]
        var dispatchedAt: Date
        var replacesShipmentId: String?
    }

    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        let connection = context.connection, logger = context.logger
        var orders: [ShipBackStore.MarketplaceOrder] = []
        var otherChannelOrders: [String] = []
        var dispatches: [EventEnvelope] = []
        var levels: [(sku: String, available: Int, changedAt: Date)] = []
        for event in events {
            switch event.type {
            case OrderReceived.eventType:
                let order: Received.Order
                do { order = try EventCoding.decode(Received.self, from: event.payload).order } catch {
                    throw HandlerRejection("undecodable order.received: \(error)")
                }
                if order.channel == Channel.marketplace.rawValue, let reference = order.channelOrderID, let colon = reference.firstIndex(of: ":") {
                    orders.append(ShipBackStore.MarketplaceOrder(orderId: order.orderID, platform: String(reference[..<colon]),
                                                                 platformOrderId: String(reference[reference.index(after: colon)...]),
                                                                 lines: (order.lines ?? []).map { line in ShipBackPlan.OrderLine(sku: line.sku, quantity: line.quantity, subOrderId: line.channelLineId) }))
                } else {
                    otherChannelOrders.append(order.orderID)
                }
            case ShipmentDispatched.eventType:
                dispatches.append(event)
            case AvailabilityChanged.eventType:
                let change: AvailabilityChanged
                do { change = try event.decode(AvailabilityChanged.self) } catch {
                    throw HandlerRejection("undecodable inventory.availability-changed: \(error)")
                }
                levels.append((change.sku, change.availableToSell, change.changedAt))
            default:
                continue
            }
        }
        try await StockFeedStore.recordLevels(levels, connection: connection, logger: logger)
        try await ShipBackStore.recordOrders(orders, connection: connection, logger: logger)
        try await ShipBackStore.dropWaiting(orders: otherChannelOrders, connection: connection, logger: logger)
        // Parcels that waited for an order recorded now, in dispatch order.
        for parcel in try await ShipBackStore.waiting(orders: orders.map(\.orderId), connection: connection, logger: logger) {
            try await ShipBackStore.plan(try await recording(of: parcel, context: context), connection: connection, logger: logger)
        }
        guard !dispatches.isEmpty else { return }
        // Parcels of orders known to be of another channel are not recorded (nor read); a parcel of
        // a marketplace order, or of an order not known yet, must be readable or is dead-lettered.
        let orderIDs = Array(Set(dispatches.map(\.orderID)))
        let known = try await ShipBackStore.orders(orderIDs, connection: connection, logger: logger)
        let channels = try await DeliveryStore.channels(of: orderIDs.filter { known[$0] == nil }, connection: connection, logger: logger)
        var parcels: [ShipBackStore.Parcel] = []
        for event in dispatches where known[event.orderID] != nil || channels[event.orderID] == nil {
            let parcel: Dispatched
            do { parcel = try EventCoding.decode(Dispatched.self, from: event.payload) } catch {
                throw HandlerRejection("undecodable shipment.dispatched of order \(event.orderID): \(error)")
            }
            parcels.append(ShipBackStore.Parcel(shipmentId: parcel.shipmentId, orderId: parcel.orderID, carrier: parcel.carrier, trackingNumber: parcel.trackingNumber,
                                                lines: parcel.lines.map { ShipBackPlan.ParcelLine(sku: $0.sku, quantity: $0.quantity) },
                                                replacesShipmentId: parcel.replacesShipmentId, dispatchedAt: parcel.dispatchedAt))
        }
        for parcel in parcels {
            // One at a time: a later parcel of the same batch counts the earlier one.
            try await ShipBackStore.record([try await recording(of: parcel, context: context)], connection: connection, logger: logger)
        }
    }

    /// The parcel with its plan, or waiting when its order is not known.
    func recording(of parcel: ShipBackStore.Parcel, context: TransactionContext) async throws -> ShipBackStore.Recording {
        guard let order = try await ShipBackStore.orders([parcel.orderId], connection: context.connection, logger: context.logger)[parcel.orderId] else {
            return ShipBackStore.Recording(parcel: parcel, order: nil, decision: nil)
        }
        let earlier = try await ShipBackStore.parcelCounts([parcel.orderId], connection: context.connection, logger: context.logger)[parcel.orderId] ?? 0
        let split = MarketplaceGateways.takesSplitParcels(order.platform)
        let decision = ShipBackPlan.decide(order: order.lines, parcel: parcel.lines, earlierParcels: earlier, replacement: parcel.replacesShipmentId != nil,
                                           splitSupported: split, resendSupported: split)
        return ShipBackStore.Recording(parcel: parcel, order: order, decision: decision)
    }
}
