// Token requests to the built-in authority as MSAL and msrestazure send them: forms, not JSON.
import { randomBytes, scryptSync } from 'node:crypto'

export interface FormAnswer {
  status: number
  body: Record<string, unknown>
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<FormAnswer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

/** A policy file's secretHash for `secret`, made as the README tells operators to make one. */
export function secretHash(secret: string): string {
  const salt = randomBytes(16)
  return `scrypt:${salt.toString('base64url')}:${scryptSync(secret, salt, 32).toString('base64url')}`
}
