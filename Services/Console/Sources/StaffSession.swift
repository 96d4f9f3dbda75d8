/// A signed-in staff member's session. Invariant: it exists only between a successful sign-in and
/// sign-out, idle expiry or its lifetime; its id is known only to the browser (the database keeps
/// its digest), and every form posted in it must carry `csrfToken`.
public struct StaffSession: Sendable {
    public var staff: StaffAccount
    public var csrfToken: String
    /// The digest of the session id (the key of `staff_sessions`).
    var idHash: String
}
