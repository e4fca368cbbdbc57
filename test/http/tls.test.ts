// The HTTPS listener: TLS 1.2+ with ECDHE key exchange and AEAD ciphers only; the generated certificate is a leaf
// (not a CA) that Node, curl and Python trust when given it as their CA, carries TLS_SANS, and is regenerated when
// the wanted names change; PORT=off / HTTPS_PORT=off turn a listener off.
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApi } from '../../api/server.js'
import { ConfigError, loadConfig } from '../../core/config.js'
import { GENERATED_TLS, startHarness, testConfig, type Harness } from '../helpers/harness.js'

let h: Harness
beforeAll(async () => {
  // This suite tests the generated certificate itself, so its api generates one instead of the run's shared one.
  h = await startHarness({ worker: false, env: GENERATED_TLS })
})
afterAll(() => h?.close())

function handshake(baseUrl: string, options: tls.ConnectionOptions): Promise<{ ok: true; cipher: string; protocol: string | null } | { ok: false; error: string }> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false, ...options }, () => {
      resolve({ ok: true, cipher: socket.getCipher().name, protocol: socket.getProtocol() })
      socket.destroy()
    })
    socket.on('error', (error) => resolve({ ok: false, error: error.message }))
  })
}

function get(url: string, ca: string, servername?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, ...(servername ? { servername, headers: { host: servername } } : {}) }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      .on('error', reject)
  })
}

const hasCommand = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' }).status === 0
// Asynchronous: the server under test runs in this process, so a synchronous client would wait on itself forever.
const run = promisify(execFile)

