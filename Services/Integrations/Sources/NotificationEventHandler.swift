import Foundation
import OMSDomain
import OMSPlatform

/// Plans customer messages from business events, in the consumer's transaction: it records what
/// it needs to know of each order (the customer's phone and e-mail, sealed; what was paid; parcels
/// packed and dispatched; exchange lines) and one message row per (event, type, medium). It never
/// sends (the `NotificationSender` does). Invariant: a replayed or redelivered event records
/// nothing new; an event about an order not received yet waits for its receipt (then is worked
/// in the order things happened); an event of an order whose sales channel gets no messages is
/// not read further; one that is read and cannot be decoded is rejected (dead-lettered with the
/// reason).
struct NotificationEventHandler: EventHandler {
    let planner: NotificationPlanner
    let hasher: PIIHasher
    let settleMilliseconds: Int
    /// The media with a provider configured: a medium without one plans nothing.
    let media: Set<NotificationMedium>

    static let factEventTypes: Set<String> = [OrderReceived.eventType, OrderAmended.eventType, OrderPaid.eventType, FulfillmentPacked.eventType, ExchangeRequested.eventType]

    var eventTypes: Set<String> { Self.factEventTypes.union(NotificationPlanner.messageEventTypes) }

    /// The part of `order.received` notifications need, read tolerantly (a walk-in sale has no
    /// customer to tell: its order is recorded without a phone or e-mail).
    struct ReceivedContact: Decodable {
        struct Body: Decodable {
            var orderID: String
            var channel: String
            var channelOrderID: String?
            var customer: Contact?
            var payment: Payment?
        }
        struct Contact: Decodable {
            var phone: String?
            var email: String?
        }
        var order: Body
    }

