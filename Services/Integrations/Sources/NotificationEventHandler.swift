import Foundation
import OMSDomain
import OMSPlatform

/// Plans customer messages from business events, in the consumer's transaction: it records what
/// it needs to know of each order (the customer's phone and e-mail, sealed; what was paid; parcels
/// packed and dispatched; exchange lines) and one message row per (event, type, medium). It never
/// sends (the `NotificationSender` does). Invariant: a replayed or redelivered event records
/// nothing new; an event about an order notifications know nothing of (a till sale without a
/// phone, an order received before integrations ran) plans nothing; an event about a known order
/// that cannot be read is rejected (dead-lettered with the reason).
struct NotificationEventHandler: EventHandler {
    let planner: NotificationPlanner
    let hasher: PIIHasher
    let settleMilliseconds: Int

    static let factEventTypes: Set<String> = [OrderReceived.eventType, OrderAmended.eventType, OrderPaid.eventType, FulfillmentPacked.eventType, ExchangeRequested.eventType]

    var eventTypes: Set<String> { Self.factEventTypes.union(NotificationPlanner.messageEventTypes) }

    /// The part of `order.received` notifications need, read tolerantly: an order without a
    /// customer (a partial event, a walk-in sale) records nothing.
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
        let connection = context.connection, logger = context.logger
        var contacts: [NotificationStore.OrderContact] = []
        var parcelNumbers: [String: Int] = [:]
        // First what the batch tells of its orders, in order, so its messages see it.
        for event in events {
            switch event.type {
            case OrderReceived.eventType:
                let received: ReceivedContact
                do { received = try EventCoding.decode(ReceivedContact.self, from: event.payload) } catch {
                    throw HandlerRejection("undecodable order.received for notifications: \(String(describing: error).prefix(200))")
                }
                let order = received.order
                let phone = order.customer?.phone.flatMap { $0.isEmpty ? nil : $0 }
                let email = order.customer?.email.flatMap { $0.isEmpty ? nil : $0.lowercased() }
                guard phone != nil || email != nil else { continue }
                let paid = order.payment.map { $0.method.carriesReference && !$0.isAwaiting ? $0.paidAmount.minorUnits : 0 } ?? 0
                contacts.append(NotificationStore.OrderContact(
                    orderId: order.orderID, salesChannel: order.channel, channelOrderId: order.channelOrderID ?? order.orderID,
                    sealedPhone: phone.map { context.vault.seal($0, context: NotificationStore.sealContext(order.orderID, "phone")) } ?? "",
                    phoneHash: phone.map { hasher.phone($0) },
                    sealedEmail: email.map { context.vault.seal($0, context: NotificationStore.sealContext(order.orderID, "email")) } ?? "",
                    emailHash: email.map { hasher.hash($0, purpose: "email") }, paidFen: paid))
            default:
                break
            }
        }
        try await NotificationStore.recordOrders(contacts, connection: connection, logger: logger)
        // Facts of orders notifications know nothing of are not needed (nor read).
        let factEvents = events.filter { $0.type != OrderReceived.eventType && Self.factEventTypes.contains($0.type) }
        let withFacts = try await NotificationStore.known(factEvents.map(\.orderID), connection: connection, logger: logger)
        for event in factEvents where withFacts[event.orderID] != nil {
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

        let messageEvents = events.filter { NotificationPlanner.messageEventTypes.contains($0.type) }
        guard !messageEvents.isEmpty else { return }
        let known = try await NotificationStore.known(messageEvents.map(\.orderID), connection: connection, logger: logger)
        let relevant = messageEvents.filter { known[$0.orderID] != nil }
        guard !relevant.isEmpty else { return }
        let settings = try await NotificationTemplateStore.settings(connection: connection, logger: logger)
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
                parcelNumbers[dispatched.shipmentId] = number
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
            for medium in setting.media(for: order.salesChannel) {
                let has = medium == .sms ? order.hasPhone : order.hasEmail
                planned.append(NotificationStore.Planned(eventId: event.eventID, type: message.type, medium: medium, orderId: event.orderID, language: planner.language,
                                                         variables: message.variables, occurredAt: event.occurredAt,
                                                         skipReason: has ? nil : (medium == .sms ? "no_phone" : "no_email")))
            }
        }
        // A customer without an e-mail address is the common case: only SMS rows are kept for them.
        try await NotificationStore.plan(planned.filter { !($0.medium == .email && $0.skipReason == "no_email") }, settleMilliseconds: settleMilliseconds,
                                         connection: connection, logger: logger)
    }

    private func decode<E: DomainEvent>(_ type: E.Type, _ event: EventEnvelope) throws -> E {
        do { return try event.decode(E.self) } catch {
            throw HandlerRejection("undecodable \(event.type) for notifications: \(String(describing: error).prefix(200))")
        }
    }
}
