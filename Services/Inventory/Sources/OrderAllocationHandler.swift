import Foundation
import Logging
import OMSDomain
import OMSPlatform
import PostgresNIO

/// Reserves stock for `order.verified`, releases it on `order.cancelled` / `order.rejected` (what
/// warehouses already work on only once `fulfillment.cancelled` says they stopped) and fills other
/// orders' backorders from what came back, re-allocates after `fulfillment.short-picked`, and
/// reserves a lost parcel's units again (`shipment.lost`, once per shipment) and an exchange's
/// replacement (`exchange.requested`, once per exchange, never backordered), and arbitrates line
/// cancellations (`order.lines-cancelled`, see `OrderAllocator+LineCancellations`), substitutions
/// of backordered units (`order.line-substituted`, see `OrderAllocator+Substitutions`) and changed
/// delivery addresses (`order.amended`, see `OrderAllocator+Amendments`). A batch locks the stock rows of every SKU it touches once, in
/// (sku, warehouse) order, so any number of inventory workers serialize per SKU and never oversell.
/// Invariant: deterministic given the database and the events; repeats are no-ops.
public struct OrderAllocationHandler: EventHandler {
    public let eventTypes: Set<String> = [OrderVerified.eventType, OrderCancelled.eventType, OrderRejected.eventType,
                                          FulfillmentShortPicked.eventType, FulfillmentCancelled.eventType, ShipmentLost.eventType,
                                          ExchangeRequested.eventType, OrderLinesCancelled.eventType, OrderAmended.eventType, OrderLineSubstituted.eventType]

    public init() {}

    private enum Work {
        case verified(OrderVerified)
        case release(orderID: String, reasonCode: String, announcedToo: Bool)
        case shortPick(FulfillmentShortPicked)
        case stopped(FulfillmentCancelled)
        case lost(ShipmentLost)
        case exchange(ExchangeRequested)
        case cancelLines(OrderLinesCancelled)
        case amended(OrderAmended)
        case substitution(OrderLineSubstituted)

        var orderID: String {
            switch self {
            case .verified(let verified): verified.order.orderID
            case .release(let orderID, _, _): orderID
            case .shortPick(let shortPick): shortPick.orderID
            case .stopped(let stopped): stopped.orderID
            case .lost(let lost): lost.orderID
            case .exchange(let exchange): exchange.orderID
            case .cancelLines(let cancellation): cancellation.orderID
            case .amended(let amended): amended.orderID
            case .substitution(let substitution): substitution.orderID
            }
        }
    }