    func handle(batch events: [EventEnvelope], context: TransactionContext) async throws {
        // No provider configured (compose today, most tests): nothing to plan, nothing to record.
        guard !media.isEmpty else { return }
        let connection = context.connection, logger = context.logger
        // Every order received, with its customer's contact (sealed) when there is one.
        var contacts: [NotificationStore.OrderContact] = []
        for event in events where event.type == OrderReceived.eventType {
            let received: ReceivedContact
            do { received = try EventCoding.decode(ReceivedContact.self, from: event.payload) } catch {
                throw HandlerRejection("undecodable order.received for notifications: \(String(describing: error).prefix(200))")
            }
            let order = received.order
            let phone = order.customer?.phone.flatMap { $0.isEmpty ? nil : $0 }
            let email = order.customer?.email.flatMap { $0.isEmpty ? nil : $0.lowercased() }
            let paid = order.payment.map { $0.method.carriesReference && !$0.isAwaiting ? $0.paidAmount.minorUnits : 0 } ?? 0
            contacts.append(NotificationStore.OrderContact(
                orderId: order.orderID, salesChannel: order.channel, channelOrderId: order.channelOrderID ?? order.orderID,
                sealedPhone: phone.map { context.vault.seal($0, context: NotificationStore.sealContext(order.orderID, "phone")) } ?? "",
                phoneHash: phone.map { hasher.phone($0) },
                sealedEmail: email.map { context.vault.seal($0, context: NotificationStore.sealContext(order.orderID, "email")) } ?? "",
                emailHash: email.map { hasher.hash($0, purpose: "email") }, paidFen: paid))
        }
        try await NotificationStore.recordOrders(contacts, connection: connection, logger: logger)

        // An event about an order not received yet waits for the receipt; events that waited for
        // this batch's receipts are worked first, in the order they happened.
        let others = events.filter { $0.type != OrderReceived.eventType }
        let received = try await NotificationStore.known(others.map(\.orderID), connection: connection, logger: logger)
        try await NotificationStore.park(others.filter { received[$0.orderID] == nil }, connection: connection, logger: logger)
        let revived = try await NotificationStore.takeWaiting(orders: contacts.map(\.orderId), connection: connection, logger: logger)
        let settings = try await NotificationTemplateStore.settings(connection: connection, logger: logger)
        let sales = try await NotificationStore.known(revived.map(\.orderID), connection: connection, logger: logger).merging(received) { $1 }
        // Orders of sales channels no message type goes to are not read further.
        let work = (revived + others).filter { event in
            guard let order = sales[event.orderID] else { return false }
            return settings.values.contains { !media.isDisjoint(with: $0.media(for: order.salesChannel)) }
        }
        guard !work.isEmpty else { return }

        for event in work {
            switch event.type {
            case OrderAmended.eventType:
                let amended = try decode(OrderAmended.self, event)
                if let phone = amended.recipientPhone, !phone.isEmpty {
                    try await NotificationStore.amendPhone(event.orderID, sealedPhone: context.vault.seal(phone, context: NotificationStore.sealContext(event.orderID, "phone")),
                                                           phoneHash: hasher.phone(phone), connection: connection, logger: logger)
                }
            case OrderPaid.eventType:
                let paid = try decode(OrderPaid.self, event)
                try await NotificationStore.recordPaid(event.orderID, fen: paid.payment.paidAmount.minorUnits, connection: connection, logger: logger)
            case FulfillmentPacked.eventType:
                let packed = try decode(FulfillmentPacked.self, event)
                try await NotificationStore.recordPacking(fulfillmentOrderID: packed.fulfillmentOrderId, orderID: packed.orderID, parcels: packed.parcelCount,
                                                          connection: connection, logger: logger)
            case ExchangeRequested.eventType:
                let exchange = try decode(ExchangeRequested.self, event)
                try await NotificationStore.recordExchangeLine(exchangeID: exchange.exchangeId, orderID: exchange.orderID, lineNumber: exchange.replacement.lineNumber,
                                                               connection: connection, logger: logger)
            default:
                break
            }
        }

        let messageEvents = work.filter { NotificationPlanner.messageEventTypes.contains($0.type) }
        guard !messageEvents.isEmpty else { return }
        let known = try await NotificationStore.known(messageEvents.map(\.orderID), connection: connection, logger: logger)
        let relevant = messageEvents
        let delayed = try relevant.filter { $0.type == ShipmentDelayed.eventType }.map { try decode(ShipmentDelayed.self, $0).shipmentId }
        let carriers = try await NotificationStore.parcelCarriers(delayed, connection: connection, logger: logger)
        var planned: [NotificationStore.Planned] = []
        for event in relevant {
            guard let order = known[event.orderID] else { continue }
            var parcel: NotificationPlanner.ParcelFacts?
            if event.type == ShipmentDispatched.eventType {
                let dispatched = try decode(ShipmentDispatched.self, event)
                let number = try await NotificationStore.recordParcel(shipmentID: dispatched.shipmentId, orderID: dispatched.orderID, carrier: dispatched.carrier,
                                                                      replaces: dispatched.replacesShipmentId, connection: connection, logger: logger)
                let exchange = !dispatched.lines.isEmpty && dispatched.lines.allSatisfy { order.exchangeLines.contains($0.lineNumber) }
                parcel = .init(number: number, count: max(order.packedParcels, number), carrier: dispatched.carrier, isExchange: exchange)
            } else if event.type == ShipmentDelayed.eventType {
                let delayedEvent = try decode(ShipmentDelayed.self, event)
                parcel = carriers[delayedEvent.shipmentId].map { .init(number: 0, count: 0, carrier: $0, isExchange: false) }
            }
            let message: NotificationPlanner.Planned?
            do { message = try planner.plan(event, order: order.facts, parcel: parcel) } catch {
                throw HandlerRejection("undecodable \(event.type) for notifications: \(String(describing: error).prefix(200))")
            }
            guard let message else { continue }
            let setting = settings[message.type] ?? .builtIn(message.type)
            for medium in setting.media(for: order.salesChannel) where media.contains(medium) {
                // A customer without an e-mail address is the common case: no e-mail row for them.
                if medium == .email && !order.hasEmail { continue }
                planned.append(NotificationStore.Planned(eventId: event.eventID, type: message.type, medium: medium, orderId: event.orderID, language: planner.language,
                                                         variables: message.variables, occurredAt: event.occurredAt,
                                                         skipReason: medium == .sms && !order.hasPhone ? "no_phone" : nil))
            }
        }
        try await NotificationStore.plan(planned, settleMilliseconds: settleMilliseconds, connection: connection, logger: logger)
    }

    private func decode<E: DomainEvent>(_ type: E.Type, _ event: EventEnvelope) throws -> E {
        do { return try event.decode(E.self) } catch {
            throw HandlerRejection("undecodable \(event.type) for notifications: \(String(describing: error).prefix(200))")
        }
    }
}
