// `npm run keys -- <command>`: the operator's view of key rotation (core/key-rotation.ts does the work). Output
// names keys by id only; the single exception is `rotate` with env keys, which prints the NEW key once, because the
// operator has to put it into the environment. Existing key material is never printed.
import type { Config } from './config.js'
import type { Db } from './db/client.js'
import { decodeKeyText, keyFromMaterial } from './keyring.js'
import { DEFAULT_REENCRYPT_OPTIONS, keyStatus, reencryptAll, retire, rotate, type ReencryptOptions } from './key-rotation.js'
import type { SecretBox } from './secrets.js'

export const KEYS_USAGE = `usage: npm run keys -- <command>
  status            how many stored values each key seals, and which old keys can be retired
  rotate            make a new key current (keyring file: in place, then re-encrypt; ENCRYPTION_KEY: print the new key and the env change)
  reencrypt         re-seal every stored secret with the current key, in small batches, while the service runs
  retire <keyId>    remove an old key, refused while any value is still sealed with it`

/** Wrong usage or a refused command: printed as one line, exit code 1 (2 for usage). */
export class KeysCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export interface KeysCommandContext {
  config: Config
  db: Db
  box: SecretBox
  print: (line: string) => void
  reencrypt?: Partial<ReencryptOptions>
}

export async function runKeysCommand(args: readonly string[], ctx: KeysCommandContext): Promise<void> {
  const [command, ...rest] = args
  switch (command) {
    case 'status':
      return status(ctx)
    case 'rotate':
      return rotateCommand(ctx)
    case 'reencrypt':
      return reencrypt(ctx)
    case 'retire': {
      const keyId = rest[0]
      if (!keyId || rest.length > 1) throw new KeysCommandError(`retire needs exactly one key id\n${KEYS_USAGE}`, 2)
      return retireCommand(ctx, keyId)
    }
    default:
      throw new KeysCommandError(`${command ? `unknown command '${command}'` : 'no command given'}\n${KEYS_USAGE}`, 2)
  }
}

async function status({ db, box, print }: KeysCommandContext): Promise<void> {
  const source = box.keySource
  print(`keys from ${source.description}`)
  const keys = await keyStatus(db, box)
  for (const key of keys) {
    const where = Object.entries(key.sealed).map(([column, count]) => `${column} ${count}`)
    const role = key.role === 'missing' ? 'MISSING from the keyring' : key.role
    print(`${key.keyId}  ${role}  seals ${key.total} value(s)${where.length ? ` (${where.join(', ')})` : ''}`)
  }
  for (const key of keys.filter((k) => k.retirable)) {
    print(
      source.kind === 'env'
        ? `key ${key.keyId} seals nothing any more and can be retired: run npm run keys -- retire ${key.keyId} (it tells which ENCRYPTION_KEYS_PREVIOUS entry to remove)`
        : `key ${key.keyId} seals nothing any more and can be retired: npm run keys -- retire ${key.keyId}`,
    )
  }
  const pending = keys.filter((k) => k.role === 'previous' && k.total > 0)
  if (pending.length) {
    print(
      `${pending.map((k) => k.keyId).join(', ')} ${pending.length === 1 ? 'still seals values: run npm run keys -- reencrypt, then retire it' : 'still seal values: run npm run keys -- reencrypt, then retire them'}`,
    )
  }
  const missing = keys.filter((k) => k.role === 'missing')
  if (missing.length) {
    print(`values sealed with ${missing.map((k) => k.keyId).join(', ')} cannot be opened: restore those keys (the api and worker refuse to start until then)`)
  }
}

async function rotateCommand(ctx: KeysCommandContext): Promise<void> {
  const { box, config, print } = ctx
  const result = rotate(box, config.dataDir)
  if (result.kind === 'file') {
    print(`new current key ${result.newKeyId} in ${result.file}; key ${result.previousKeyId} is kept for opening`)
    print('running api and worker processes pick the new key up on their next use of the keyring; re-encrypting stored secrets now')
    await reencrypt(ctx)
    return
  }
  // Env keys: nothing can be changed from here. The new key is printed once; nothing else holds it.
  const previousIds = [result.currentKeyId, ...config.encryptionKeysPrevious.map(envKeyId)]
  print(`new key ${result.newKeyId} (shown only now, store it where ENCRYPTION_KEY is kept):`)
  print(`  ${result.newKeyHex}`)
  print('roll it out in two steps, so every process can open what the others seal:')
  print(
    `  1. on every api and worker: keep ENCRYPTION_KEY, and add the new key to ENCRYPTION_KEYS_PREVIOUS (ENCRYPTION_KEYS_PREVIOUS=<new key>${config.encryptionKeysPrevious.length ? ',<the entries it has now>' : ''}); restart them`,
  )
  print(
    `  2. on every api and worker: ENCRYPTION_KEY=<new key>, ENCRYPTION_KEYS_PREVIOUS=<the current ENCRYPTION_KEY (id ${result.currentKeyId})>${config.encryptionKeysPrevious.length ? ',<the entries it has now>' : ''}; restart them`,
  )
  print('  (one process only, or all restarted at once: step 2 alone is enough)')
  print(`then, with the step-2 environment: npm run keys -- reencrypt, and npm run keys -- status to see when ${previousIds.join(', ')} can be retired`)
}

function envKeyId(text: string): string {
  const material = decodeKeyText(text)
  return material ? keyFromMaterial(material).id : '?'
}

async function reencrypt(ctx: KeysCommandContext): Promise<void> {
  const { db, box, print, reencrypt: options } = ctx
  const result = await reencryptAll(db, box, { ...DEFAULT_REENCRYPT_OPTIONS, ...options, onProgress: print })
  const currentKeyId = box.keyring.current.id
  print(`re-encrypted ${result.reencrypted} value(s) with key ${currentKeyId} in ${result.passes} pass(es)`)
  for (const value of result.unreadable) {
    print(`cannot open ${value.column} row ${value.rowId}: ${value.reason === 'missing-key' ? `key ${value.keyId} is not in the keyring` : value.reason}; left as it is`)
  }
  if (result.remaining > 0) {
    throw new KeysCommandError(`${result.remaining} value(s) were still sealed with an old key after ${result.passes} passes (something keeps writing with an old key); run reencrypt again`)
  }
  if (result.unreadable.length) throw new KeysCommandError(`${result.unreadable.length} value(s) cannot be opened with the keyring; restore their keys and run reencrypt again`)
  await status(ctx)
}

async function retireCommand({ db, box, config, print }: KeysCommandContext, keyId: string): Promise<void> {
  let outcome: { kind: 'file' | 'env' }
  try {
    outcome = await retire(db, box, config.dataDir, keyId)
  } catch (error) {
    throw new KeysCommandError(`cannot retire: ${(error as Error).message}`)
  }
  if (outcome.kind === 'file') {
    print(`key ${keyId} removed from ${box.keySource.description}; running processes drop it on their next use of the keyring`)
    return
  }
  const entry = config.encryptionKeysPrevious.findIndex((text) => envKeyId(text) === keyId)
  print(`nothing is sealed with key ${keyId} any more: remove entry ${entry + 1} from ENCRYPTION_KEYS_PREVIOUS on every api and worker, and restart them`)
}
