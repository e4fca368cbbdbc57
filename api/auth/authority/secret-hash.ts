// Client secrets and passwords in the policy file are stored only as salted scrypt hashes,
// `scrypt:<salt, base64url>:<hash, base64url>` (README: Using the Azure CLI shows how to make one).
import { scrypt, timingSafeEqual } from 'node:crypto'

export const SECRET_HASH = /^scrypt:[A-Za-z0-9_-]{16,}:[A-Za-z0-9_-]{43}$/

function derive(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, 32, (error, key) => (error ? reject(error) : resolve(key))))
}

export async function secretMatches(secret: string, hash: string): Promise<boolean> {
  const [, salt, expected] = hash.split(':')
  const derived = await derive(secret, Buffer.from(salt!, 'base64url'))
  const wanted = Buffer.from(expected!, 'base64url')
  return derived.length === wanted.length && timingSafeEqual(derived, wanted)
}
