/**
 * Local mode's request guards as pure functions: `refusal` (Host, Origin, Sec-Fetch-Site) and
 * `validateEntry` (PutEvents' per-entry checks), which must answer for any value, never throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refusal } from '../../local/http-adapter.ts';
import { MAX_ENTRY_BYTES, validateEntry } from '../../local/local-bus.ts';

describe('refusal', () => {
  const at = (headers: Record<string, string>) => refusal(headers, '127.0.0.1', 8787)?.status ?? 200;

  it.each([
    [{ host: '127.0.0.1:8787' }, 200],
    [{ host: 'localhost:8787' }, 200],
    [{ host: 'LOCALHOST:8787' }, 200],
    [{ host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787' }, 200],
    [{ host: '127.0.0.1:8787', origin: 'http://localhost:8787' }, 200],
    [{ host: '127.0.0.1:8787', 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }, 200],
    [{ host: '127.0.0.1:8787', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }, 200],
    [{ host: '127.0.0.1:8787', 'sec-fetch-site': 'none' }, 200],
    [{}, 421],
    [{ host: '127.0.0.1' }, 421],
    [{ host: 'attacker.example:8787' }, 421],
    [{ host: '127.0.0.1:8788' }, 421],
    [{ host: '127.0.0.1:8787.attacker.example' }, 421],
    [{ host: '127.0.0.1:8787', origin: 'http://attacker.example' }, 403],
    [{ host: '127.0.0.1:8787', origin: 'null' }, 403],
    [{ host: '127.0.0.1:8787', origin: 'https://127.0.0.1:8787' }, 403],
    [{ host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787.attacker.example' }, 403],
    [{ host: '127.0.0.1:8787', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }, 403],
    [{ host: '127.0.0.1:8787', 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' }, 403],
  ] as [Record<string, string>, number][])('%j → %i', (headers, status) => {
    expect(at(headers)).toBe(status);
  });
});

describe('validateEntry', () => {
  const ok = { Source: 'podlife.forwarder', DetailType: 'Pod Facts', Detail: '{"a":1}' };

  it('accepts a PutEvents entry, with the optional fields in their types', () => {
    expect(validateEntry(ok)).toBeNull();
    expect(
      validateEntry({ ...ok, Time: '2026-11-02T09:00:00Z', EventBusName: 'podlife', Resources: ['arn:x'] }),
    ).toBeNull();
  });

  it.each([
    [null, 'InvalidArgument'],
    [[ok], 'InvalidArgument'],
    [{ ...ok, Source: '' }, 'InvalidArgument'],
    [{ ...ok, DetailType: null }, 'InvalidArgument'],
    [{ ...ok, Detail: { a: 1 } }, 'InvalidArgument'],
    [{ ...ok, Time: 9e15 }, 'InvalidArgument'],
    [{ ...ok, Time: 'soon' }, 'InvalidArgument'],
    [{ ...ok, Resources: [null] }, 'InvalidArgument'],
    [{ ...ok, Detail: JSON.stringify({ pad: 'x'.repeat(MAX_ENTRY_BYTES) }) }, 'InvalidArgument'],
    [{ ...ok, Detail: '"a string"' }, 'MalformedDetail'],
    [{ ...ok, Detail: '[]' }, 'MalformedDetail'],
    [{ ...ok, Detail: '{' }, 'MalformedDetail'],
  ])('%#: refused with %s', (entry, code) => {
    expect(validateEntry(entry)?.code).toBe(code);
  });

  it('never throws, whatever the value (seeded)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              Source: fc.anything(),
              DetailType: fc.anything(),
              Detail: fc.oneof(fc.string(), fc.json(), fc.anything()),
              Time: fc.anything(),
              Resources: fc.anything(),
              EventBusName: fc.anything(),
            },
            { requiredKeys: [] },
          ),
        ),
        (v) => {
          const r = validateEntry(v);
          expect(r === null || (typeof r.code === 'string' && typeof r.message === 'string')).toBe(true);
        },
      ),
      { seed: 7, numRuns: 2000 },
    );
  });
});