    public func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        var work: [(EventEnvelope, Work)] = []
        for event in events {
            do {
                switch event.type {
                case OrderVerified.eventType: work.append((event, .verified(try event.decode(OrderVerified.self))))
                case OrderCancelled.eventType: work.append((event, .release(orderID: try event.decode(OrderCancelled.self).orderID, reasonCode: "order_cancelled", announcedToo: false)))
                case OrderRejected.eventType: work.append((event, .release(orderID: try event.decode(OrderRejected.self).orderID, reasonCode: "order_rejected", announcedToo: true)))
                case FulfillmentShortPicked.eventType:
                    let shortPick = try event.decode(FulfillmentShortPicked.self)
                    guard shortPick.lines.allSatisfy({ $0.missingQuantity > 0 }) else { throw HandlerRejection("short pick with a non-positive missing quantity") }
                    work.append((event, .shortPick(shortPick)))
                case FulfillmentCancelled.eventType:
                    let stopped = try event.decode(FulfillmentCancelled.self)
                    guard stopped.lines.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("fulfillment.cancelled with a non-positive quantity") }
                    work.append((event, .stopped(stopped)))
                case ShipmentLost.eventType:
                    let lost = try event.decode(ShipmentLost.self)
                    guard lost.lines.allSatisfy({ $0.quantity > 0 }) else { throw HandlerRejection("shipment.lost with a non-positive quantity") }
                    work.append((event, .lost(lost)))
                case ExchangeRequested.eventType:
                    let exchange = try event.decode(ExchangeRequested.self)
                    guard exchange.replacement.quantity > 0, exchange.replacement.lineNumber > 1000 else { throw HandlerRejection("exchange.requested with a non-positive quantity or a line number of the original order") }
                    work.append((event, .exchange(exchange)))
                case OrderLinesCancelled.eventType:
                    let cancellation = try event.decode(OrderLinesCancelled.self)
                    guard !cancellation.lines.isEmpty, cancellation.lines.allSatisfy({ $0.quantity > 0 && !$0.sku.isEmpty }),
                          Set(cancellation.lines.map(\.lineNumber)).count == cancellation.lines.count else {
                        throw HandlerRejection("order.lines-cancelled without lines, with a non-positive quantity, an empty SKU or a line named twice")
                    }
                    work.append((event, .cancelLines(cancellation)))
                case OrderAmended.eventType:
                    let amended = try event.decode(OrderAmended.self)
                    // Only a new address matters to sourcing; names and phones are logistics' to label.
                    guard amended.deliveryAddress != nil else { continue }
                    if let problem = OrderAmended.problems(recipientName: amended.recipientName, recipientPhone: amended.recipientPhone,
                                                           deliveryAddress: amended.deliveryAddress, shippingService: amended.shippingService).first {
                        throw HandlerRejection("order.amended: \(problem.field) \(problem.reason)")
                    }
                    work.append((event, .amended(amended)))
                case OrderLineSubstituted.eventType:
                    let substitution = try event.decode(OrderLineSubstituted.self)
                    let replacement = substitution.replacement
                    guard substitution.replaced.quantity > 0, replacement.quantity == substitution.replaced.quantity, !replacement.sku.isEmpty,
                          (1..<1000).contains(replacement.lineNumber), replacement.allocatedDiscount.minorUnits >= 0,
                          replacement.allocatedDiscount <= replacement.lineTotal else {
                        throw HandlerRejection("order.line-substituted with unequal or non-positive quantities, an empty SKU, a line number outside 1-999 or a discount outside the line")
                    }
                    work.append((event, .substitution(substitution)))
                default: continue
                }
            } catch let rejection as HandlerRejection {
                throw rejection
            } catch {
                throw HandlerRejection("undecodable \(event.type): \(error)")
            }
        }
        guard !work.isEmpty else { return }

        // The order itself is the serialisation point between allocating and releasing it: with a
        // cooperative assignor order.verified and order.cancelled of one order can be in flight
        // on two workers at once, and neither may read or commit on a view the other is changing.
        // Taken before the stock rows (every path that takes both takes them in this order) and
        // before reading the released orders' lines, which an allocation in flight may be writing.
        try await OrderAllocator.lockOrders(work.map { $0.1.orderID }, tx: context)

        // Every SKU the batch can touch: the verified orders' lines, the stored lines of orders
        // being released, the short-picked lines.
        var skus = Set<String>()
        var releasing: [String] = []
        for (_, item) in work {
            switch item {
            case .verified(let verified): skus.formUnion(verified.order.lines.map(\.sku))
            case .release(let orderID, _, _): releasing.append(orderID)
            case .stopped(let stopped): skus.formUnion(stopped.lines.map(\.sku))
            case .lost(let lost): skus.formUnion(lost.lines.map(\.sku))
            case .exchange(let exchange): skus.insert(exchange.replacement.sku)
            case .cancelLines(let cancellation): skus.formUnion(cancellation.lines.map(\.sku))
            case .amended(let amended): releasing.append(amended.orderID)
            case .substitution(let substitution): skus.formUnion([substitution.replaced.sku, substitution.replacement.sku])
            case .shortPick(let shortPick): skus.formUnion(shortPick.lines.map(\.sku)); releasing.append(shortPick.orderID)
            }
        }
        if !releasing.isEmpty {
            let rows = try await context.connection.query("""
                SELECT DISTINCT line->>'sku' FROM orders, jsonb_array_elements(body->'lines') AS line WHERE order_id = ANY(\(releasing)::text[])
                """, logger: context.logger)
            for try await sku in rows.decode(String.self) { skus.insert(sku) }
        }
        // A POS sale decrements its store's row, which may not exist yet.
        let stores = try await storeCodes(context: context)
        var creating = Set<StockKey>()
        for case (_, .verified(let verified)) in work where verified.order.channel == .pos {
            if let store = verified.order.channelOrderID.split(separator: ":").first.map(String.init), stores.contains(store) {
                creating.formUnion(verified.order.lines.map { StockKey(sku: $0.sku, warehouse: store) })
            }
        }

        let allocator = try await OrderAllocator.begin(skus: skus, creating: creating, tx: context)
        let now = Date()
        // Runs of verified orders are allocated together (a constant number of statements); a
        // release or short pick sees every order before it.
        var verified: [(order: Order, event: EventEnvelope)] = []
        for (event, item) in work {
            if case .verified(let body) = item {
                verified.append((body.order, event))
                continue
            }
            try await allocator.allocate(batch: verified, now: now)
            verified = []
            switch item {
            case .verified:
                continue
            case .release(let orderID, let reasonCode, let announcedToo):
                let returned = try await allocator.release(orderID, reasonCode: reasonCode, announcedToo: announcedToo, causedBy: event, now: now)
                _ = try await allocator.fillBackorders(skus: returned, causedBy: event, now: now)
            case .stopped(let stopped):
                let returned = try await allocator.releaseStoppedWork(stopped, causedBy: event, now: now)
                _ = try await allocator.fillBackorders(skus: returned, causedBy: event, now: now)
            case .lost(let lost):
                try await allocator.reship(lost, causedBy: event, now: now)
            case .exchange(let exchange):
                try await allocator.exchange(exchange, causedBy: event, now: now)
            case .cancelLines(let cancellation):
                let returned = try await allocator.cancelLines(cancellation, causedBy: event, now: now)
                _ = try await allocator.fillBackorders(skus: returned, causedBy: event, now: now)
            case .substitution(let substitution):
                try await allocator.substitute(substitution, causedBy: event, now: now)
            case .amended(let amended):
                let returned = try await allocator.amend(amended, causedBy: event, now: now)
                _ = try await allocator.fillBackorders(skus: returned, causedBy: event, now: now)
            case .shortPick(let shortPick):
                try await allocator.reallocate(shortPick, causedBy: event, now: now)
            }
        }
        try await allocator.allocate(batch: verified, now: now)
        try await allocator.ledger.flush(now: now)
    }

    private func storeCodes(context: TransactionContext) async throws -> Set<String> {
        let rows = try await context.connection.query("SELECT code FROM warehouses WHERE kind = 'store' AND active", logger: context.logger)
        var codes = Set<String>()
        for try await code in rows.decode(String.self) { codes.insert(code) }
        return codes
    }
}
