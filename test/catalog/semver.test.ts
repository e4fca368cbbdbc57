import { describe, expect, it } from 'vitest'
import { compareSemver, isNewer, isStrictSemver, newestFirst, parseSemver, sameMajor } from '../../core/catalog/semver.js'

describe('strict SemVer 2.0.0 parsing', () => {
  it.each([
    '0.0.0',
    '1.16.2',
    '10.20.30',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-0.3.7',
    '1.0.0-x.7.z.92',
    '1.0.0-x-y-z.--',
    '1.14.4-msft.10',
    '1.0.0+20130313144700',
    '1.0.0-beta+exp.sha.5114f85',
    '1.0.0+0.build.1-rc.10000aaa-kk-0.1',
    '99999999999999999999999.999999999999999999.99999999999999999',
  ])('accepts %s', (text) => {
    expect(isStrictSemver(text)).toBe(true)
  })

  it.each([
    ['1.0.029903', 'leading zero in patch (the Masterminds semver v3.3.1 / Flux 1.16.2 case)'],
    ['01.0.0', 'leading zero in major'],
    ['1.02.0', 'leading zero in minor'],
    ['1.0.0-01', 'leading zero in a numeric prerelease identifier'],
    ['v1.0.0', 'v prefix'],
    ['V1.0.0', 'V prefix'],
    ['1.0', 'missing patch'],
    ['1', 'missing minor and patch'],
    ['', 'empty'],
    [' 1.0.0', 'leading space'],
    ['1.0.0 ', 'trailing space'],
    ['1.0.0-', 'empty prerelease'],
    ['1.0.0+', 'empty build'],
    ['1.0.0-alpha..1', 'empty prerelease identifier'],
    ['1.0.0-alpha_beta', 'underscore'],
    ['1.0.0.0', 'four parts'],
    ['-1.0.0', 'negative'],
    ['1.0.x', 'wildcard'],
    ['latest', 'not a version'],
    [`1.0.0-${'a'.repeat(300)}`, 'longer than any real version'],
  ])('rejects %s (%s)', (text) => {
    expect(parseSemver(text)).toBeNull()
  })

  it('splits prerelease and build identifiers', () => {
    expect(parseSemver('1.2.3-rc.1+build.7')).toMatchObject({ major: '1', minor: '2', patch: '3', prerelease: ['rc', '1'], build: ['build', '7'] })
  })
})

describe('precedence', () => {
  // The ordering example from semver.org §11, lowest first, plus numeric-vs-lexical traps.
  const ascending = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0', '10.0.0']

  it.each(ascending.slice(1).map((higher, i) => [ascending[i] as string, higher]))('%s < %s', (lower, higher) => {
    expect(compareSemver(lower, higher)).toBe(-1)
    expect(compareSemver(higher, lower)).toBe(1)
    expect(isNewer(higher, lower)).toBe(true)
    expect(isNewer(lower, higher)).toBe(false)
  })

  it('sorts newest first, comparing numeric prerelease identifiers as numbers', () => {
    expect(newestFirst(['1.14.4-msft.9', '1.14.4-msft.10', '1.13.6-msft.1', '1.15.4-msft.1'])).toEqual(['1.15.4-msft.1', '1.14.4-msft.10', '1.14.4-msft.9', '1.13.6-msft.1'])
  })

  it('ignores build metadata', () => {
    expect(compareSemver('1.0.0+a', '1.0.0+b')).toBe(0)
    expect(isNewer('1.0.0+b', '1.0.0+a')).toBe(false)
  })

  it('compares numbers beyond 2^53 exactly', () => {
    expect(compareSemver('9007199254740993.0.0', '9007199254740992.0.0')).toBe(1)
  })

  it('throws on an invalid operand rather than guessing', () => {
    expect(() => compareSemver('1.0.029903', '1.0.0')).toThrow(/not a strict SemVer/)
  })

  it.each([
    ['1.16.2', '1.0.0', true],
    ['1.16.2', '2.0.0', false],
    ['0.1.0', '0.9.0', true],
    ['2.0.0-rc.1', '2.1.0', true],
  ])('sameMajor(%s, %s) = %s', (a, b, expected) => {
    expect(sameMajor(a, b)).toBe(expected)
  })
})
