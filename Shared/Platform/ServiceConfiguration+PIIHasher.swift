extension ServiceConfiguration {
    /// Keyed hashes of personal data, from the environment this configuration was read from (only
    /// the services that hash, intake and risk, ask for it, so only they need the secret).
    public var piiHasher: PIIHasher { PIIHasher.configured(environment).hasher }
    /// Whether the hash key was set (else the public development key is used; mains warn).
    public var piiHashKeyConfigured: Bool { PIIHasher.configured(environment).keySet }
}
