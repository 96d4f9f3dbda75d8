/// Runs `body` for each element with at most `limit` of them in flight, in a task group (no
/// unstructured tasks); the first error thrown cancels the rest and is rethrown. Invariant: every
/// element is started at most once.
public func forEachConcurrently<Element: Sendable>(_ elements: [Element], limit: Int, _ body: @escaping @Sendable (Element) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (index, element) in elements.enumerated() {
            if index >= max(limit, 1) { try await group.next() }
            group.addTask { try await body(element) }
        }
        try await group.waitForAll()
    }
}
