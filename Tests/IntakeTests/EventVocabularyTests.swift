import IntakeService
import OMSDomain
import Testing

/// The topic catalogue lists each topic's events as Swift types; what reads them must account for
/// every one, so adding an event to a topic fails here until its readers decide what it means.
@Suite("Event vocabulary: the catalogue's types and intake's readers agree")
struct EventVocabularyTests {
    @Test("every order-keyed event on the topics intake's status group reads has a status effect (or none, said explicitly); none is listed twice")
    func statusProjectionCoversItsTopics() {
        let downstream = TopicCatalogue.business.filter { $0.consumers.contains(.intake) && $0.name != TopicCatalogue.intakeRaw }
        let onTopics = Set(downstream.flatMap(\.eventTypes))
        // Keyed by SKU or purchase order, not order: the sold-out projection takes availability;
        // replenishment and purchase orders are for buyers and suppliers.
        let notAboutOneOrder: Set<String> = [AvailabilityChanged.eventType, ReplenishmentRequested.eventType, PurchaseOrderApproved.eventType]
        let listed = OrderStatusProjection.statusByEvent.map { $0.event.eventType }
        #expect(Set(listed) == onTopics.subtracting(notAboutOneOrder), "missing: \(onTopics.subtracting(notAboutOneOrder).subtracting(listed).sorted()), extra: \(Set(listed).subtracting(onTopics).sorted())")
        #expect(listed.count == Set(listed).count)
        #expect(SkuAvailabilityProjection().eventTypes == [AvailabilityChanged.eventType])
    }

    @Test("an event type name means one Swift type wherever it appears; the raw topic's private type is intake's RawOrderSubmitted")
    func namesAreUnique() {
        var typeByName: [String: String] = [:]
        var clashes: [String] = []
        for spec in TopicCatalogue.business {
            for event in spec.events {
                let typeName = String(reflecting: event)
                if let known = typeByName[event.eventType], known != typeName { clashes.append("\(event.eventType): \(known) and \(typeName)") }
                typeByName[event.eventType] = typeName
            }
        }
        #expect(clashes.isEmpty)
        #expect(TopicCatalogue.spec(named: TopicCatalogue.intakeRaw)?.eventTypes == [RawOrderSubmitted.eventType])
    }
}
