// docs/errors.md, rendered from the error catalogue: `npm run error-docs` writes it and
// test/contract/error-catalogue.test.ts fails while the committed file differs.
import { ERROR_CATALOGUE, type ErrorCode, type ErrorKind } from './error-catalogue.js'

const SECTIONS: { kind: ErrorKind; title: string; intro: string; status: boolean }[] = [
  {
    kind: 'request',
    title: 'Refused requests',
    intro: 'Answered at once, in ARM\'s envelope `{"error": {"code", "message", "target", "details"}}` with the HTTP status shown.',
    status: true,
  },
  {
    kind: 'rule',
    title: 'Catalog rules',
    intro:
      'A PUT or PATCH the extension-type catalog refuses ([catalog.md](catalog.md)), answered at once in the envelope. When several rules refuse, the answer has the code and status of the first, and `details` lists each.',
    status: true,
  },
  {
    kind: 'operation',
    title: 'Operation failures',
    intro:
      "Reported asynchronously: the operation's status URL answers 200 with `status: Failed` and this code in `error` (docs/arm-rules.md rule 38), and the extension shows it in `errorInfo` and `statuses[]` (a transient failure waiting for its next attempt shows as a `Retrying` warning with the same code).",
    status: false,
  },
  {
    kind: 'status',
    title: 'Extension statuses',
    intro: "Entries of an extension's `statuses[]` that are not failures.",
    status: false,
  },
  {
    kind: 'token',
    title: 'Token endpoint',
    intro: "The built-in authority's token endpoint answers OAuth 2.0 clients in OAuth's shape `{error, error_description}` (RFC 6749 section 5.2), not ARM's.",
    status: true,
  },
]

function cell(text: string): string {
  return text.replace(/\|/g, '\\|')
}

export function renderErrorDocs(): string {
  const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[]
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from core/domain/error-catalogue.ts by `npm run error-docs`; edit the catalogue, not this file. -->',
    '',
    'Every code arcext reports, declared once in `core/domain/error-catalogue.ts`. Messages name the offending value and',
    'what is allowed instead, and never quote a protected setting or another secret.',
  ]
  for (const section of SECTIONS) {
    lines.push('', `## ${section.title}`, '', section.intro, '')
    lines.push(section.status ? '| code | HTTP status | meaning |' : '| code | meaning |', section.status ? '|---|---|---|' : '|---|---|')
    for (const code of codes) {
      const entry: { kind: ErrorKind; status: number | null; description: string; alsoOperation?: true; armRule?: number } = ERROR_CATALOGUE[code]
      if (entry.kind !== section.kind) continue
      const notes = [entry.armRule === undefined ? '' : ` ([docs/arm-rules.md](arm-rules.md) rule ${entry.armRule})`, entry.alsoOperation ? ' Operations report it too.' : ''].join('')
      const meaning = cell(`${entry.description}${notes}`)
      lines.push(section.status ? `| \`${code}\` | ${entry.status} | ${meaning} |` : `| \`${code}\` | ${meaning} |`)
    }
  }
  return `${lines.join('\n')}\n`
}
