// The store's clock type and time conversions: integer microseconds since the epoch (UTC), from the domain's rules.
export * from '../domain/time.js';
