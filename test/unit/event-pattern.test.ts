/**
 * Local mode's EventBridge pattern matcher, on the cases of the EventBridge documentation's
 * content-filtering examples and on podlife's own rules.
 */
import { describe, expect, it } from 'vitest';
import { type EventPattern, EventPatternError, matchesPattern } from '../../local/event-pattern.ts';

const EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    tags: ['prod', 'web'],
    location: 'eu-west-1',
  },
};

const CASES: [string, EventPattern, boolean][] = [
  ['exact source', { source: ['aws.ec2'] }, true],
  ['one of several values', { source: ['aws.s3', 'aws.ec2'] }, true],
  ['no value matches', { source: ['aws.s3'] }, false],
  ['nested detail', { detail: { state: ['terminated', 'stopped'] } }, true],
  ['nested detail, wrong value', { detail: { state: ['running'] } }, false],
  ['array field: any element', { detail: { tags: ['web'] } }, true],
  ['prefix', { detail: { location: [{ prefix: 'eu-' }] } }, true],
  ['suffix', { detail: { 'instance-id': [{ suffix: 'def0' }] } }, true],
  ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, true],
  ['anything-but value', { detail: { state: [{ 'anything-but': 'running' }] } }, true],
  [
    'anything-but list excludes',
    { detail: { state: [{ 'anything-but': ['terminated', 'stopped'] }] } },
    false,
  ],
  ['anything-but prefix', { detail: { location: [{ 'anything-but': { prefix: 'us-' } }] } }, true],
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
  ['numeric out of range', { detail: { 'd-count': [{ numeric: ['<', 3] }] } }, false],
  ['exists true', { detail: { state: [{ exists: true }] } }, true],
  ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
  ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
  ['a missing field never matches a value', { detail: { missing: ['x'] } }, false],
  ['wildcard', { resources: [{ wildcard: 'arn:aws:ec2:*:instance/*' }] }, true],
  ['$or, second branch', { $or: [{ source: ['aws.s3'] }, { detail: { 'c-count': [5] } }] }, true],
  ['$or, no branch', { $or: [{ source: ['aws.s3'] }, { detail: { 'c-count': [6] } }] }, false],
  ['AND of keys', { source: ['aws.ec2'], 'detail-type': ['Something else'] }, false],
];

describe('EventBridge event patterns', () => {
  it.each(CASES)('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, EVENT)).toBe(expected);
  });

  it('podlife rule: snapshots and pod events reach the ingest, other detail-types do not', () => {
    const rule = { source: ['podlife.forwarder'], 'detail-type': ['Pod Snapshot', 'Pod Event'] };
    const base = { source: 'podlife.forwarder', detail: {} };
    expect(matchesPattern(rule, { ...base, 'detail-type': 'Pod Snapshot' })).toBe(true);
    expect(matchesPattern(rule, { ...base, 'detail-type': 'Pod Event' })).toBe(true);
    expect(matchesPattern(rule, { ...base, 'detail-type': 'Pod Stuck Pending' })).toBe(false);
    expect(matchesPattern(rule, { ...base, source: 'podlife.alerts', 'detail-type': 'Pod Snapshot' })).toBe(
      false,
    );
  });

  it('rejects malformed patterns with a clear error', () => {
    expect(() => matchesPattern({ source: 'aws.ec2' } as never, EVENT)).toThrow(EventPatternError);
    expect(() => matchesPattern({ source: [{ regex: '.*' }] } as never, EVENT)).toThrow(
      /unsupported matcher/,
    );
  });
});
