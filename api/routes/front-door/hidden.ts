// The front door and the built-in authority stand in for Azure's resource manager and sign-in, not for this
// provider's API: they stay out of the provider's OpenAPI document (openapi/arcext.json), and README documents them.
export const HIDDEN = { hide: true } as const
