package postgres

// AuditHash exposes the chain hash to the tests, which play an attacker recomputing the chain.
var AuditHash = auditHash