describe('protocol and cipher suites', () => {
  it.each([
    ['static RSA key exchange with CBC', 'AES128-SHA'],
    ['static RSA key exchange with GCM', 'AES128-GCM-SHA256'],
    ['static RSA key exchange with GCM-SHA384', 'AES256-GCM-SHA384'],
    ['ECDHE with CBC-SHA1', 'ECDHE-RSA-AES128-SHA'],
    ['ECDHE with CBC-SHA256', 'ECDHE-RSA-AES128-SHA256'],
    ['finite-field DHE', 'DHE-RSA-AES128-GCM-SHA256'],
  ])('refuses TLS 1.2 with %s (%s)', async (_name, cipher) => {
    const result = await handshake(h.api.httpsUrl, { maxVersion: 'TLSv1.2', ciphers: cipher })
    expect(result.ok).toBe(false)
  })

  it('refuses TLS 1.3 with the CCM_8 suite', async () => {
    const result = await handshake(h.api.httpsUrl, { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_CCM_8_SHA256' })
    expect(result.ok).toBe(false)
  })

  it.each(['TLSv1', 'TLSv1.1'] as const)('refuses %s', async (version) => {
    const result = await handshake(h.api.httpsUrl, { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' })
    expect(result.ok).toBe(false)
  })

  it.each(['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'])('accepts TLS 1.2 with %s', async (cipher) => {
    const result = await handshake(h.api.httpsUrl, { maxVersion: 'TLSv1.2', ciphers: cipher })
    expect(result).toMatchObject({ ok: true, cipher, protocol: 'TLSv1.2' })
  })

  it('prefers TLS 1.3 when the client offers it', async () => {
    expect(await handshake(h.api.httpsUrl, {})).toMatchObject({ ok: true, protocol: 'TLSv1.3' })
  })
})

describe('the generated certificate', () => {
  it('is a leaf, not a CA, for localhost, 127.0.0.1 and ::1', () => {
    const certificate = new X509Certificate(readFileSync(h.api.certFile))
    expect(certificate.ca).toBe(false)
    expect(certificate.subjectAltName).toContain('DNS:localhost')
    expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1')
  })

  it.skipIf(!hasCommand('openssl', ['version']))('cannot sign certificates (no keyCertSign, cA false, critical)', () => {
    const text = spawnSync('openssl', ['x509', '-in', h.api.certFile, '-noout', '-text'], { encoding: 'utf8' }).stdout
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/)
    expect(text).not.toMatch(/Certificate Sign/)
  })

  it('is trusted by Node given as the CA, by IP and by name', async () => {
    const ca = readFileSync(h.api.certFile, 'utf8')
    expect(await get(`${h.api.httpsUrl}/healthz`, ca)).toBe(200)
    const port = new URL(h.api.httpsUrl).port
    expect(await get(`https://localhost:${port}/healthz`, ca)).toBe(200)
  })

  it.skipIf(!hasCommand('curl', ['--version']))('is trusted by curl --cacert', async () => {
    const result = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', '--cacert', h.api.certFile, `${h.api.httpsUrl}/healthz`], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe('200')
  })

  it.skipIf(!hasCommand('python3', ['--version']))("is trusted by Python's ssl module given as cafile", async () => {
    const script = 'import ssl,sys,urllib.request\nctx=ssl.create_default_context(cafile=sys.argv[1])\nprint(urllib.request.urlopen(sys.argv[2],context=ctx,timeout=10).status)'
    const result = await run('python3', ['-c', script, h.api.certFile, `${h.api.httpsUrl}/healthz`], { encoding: 'utf8' })
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe('200')
  })
})

describe('TLS_SANS and regeneration', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-tls-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  async function certificateOf(env: Record<string, string>) {
    const api = await startApi(testConfig({ DATA_DIR: dataDir, ...GENERATED_TLS, ...env }))
    try {
      const pem = readFileSync(api.certFile!, 'utf8')
      return { pem, api: { httpsUrl: api.httpsUrl!, status: env.TLS_SANS ? await get(`${api.httpsUrl}/healthz`, pem, 'arcext.test') : 0 } }
    } finally {
      await api.stop()
    }
  }

  it('adds TLS_SANS names to a new certificate, reuses it while the names stay, and is trusted under them', async () => {
    const first = await certificateOf({})
    const again = await certificateOf({})
    expect(again.pem).toBe(first.pem)
    const extended = await certificateOf({ TLS_SANS: 'arcext.test, 10.9.8.7,fd00::5' })
    expect(extended.pem).not.toBe(first.pem)
    const certificate = new X509Certificate(extended.pem)
    expect(certificate.subjectAltName!.split(', ')).toEqual([
      'DNS:localhost',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
      'DNS:arcext.test',
      'IP Address:10.9.8.7',
      'IP Address:FD00:0:0:0:0:0:0:5',
    ])
    expect(certificate.ca).toBe(false)
    // the name verifies (servername arcext.test), and a TLS_SANS name is an allowed Host by default
    expect(extended.api.status).toBe(200)
  })

  it('refuses a TLS_SANS entry that is neither a DNS name nor an IP address', () => {
    expect(() => loadConfig({ TLS_SANS: 'ok.example,not a name' })).toThrow(ConfigError)
    expect(() => loadConfig({ TLS_SANS: 'https://x.example' })).toThrow(
      new ConfigError("TLS_SANS entry 'https://x.example' is neither a DNS name nor an IP address; list names and addresses without scheme or port, such as arcext.internal,10.0.0.5"),
    )
  })
})

describe('PORT=off and HTTPS_PORT=off', () => {
  it('serves HTTPS only with PORT=off', async () => {
    const api = await startApi(testConfig({ PORT: 'off' }))
    try {
      expect(api.httpUrl).toBeUndefined()
      expect(await get(`${api.httpsUrl}/healthz`, readFileSync(api.certFile!, 'utf8'))).toBe(200)
    } finally {
      await api.stop()
    }
  })

  it('serves plain HTTP only with HTTPS_PORT=off', async () => {
    const api = await startApi(testConfig({ HTTPS_PORT: 'off' }))
    try {
      expect(api.httpsUrl).toBeUndefined()
      expect(api.certFile).toBeUndefined()
      expect((await fetch(`${api.httpUrl}/healthz`)).status).toBe(200)
    } finally {
      await api.stop()
    }
  })

  it('refuses to start with both off', () => {
    expect(() => loadConfig({ PORT: 'off', HTTPS_PORT: 'OFF' })).toThrow(/at least one listener/)
  })
})
