// The catalog's public surface, for callers that prefer one import.
export * from './catalog.js'
export * from './catalog-types.js'
export * from './reported-facts.js'
export * from './lookup.js'
export * from './release-trains.js'
export * from './rules.js'
export * from './schema.js'
export * from './semver.js'
