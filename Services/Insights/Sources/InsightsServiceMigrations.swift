import OMSPlatform

/// Versioned SQL of the `insights` schema, applied at start-up after the platform's inbox and outbox
/// tables. Versions start at 100; a released migration is never edited.
enum InsightsServiceMigrations {
    static let all: [Migration] = []
}
