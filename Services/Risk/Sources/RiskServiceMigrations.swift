import OMSPlatform

/// Versioned SQL of the `risk` schema, applied at start-up after the platform's inbox and outbox
/// tables. Versions start at 100; a released migration is never edited.
enum RiskServiceMigrations {
    static let all: [Migration] = []
}
