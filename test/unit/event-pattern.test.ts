/**
 * Local mode's EventBridge pattern matcher against EventBridge's documented semantics: tables of
 * (pattern, event, expected) ported from the EventBridge user guide and from aws/event-ruler (the
 * library behind EventBridge's matching; each group names its source file), the patterns
 * EventBridge refuses, and fast-check properties.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  type EventPattern,
  EventPatternError,
  matchesPattern,
  PatternError,
} from '../../local/event-pattern.ts';
import { LocalBus } from '../../local/local-bus.ts';
import type { Wiring } from '../../local/wiring.ts';

type Case = [name: string, pattern: unknown, event: unknown, expected: boolean];

const matches = (pattern: unknown, event: unknown) => compilePattern(pattern).matches(event);

// --- EventBridge user guide: "Event patterns", "Content filtering", "Arrays in event patterns" ---
const EC2 = {
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
    FileName: 'photo.PNG',
    'source-ip': '10.0.0.33',
    UserID: null,
    LastName: '',
  },
};
const USER_GUIDE: Case[] = [
  ['exact source', { source: ['aws.ec2'] }, EC2, true],
  ['one of several values', { source: ['aws.s3', 'aws.ec2'] }, EC2, true],
  ['no value matches', { source: ['aws.s3'] }, EC2, false],
  ['nested detail', { detail: { state: ['terminated', 'stopped'] } }, EC2, true],
  ['nested detail, wrong value', { detail: { state: ['running'] } }, EC2, false],
  ['array field: any element', { detail: { tags: ['web'] } }, EC2, true],
  ['prefix', { detail: { location: [{ prefix: 'eu-' }] } }, EC2, true],
  ['prefix on time', { time: [{ prefix: '2017-12-22' }] }, EC2, true],
  [
    'prefix equals-ignore-case',
    { detail: { location: [{ prefix: { 'equals-ignore-case': 'EU-' } }] } },
    EC2,
    true,
  ],
  ['suffix', { detail: { 'instance-id': [{ suffix: 'def0' }] } }, EC2, true],
  ['suffix is case-sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, EC2, false],
  [
    'suffix equals-ignore-case',
    { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    EC2,
    true,
  ],
  ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, EC2, true],
  ['anything-but value', { detail: { state: [{ 'anything-but': 'running' }] } }, EC2, true],
  [
    'anything-but list excludes',
    { detail: { state: [{ 'anything-but': ['terminated', 'stopped'] }] } },
    EC2,
    false,
  ],
  ['anything-but prefix', { detail: { location: [{ 'anything-but': { prefix: 'us-' } }] } }, EC2, true],
  ['anything-but suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.PNG' } }] } }, EC2, false],
  [
    'anything-but equals-ignore-case',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'TERMINATED' } }] } },
    EC2,
    false,
  ],
  ['anything-but wildcard', { resources: [{ 'anything-but': { wildcard: '*:instance/*' } }] }, EC2, false],
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, EC2, true],
  ['numeric out of range', { detail: { 'd-count': [{ numeric: ['<', 3] }] } }, EC2, false],
  ['numeric equals', { detail: { 'c-count': [{ numeric: ['=', 5] }] } }, EC2, true],
  ['numeric on a string never matches', { detail: { state: [{ numeric: ['>', 0] }] } }, EC2, false],
  ['exists true', { detail: { state: [{ exists: true }] } }, EC2, true],
  ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, EC2, true],
  ['exists false on a present field', { detail: { state: [{ exists: false }] } }, EC2, false],
  ['exists true on a null value (a leaf)', { detail: { UserID: [{ exists: true }] } }, EC2, true],
  ['null value', { detail: { UserID: [null] } }, EC2, true],
  ['empty string value', { detail: { LastName: [''] } }, EC2, true],
  ['a missing field never matches a value', { detail: { missing: ['x'] } }, EC2, false],
  ['wildcard', { resources: [{ wildcard: 'arn:aws:ec2:*:instance/*' }] }, EC2, true],
  ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, EC2, true],
  ['cidr, outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, EC2, false],
  ['$or, second branch', { $or: [{ source: ['aws.s3'] }, { detail: { 'c-count': [5] } }] }, EC2, true],
  ['$or, no branch', { $or: [{ source: ['aws.s3'] }, { detail: { 'c-count': [6] } }] }, EC2, false],
  ['AND of keys', { source: ['aws.ec2'], 'detail-type': ['Something else'] }, EC2, false],
  [
    'arrays: pattern and event lists intersect',
    {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    },
    {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    true,
  ],
];

// --- aws/event-ruler README.md: "Ruler by Example", "$or", "JSON Array Matching" ---
const README_EVENT = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};
const EMPLOYEES = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};
const CW = { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', metricId: 1234 };
const README: Case[] = [
  [
    'simple matching',
    {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    },
    README_EVENT,
    true,
  ],
  ['prefix', { time: [{ prefix: '2017-10-02' }] }, README_EVENT, true],
  ['suffix', { source: [{ suffix: 'ec2' }] }, README_EVENT, true],
  ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, README_EVENT, true],
  ['wildcard', { source: [{ wildcard: 'aws.*2' }] }, README_EVENT, true],
  ['anything-but string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, README_EVENT, true],
  ['anything-but number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, README_EVENT, true],
  [
    'anything-but string list',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    README_EVENT,
    true,
  ],
  [
    'anything-but number list',
    { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
    README_EVENT,
    true,
  ],
  [
    'anything-but number list, excluded',
    { detail: { 'x-limit': [{ 'anything-but': [100, 301.8] }] } },
    README_EVENT,
    false,
  ],
  [
    'anything-but prefix',
    { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    README_EVENT,
    true,
  ],
  [
    'numeric matching',
    {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    README_EVENT,
    true,
  ],
  ['IP address matching', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, README_EVENT, true],
  ['exists', { detail: { 'c-count': [{ exists: true }] } }, README_EVENT, true],
  ['exists false', { detail: { 'c-count': [{ exists: false }] } }, README_EVENT, false],
  [
    'exists false: an intermediate node is not a leaf',
    { detail: { 'c-count': [{ exists: false }] } },
    { detail: { 'c-count': { c1: 100 } } },
    true,
  ],
  [
    'exists true: an intermediate node is not a leaf',
    { detail: { 'c-count': [{ exists: true }] } },
    { detail: { 'c-count': { c1: 100 } } },
    false,
  ],
  [
    'complex example',
    {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    },
    README_EVENT,
    true,
  ],
  [
    '$or: normal',
    {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    CW,
    true,
  ],
  [
    '$or with an AND inside',
    {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'] },
        { scope: ['Service'] },
      ],
    },
    CW,
    true,
  ],
  [
    '$or nested',
    {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
      ],
    },
    CW,
    true,
  ],
  [
    '$or nested, inner fails',
    {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2'],
          $or: [{ metricId: [99] }, { spaceId: [1000] }],
        },
      ],
    },
    CW,
    false,
  ],
  ['array of objects: crushed', { employees: { firstName: ['Anna'] } }, EMPLOYEES, true],
  [
    'array of objects: multi-level arrays',
    { employees: { firstName: ['Peter'] } },
    { employees: [[EMPLOYEES.employees[0], EMPLOYEES.employees[1]], [EMPLOYEES.employees[2]]] },
    true,
  ],
  [
    'array of objects: fields of different elements never combine',
    { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    EMPLOYEES,
    false,
  ],
  [
    'array of objects: fields of the same element',
    { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
    EMPLOYEES,
    true,
  ],
];

// --- aws/event-ruler src/test/resources/correctness-cases.json (rule/event pairs; expected per
// the README's array rule: no match combines fields from different elements of one array) ---
const CORRECTNESS: Case[] = [
  [
    'flat: 2-field exists, both present',
    { d: { a: [{ exists: true }], b: [{ exists: true }] } },
    { d: { a: 1, b: 2 } },
    true,
  ],
  [
    'flat: 2-field exists, one missing',
    { d: { a: [{ exists: true }], b: [{ exists: true }] } },
    { d: { a: 1 } },
    false,
  ],
  ['flat: exact match', { d: { a: ['hello'], b: ['world'] } }, { d: { a: 'hello', b: 'world' } }, true],
  ['flat: exact mismatch', { d: { a: ['hello'], b: ['world'] } }, { d: { a: 'hello', b: 'nope' } }, false],
  ['flat: prefix', { d: { a: [{ prefix: 'hel' }] } }, { d: { a: 'hello' } }, true],
  ['flat: numeric range', { d: { x: [{ numeric: ['>', 0, '<', 100] }] } }, { d: { x: 50 } }, true],
  ['flat: anything-but', { d: { s: [{ 'anything-but': 'banned' }] } }, { d: { s: 'active' } }, true],
  [
    'objarray: same element',
    { d: { a: [{ exists: true }], b: [{ exists: true }] } },
    { d: [{ a: 1, b: 2 }] },
    true,
  ],
  [
    'objarray: split',
    { d: { a: [{ exists: true }], b: [{ exists: true }] } },
    { d: [{ a: 1 }, { b: 2 }] },
    false,
  ],
  [
    'objarray: 3 elem, last valid',
    { d: { a: [{ exists: true }], b: [{ exists: true }] } },
    { d: [{ a: 1 }, { b: 2 }, { a: 3, b: 4 }] },
    true,
  ],
  [
    'objarray: 3-field, all in one',
    { d: { a: [{ exists: true }], b: [{ exists: true }], c: [{ exists: true }] } },
    { d: [{ a: 1, b: 2, c: 3 }] },
    true,
  ],
  [
    'objarray: 3-field, split 3 ways',
    { d: { a: [{ exists: true }], b: [{ exists: true }], c: [{ exists: true }] } },
    { d: [{ a: 1 }, { b: 2 }, { c: 3 }] },
    false,
  ],
  [
    'objarray: exact same elem',
    { d: { name: ['alice'], status: ['active'] } },
    { d: [{ name: 'alice', status: 'active' }] },
    true,
  ],
  [
    'objarray: exact split',
    { d: { name: ['alice'], status: ['active'] } },
    { d: [{ name: 'alice' }, { status: 'active' }] },
    false,
  ],
  [
    'objarray: prefix same',
    { d: { name: [{ prefix: 'al' }], status: [{ exists: true }] } },
    { d: [{ name: 'alice', status: 'ok' }] },
    true,
  ],
  [
    'objarray: prefix split',
    { d: { name: [{ prefix: 'al' }], status: [{ exists: true }] } },
    { d: [{ name: 'alice' }, { status: 'ok' }] },
    false,
  ],
  [
    'primarray: exists',
    { d: { tags: [{ exists: true }], name: [{ exists: true }] } },
    { d: { tags: ['a', 'b'], name: 'x' } },
    true,
  ],
  ['primarray: exact match', { tags: ['admin'] }, { tags: ['user', 'admin'] }, true],
  ['primarray: no match', { tags: ['superadmin'] }, { tags: ['user', 'admin'] }, false],
  [
    'nested: inner same',
    { u: { t: { k: ['color'], v: ['blue'] } } },
    { u: [{ t: [{ k: 'color', v: 'blue' }] }] },
    true,
  ],
  [
    'nested: inner split',
    { u: { t: { k: ['color'], v: ['blue'] } } },
    { u: [{ t: [{ k: 'color' }, { v: 'blue' }] }] },
    false,
  ],
  [
    'nested: outer split',
    { d: { name: [{ exists: true }], info: { x: ['1'] } } },
    { d: [{ name: 'alice' }, { info: { x: '1' } }] },
    false,
  ],
  [
    'nested: outer same',
    { d: { name: [{ exists: true }], info: { x: ['1'] } } },
    { d: [{ name: 'alice', info: { x: '1' } }] },
    true,
  ],
  [
    'nested2: same leaf',
    { a: { b: { x: [{ exists: true }], y: [{ exists: true }] } } },
    { a: [{ b: [{ x: 1, y: 2 }] }] },
    true,
  ],
  [
    'nested2: split leaf',
    { a: { b: { x: [{ exists: true }], y: [{ exists: true }] } } },
    { a: [{ b: [{ x: 1 }, { y: 2 }] }] },
    false,
  ],
  [
    'mixed: array+scalar match',
    { users: { name: [{ exists: true }] }, version: ['1'] },
    { users: [{ name: 'alice' }], version: '1' },
    true,
  ],
  [
    'mixed: array+scalar fail',
    { users: { name: [{ exists: true }] }, version: ['2'] },
    { users: [{ name: 'alice' }], version: '1' },
    false,
  ],
  ['exists-false: absent', { d: { a: [{ exists: true }], b: [{ exists: false }] } }, { d: [{ a: 1 }] }, true],
  [
    'exists-false: present',
    { d: { a: [{ exists: true }], b: [{ exists: false }] } },
    { d: [{ a: 1, b: 2 }] },
    false,
  ],
  ['empty object', { d: { a: [{ exists: true }] } }, {}, false],
  ['empty array', { d: { a: [{ exists: true }] } }, { d: [] }, false],
  ['single-field rule', { d: { a: [{ exists: true }] } }, { d: [{ a: 1 }, { a: 2 }] }, true],
  [
    'many elem one valid',
    { d: { a: ['target'], b: ['found'] } },
    { d: [{ a: 'x' }, { a: 'y' }, { a: 'target', b: 'found' }, { a: 'z' }] },
    true,
  ],
  [
    'numeric+exists array',
    { i: { p: [{ numeric: ['>', 0, '<', 100] }], n: [{ exists: true }] } },
    {
      i: [
        { n: 'w', p: 50 },
        { n: 'g', p: 200 },
      ],
    },
    true,
  ],
  [
    'anything-but array',
    { u: { s: [{ 'anything-but': 'banned' }], n: [{ exists: true }] } },
    {
      u: [
        { n: 'alice', s: 'banned' },
        { n: 'bob', s: 'active' },
      ],
    },
    true,
  ],
  [
    'primarray: large + scalar, exists',
    { d: { tags: [{ exists: true }], type: [{ exists: true }] } },
    { d: { tags: ['a', 'b', 'c'], type: 'GROUP' } },
    true,
  ],
  [
    'primarray: large + scalar, prefix',
    { d: { tags: [{ prefix: 'ad' }], type: [{ exists: true }] } },
    { d: { tags: ['admin', 'user', 'dev'], type: 'GROUP' } },
    true,
  ],
  [
    'primarray: large + scalar, no match',
    { d: { tags: [{ prefix: 'super' }], type: [{ exists: true }] } },
    { d: { tags: ['admin', 'user', 'dev'], type: 'GROUP' } },
    false,
  ],
  [
    'primarray: nested under object',
    { detail: { data: { name: [{ exists: true }], type: [{ exists: true }] } } },
    { detail: { data: { name: ['alice', 'bob'], type: 'GROUP' } } },
    true,
  ],
  [
    'primarray: two prim arrays + scalar',
    { tags: [{ exists: true }], cats: [{ exists: true }], v: ['1'] },
    { tags: ['a', 'b'], cats: ['x', 'y'], v: '1' },
    true,
  ],
  [
    'primarray: exact match among many',
    { d: { name: ['target'], type: ['GROUP'] } },
    { d: { name: ['a', 'b', 'target', 'c'], type: 'GROUP' } },
    true,
  ],
  [
    'primarray: numeric in array',
    { d: { vals: [{ numeric: ['>', 0, '<', 10] }], type: [{ exists: true }] } },
    { d: { vals: [100, 5, 200], type: 'ok' } },
    true,
  ],
  [
    'primarray: anything-but in array',
    { d: { tags: [{ 'anything-but': 'banned' }], type: [{ exists: true }] } },
    { d: { tags: ['banned', 'ok'], type: 'x' } },
    true,
  ],
  [
    'primarray: single value array',
    { d: { name: [{ exists: true }], type: [{ exists: true }] } },
    { d: { name: ['only'], type: 'x' } },
    true,
  ],
  [
    'primarray: empty prim array',
    { d: { name: [{ exists: true }], type: [{ exists: true }] } },
    { d: { name: [], type: 'x' } },
    false,
  ],
];

// --- aws/event-ruler JsonRuleCompilerTest.java (testVariantForms, testBigNumbers) and
// ComparableNumber.java (range ±5e9, six decimal digits) ---
const NUMBERS_AND_IPS: Case[] = [
  ['variant forms: exact number', { a: [133.3] }, { a: 133.3, b: '192.0.2.0' }, true],
  ['variant forms: numeric range', { a: [{ numeric: ['>', 120, '<=', 140] }] }, { a: 133.3 }, true],
  ['variant forms: exact IP', { b: ['192.0.2.0'] }, { b: '192.0.2.0' }, true],
  ['variant forms: cidr', { b: [{ cidr: '192.0.2.0/24' }] }, { b: '192.0.2.0' }, true],
  [
    'big numbers: beyond the comparable range, matched literally',
    { account: [123456789012] },
    { account: 123456789012 },
    true,
  ],
  ['big numbers: different', { account: [123456789012] }, { account: 123456789013 }, false],
  ['numbers compare to six decimals (5.0000001 = 5.0000002)', { a: [5.0000001] }, { a: 5.0000002 }, true],
  ['numbers differing in the sixth decimal differ', { a: [5.000001] }, { a: 5.000002 }, false],
  ['numeric = to six decimals', { a: [{ numeric: ['=', 3.0000001] }] }, { a: 3.0000002 }, true],
  ['a number never equals its string', { a: [5] }, { a: '5' }, false],
  ['a string never equals a number', { a: ['5'] }, { a: 5 }, false],
  ['true is not "true"', { a: [true] }, { a: 'true' }, false],
  ['null is not "null"', { a: [null] }, { a: 'null' }, false],
  [
    'a number beyond doubles (1e400) is still a leaf',
    { a: [{ exists: true }] },
    JSON.parse('{"a": 1e400}'),
    true,
  ],
  ['numeric: event beyond 5e9 never matches', { a: [{ numeric: ['>', 0] }] }, { a: 6e9 }, false],
  ['numeric: 5e9 itself is in range', { a: [{ numeric: ['>=', 5e9] }] }, { a: 5e9 }, true],
  ['numeric: open bottom', { a: [{ numeric: ['>', 0, '<', 1] }] }, { a: 0 }, false],
  ['numeric: closed bottom', { a: [{ numeric: ['>=', 0, '<', 1] }] }, { a: 0 }, true],
  ['numeric: open top', { a: [{ numeric: ['>', 0, '<', 1] }] }, { a: 1 }, false],
  ['numeric: closed top', { a: [{ numeric: ['>', 0, '<=', 1] }] }, { a: 1 }, true],
  ['numeric: negative', { a: [{ numeric: ['<', -4e-8] }] }, { a: -1 }, true],
  ['numeric: any element of an array', { a: [{ numeric: ['>', 10] }] }, { a: ['x', 3, 11] }, true],
  ['anything-but number: a string is not that number', { a: [{ 'anything-but': 5 }] }, { a: 'five' }, true],
  ['anything-but string: a number is not that string', { a: [{ 'anything-but': '5' }] }, { a: 5 }, true],
  ['anything-but number: 5 excludes 5.0000001', { a: [{ 'anything-but': [5] }] }, { a: 5.0000001 }, false],
  ['anything-but never matches a missing field', { a: [{ 'anything-but': 'x' }] }, { b: 1 }, false],
  ['anything-but never matches an empty array', { a: [{ 'anything-but': 'x' }] }, { a: [] }, false],
  ['anything-but never matches an object', { a: [{ 'anything-but': 'x' }] }, { a: { b: 'y' } }, false],
  ['anything-but: null leaf is not "x"', { a: [{ 'anything-but': 'x' }] }, { a: null }, true],
  ['cidr: IPv6', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:0:0:1::1' }, true],
  ['cidr: IPv6 outside', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
  ['cidr: IPv4 never in an IPv6 block', { ip: [{ cidr: '::/0' }] }, { ip: '10.0.0.1' }, false],
  ['cidr: /32', { ip: [{ cidr: '10.0.0.1/32' }] }, { ip: '10.0.0.1' }, true],
  ['cidr: /0', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '255.255.255.255' }, true],
  ['cidr: not an address', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.0.0' }, false],
  ['cidr: a number is not an address', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 10 }, false],
  ['exact IPv6 in another spelling', { ip: ['2001:db8::1'] }, { ip: '2001:0db8:0:0:0:0:0:1' }, true],
];

// --- Issue 10's findings, and wildcard / anything-but list semantics (event-ruler README
// "Wildcard matching", JsonRuleCompilerTest good anything-but forms) ---
const ISSUE_10: Case[] = [
  ['arrays of objects are flattened', { d: { a: ['x'] } }, { d: [{ a: 'x' }] }, true],
  [
    'anything-but prefix list excludes any prefix',
    { s: [{ 'anything-but': { prefix: ['abc-', 'xyz-'] } }] },
    { s: 'xyz-1' },
    false,
  ],
  [
    'anything-but prefix list lets others through',
    { s: [{ 'anything-but': { prefix: ['abc-', 'xyz-'] } }] },
    { s: 'def-1' },
    true,
  ],
  [
    'anything-but suffix list',
    { s: [{ 'anything-but': { suffix: ['.png', '.jpg'] } }] },
    { s: 'a.jpg' },
    false,
  ],
  [
    'anything-but equals-ignore-case list',
    { s: [{ 'anything-but': { 'equals-ignore-case': ['Foo', 'BAR'] } }] },
    { s: 'bar' },
    false,
  ],
  [
    'anything-but equals-ignore-case list, other',
    { s: [{ 'anything-but': { 'equals-ignore-case': ['Foo', 'BAR'] } }] },
    { s: 'baz' },
    true,
  ],
  [
    'anything-but wildcard list',
    { s: [{ 'anything-but': { wildcard: ['*/lib/*', '*.tmp'] } }] },
    { s: 'x.tmp' },
    false,
  ],
  [
    'anything-but wildcard list, other',
    { s: [{ 'anything-but': { wildcard: ['*/lib/*', '*.tmp'] } }] },
    { s: 'src/main.ts' },
    true,
  ],
  [
    'anything-but wildcard: empty glob excludes only ""',
    { s: [{ 'anything-but': { wildcard: '' } }] },
    { s: '' },
    false,
  ],
  ['exists true does not apply to objects', { d: [{ exists: true }] }, { d: { a: 1 } }, false],
  ['exists false applies to objects', { d: [{ exists: false }] }, { d: { a: 1 } }, true],
  ['wildcard \\* is a literal star', { s: [{ wildcard: 'a\\*b' }] }, { s: 'a*b' }, true],
  ['wildcard \\* is not a wildcard', { s: [{ wildcard: 'a\\*b' }] }, { s: 'axxb' }, false],
  ['wildcard \\\\ is a backslash', { s: [{ wildcard: 'a\\\\*' }] }, { s: 'a\\zz' }, true],
  ['wildcard: no star is equality', { s: [{ wildcard: 'abc' }] }, { s: 'abc' }, true],
  ['wildcard: star matches empty', { s: [{ wildcard: 'a*b*c' }] }, { s: 'abc' }, true],
  ['wildcard: segments may not overlap', { s: [{ wildcard: 'ab*ba' }] }, { s: 'aba' }, false],
  ['wildcard: is anchored', { s: [{ wildcard: '*b' }] }, { s: 'bc' }, false],
  ['wildcard: regex characters are literal', { s: [{ wildcard: 'a.c*' }] }, { s: 'abc' }, false],
  ['wildcard: strings only', { s: [{ wildcard: '*' }] }, { s: 5 }, false],
  ['prefix: strings only', { s: [{ prefix: '5' }] }, { s: 55 }, false],
  ['equals-ignore-case: strings only', { s: [{ 'equals-ignore-case': 'true' }] }, { s: true }, false],
  [
    'a nested pattern on a scalar: only exists:false can hold',
    { d: { a: [{ exists: false }] } },
    { d: 'x' },
    true,
  ],
  [
    '$or inside an array element',
    { d: { $or: [{ a: ['1'] }, { b: ['2'] }] } },
    { d: [{ c: 0 }, { b: '2' }] },
    true,
  ],
  [
    'a field named like an operator, outside $or',
    { detail: { prefix: ['x'] } },
    { detail: { prefix: 'x' } },
    true,
  ],
  ['own keys only (no prototype lookups)', { constructor: [{ exists: true }] }, {}, false],
];

// --- aws/event-ruler src/test/software/amazon/event/ruler/ACMachineTest.java ---
const AC_README_EVENT = {
  ...README_EVENT,
  resources: ['arn:aws:ec2:us-east-1:012345679012:instance/i-000000aaaaaa00000'],
  detail: {
    'c.count': 5,
    'd.count': 3,
    'x.limit': 301.8,
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};
const SONGS = {
  Year: 1966,
  Genres: [{ Pop: true }, { Classical: false }],
  Songs: [
    {
      Name: 'Paperback Writer',
      Writers: [
        { First: 'John', Last: 'Lennon' },
        { First: 'Paul', Last: 'McCartney' },
      ],
    },
    {
      Name: 'Paint It Black',
      Writers: [
        { First: 'Mick', Last: 'Jagger' },
        { First: 'Keith', Last: 'Richards' },
      ],
    },
  ],
};
const TASK = (state: string, provider: string, interfaceName?: string) => ({
  taskInstanceId: 'id1',
  taskInstanceState: state,
  provider: { id: provider, type: 'XXXXXXXX' },
  resources: [
    {
      legacyFocusCategory: 'XXXXXFocus',
      endpointIdentifier: { type: 'XXXIdentifier', MaskedNumber: 'XXXXXXXXXX' },
      ...(interfaceName ? { additionalContext: { capabilityInterfaces: [{ interfaceName }] } } : {}),
    },
  ],
});
const EXIST_FALSE_RULE = (leaf: string) => ({
  requestContext: {
    taskInstances: {
      taskInstanceState: ['ACTIVE'],
      provider: { id: ['XXXXXXXXXXXX'] },
      resources: { additionalContext: { capabilityInterfaces: { [leaf]: [{ exists: false }] } } },
    },
  },
});
const AC_MACHINE: Case[] = [
  ...(
    [
      {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:012345679012:instance/i-000000aaaaaa00000'],
        detail: { state: ['initializing', 'running'] },
      },
      { time: [{ prefix: '2017-10-02' }], detail: { state: [{ 'anything-but': 'initializing' }] } },
      { time: [{ prefix: '2017-10-02' }], detail: { state: [{ suffix: 'ing' }] } },
      {
        detail: {
          'c.count': [{ numeric: ['>', 0, '<=', 5] }],
          'd.count': [{ numeric: ['<', 10] }],
          'x.limit': [{ numeric: ['=', 3.018e2] }],
        },
      },
      { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      { detail: { 'instance-id': [{ 'anything-but': { suffix: '1234' } }] } },
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } },
    ] as unknown[]
  ).map((rule, i): Case => [`rulesFromREADMETest #${i + 1}`, rule, AC_README_EVENT, true]),
  ...(
    [
      [
        {
          Year: [1966],
          Songs: { Name: ['Paperback Writer'], Writers: { First: ['Paul'], Last: ['McCartney'] } },
        },
        true,
      ],
      [{ Genres: { Pop: [true] }, Songs: { Name: ['Paint It Black'] } }, true],
      [{ Year: [1966], Songs: { Name: ['Paint It Black'] } }, true],
      [{ Songs: { Name: ['Paperback Writer'], Writers: { First: ['Paul'], Last: ['McCartney'] } } }, true],
      [{ Year: [1966], Songs: { Name: ['Paperback Writer'], Writers: { First: ['Mick'] } } }, false],
      [{ Songs: { Writers: { First: ['Mick'], Last: ['McCartney'] } } }, false],
      [{ Genres: { Pop: [true] }, Songs: { Writers: { First: ['Mick'], Last: ['McCartney'] } } }, false],
    ] as [unknown, boolean][]
  ).map(([rule, expected], i): Case => [`songsACTest #${i + 1}`, rule, SONGS, expected]),
  [
    'testNumericMatch',
    {
      a: [{ numeric: ['=', 0] }],
      b: [{ numeric: ['<', 0] }],
      c: [{ numeric: ['<=', 0] }],
      x: [{ numeric: ['>', 0] }],
      y: [{ numeric: ['>=', 0] }],
      z: [{ numeric: ['>', 0, '<', 1] }],
    },
    { a: [0], b: [-0.1], c: [0], x: [1], y: [0], z: [0.1] },
    true,
  ],
  ...[
    { a: 'child1', b: '444', c: 'child1', d: '444', z: 0.001 },
    { a: 'dad4', b: 444, c: 'child1', d: '444', z: 0.001 },
  ].map(
    (event, i): Case => [
      `testAnythingButDeletion event ${i}: anything-but numbers let strings through`,
      {
        a: [{ 'anything-but': ['dad0', 'dad1', 'dad2'] }],
        b: [{ 'anything-but': [111, 222, 333] }],
        c: [{ 'anything-but': 'dad0' }],
        d: [{ 'anything-but': 111 }],
        z: [{ numeric: ['>', 0, '<', 1] }],
      },
      event,
      true,
    ],
  ),
  ...(
    [
      ['value$', false],
      ['notvalue', true],
      ['$notvalue', true],
    ] as [string, boolean][]
  ).map(
    ([a, expected]): Case => [
      `testAnythingButSuffix ${a}`,
      { a: [{ 'anything-but': { suffix: '$' } }] },
      { a },
      expected,
    ],
  ),
  ...(
    [
      ['value', 'nothing', true],
      ['YES', 'nothing', false],
      ['yEs', 'nothing', false],
      ['pLease', 'nothing', false],
      ['PLEASE', 'nothing', false],
      ['please', 'nothing', false],
      ['please', 'no', false],
      ['please', 'No', false],
      ['please', 'No!', false],
    ] as [string, string, boolean][]
  ).map(
    ([a, b, expected]): Case => [
      `testAnythingButEqualsIgnoreCase a=${a} b=${b}`,
      {
        a: [{ 'anything-but': { 'equals-ignore-case': ['yes', 'please'] } }],
        b: [{ 'anything-but': { 'equals-ignore-case': 'no' } }],
      },
      { a, b },
      expected,
    ],
  ),
  [
    'testACWithExistFalseRule: r1 by the first element of the array',
    EXIST_FALSE_RULE('interfaceName'),
    {
      requestContext: {
        taskInstances: [TASK('ACTIVE', 'XXXXXXXXXXXX'), TASK('InACTIVE', 'SomeRandom', 'Dummy.DummyDumDum')],
      },
    },
    true,
  ],
  [
    'testACWithExistFalseRule: r2 by the first element of the array',
    EXIST_FALSE_RULE('abc'),
    {
      requestContext: {
        taskInstances: [TASK('ACTIVE', 'XXXXXXXXXXXX'), TASK('InACTIVE', 'SomeRandom', 'Dummy.DummyDumDum')],
      },
    },
    true,
  ],
  [
    'testACWithExistFalseRule: r1 not when the ACTIVE element has interfaceName',
    EXIST_FALSE_RULE('interfaceName'),
    {
      requestContext: {
        taskInstances: [TASK('ACTIVE', 'XXXXXXXXXXXX', 'XXXX.X'), TASK('InACTIVE', 'SomeRandom', 'XXXX.X')],
      },
    },
    false,
  ],
  [
    'testACWithExistFalseRule: r2 still',
    EXIST_FALSE_RULE('abc'),
    {
      requestContext: {
        taskInstances: [TASK('ACTIVE', 'XXXXXXXXXXXX', 'XXXX.X'), TASK('InACTIVE', 'SomeRandom', 'XXXX.X')],
      },
    },
    true,
  ],
  [
    'deleteRule: an event array against a rule list',
    { foo: { bar: ['ab', 'cd'] } },
    { foo: { bar: ['ab', 'cd'] } },
    true,
  ],
  ...(
    [
      [{ A: 'on', C: 'on', D: 'off' }, true],
      [{ B: 'on', C: 'on', D: 'off' }, true],
      [{ A: 'on', B: 'on', C: 'on', D: 'on' }, false],
      [{ A: 'on', B: 'on', C: 'on', D: 'off' }, true],
    ] as [unknown, boolean][]
  ).map(
    ([event, expected], i): Case => [
      `OneRuleMadeByTwoConditions (as $or) event ${i}`,
      {
        $or: [
          { A: ['on'], C: ['on'], D: ['off'] },
          { B: ['on'], C: ['on'], D: ['off'] },
        ],
      },
      event,
      expected,
    ],
  ),
];

// --- aws/event-ruler JsonRuleCompilerTest.java testBasicFunctionOfOrRelationshipRules, and
// JsonRuleCompiler.java's reading of $or (one OR-free sub-rule per combination of branches,
// filled in document order: `rule.put(name, values)` replaces a path set before) ---
const OR_EVENT = {
  detail: {
    'detail-type': 'EC2 Instance State-change Notification',
    resources: 'arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000',
    info: { 'state-status': 'running', 'state-count': { count: 100 } },
    'c-count': 1,
    'd-count': 8,
  },
  news: { newsProviders: 'p1', newCondition1: 'news111', newCondition2: 'news222' },
};
const OR_RULES: Case[] = [
  [
    'testBasicFunctionOfOrRelationshipRules rule1',
    {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    },
    OR_EVENT,
    true,
  ],
  [
    'testBasicFunctionOfOrRelationshipRules rule2',
    {
      detail: {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
        info: { 'state-status': ['initializing', 'running'], 'state-count': { count: [100] } },
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
      news: {
        newsProviders: ['p1', 'p2'],
        $or: [{ newCondition1: ['news111'] }, { newCondition2: ['news222'] }],
      },
    },
    OR_EVENT,
    true,
  ],
  [
    '$or keeps array consistency: a field and a branch field under one array element',
    { d: { a: ['1'] }, $or: [{ d: { b: ['2'] } }, { x: ['y'] }] },
    { d: [{ a: '1' }, { b: '2' }] },
    false,
  ],
  [
    '$or keeps array consistency: same element',
    { d: { a: ['1'] }, $or: [{ d: { b: ['2'] } }, { x: ['y'] }] },
    { d: [{ a: '1', b: '2' }] },
    true,
  ],
  [
    '$or: a branch replaces a field set before it',
    { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] },
    { a: '2' },
    true,
  ],
  [
    '$or: the other branch keeps it',
    { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] },
    { a: '1', b: '3' },
    true,
  ],
  [
    '$or: a field after the $or replaces the branches’',
    { $or: [{ a: ['2'] }, { b: ['3'] }], a: ['1'] },
    { a: '2' },
    false,
  ],
];

describe('EventBridge event patterns: matching', () => {
  describe.each([
    ['EventBridge user guide (content filtering, arrays)', USER_GUIDE],
    ['aws/event-ruler README.md', README],
    ['aws/event-ruler src/test/resources/correctness-cases.json', CORRECTNESS],
    ['aws/event-ruler JsonRuleCompilerTest.java, ComparableNumber.java, CIDR', NUMBERS_AND_IPS],
    ['aws/event-ruler ACMachineTest.java', AC_MACHINE],
    ['aws/event-ruler JsonRuleCompiler.java / JsonRuleCompilerTest.java: $or', OR_RULES],
    ['issue 10 findings, wildcards, anything-but lists', ISSUE_10],
  ])('%s', (_source, cases) => {
    it.each(cases)('%s', (_name, pattern, event, expected) => {
      expect(matches(pattern, event)).toBe(expected);
    });
  });

  it('ACMachineTest CIDRTest: 10.0.0.0/n matches exactly 2^(32-n) addresses of a window around it', () => {
    const ip = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
    const base = 0x0a000000;
    for (let bits = 22; bits < 32; bits++) {
      const m = compilePattern({ a: [{ cidr: `10.0.0.0/${bits}` }] });
      const size = 2 ** (32 - bits);
      let hits = 0;
      for (let j = base - 16; j < base + size + 16; j++) if (m.matches({ a: ip(j) })) hits++;
      expect(hits).toBe(size);
    }
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

  it("every rule of local/wiring.json compiles, and the stack's cluster filter works", () => {
    const wiring = JSON.parse(readFileSync('local/wiring.json', 'utf8')) as Wiring;
    for (const r of wiring.rules) if (r.pattern) expect(() => compilePattern(r.pattern)).not.toThrow();
    const withCluster = { source: ['podlife.forwarder'], detail: { cluster: ['demo', 'prod'] } };
    expect(matches(withCluster, { source: 'podlife.forwarder', detail: { cluster: 'prod' } })).toBe(true);
    expect(matches(withCluster, { source: 'podlife.forwarder', detail: { cluster: 'dev' } })).toBe(false);
  });
});

// --- Patterns EventBridge refuses: aws/event-ruler JsonRuleCompilerTest.java (testCompile's
// badPatternTypes, testNumericExpressions' bads, testExistsExpression's bads; the entries that are
// JSON syntax errors are left out: a parsed pattern cannot hold them), JsonRuleCompiler.java's
// checks ($or with < 2 objects, reserved names inside $or, empty objects and lists), and issue 10 ---
const REFUSED: [pattern: unknown, path: string | RegExp, reason: RegExp][] = [
  [[1, 2, 3], '$', /must be a JSON object/],
  [{}, '$', /empty objects/],
  [{ a: 1 }, '$.a', /list of match values or an object/],
  [{ a: 'x' }, '$.a', /list of match values or an object/],
  [{ a: null }, '$.a', /list of match values or an object/],
  [{ a: [{ x: 2 }] }, '$.a[0].x', /unknown operator "x"/],
  [{ foo: {} }, '$.foo', /empty objects/],
  [{ foo: [] }, '$.foo', /empty list/],
  [{ a: [[1]] }, '$.a[0]', /not a list/],
  [{ a: [{}] }, '$.a[0]', /empty/],
  [{ a: [{ exactly: 33 }] }, '$.a[0].exactly', /not an operator EventBridge implements/],
  [{ a: [{ exactly: 'x' }] }, '$.a[0].exactly', /not an operator EventBridge implements/],
  [{ a: [{ prefix: 'child', foo: [] }] }, '$.a[0]', /exactly one key/],
  [{ a: [{ prefix: 3 }] }, '$.a[0].prefix', /must be a string/],
  [{ a: [{ prefix: 5 }] }, '$.a[0].prefix', /must be a string/],
  [{ a: [{ prefix: ['a'] }] }, '$.a[0].prefix', /must be a string/],
  [{ a: [{ suffix: 'child', foo: [] }] }, '$.a[0]', /exactly one key/],
  [{ a: [{ suffix: 3 }] }, '$.a[0].suffix', /must be a string/],
  [{ a: [{ foo: 'child' }] }, '$.a[0].foo', /unknown operator/],
  [{ a: [{ cidr: 'foo' }] }, '$.a[0].cidr', /not a CIDR block/],
  [{ a: [{ cidr: '10.0.0.0/33' }] }, '$.a[0].cidr', /not a CIDR block/],
  [{ a: [{ cidr: '10.0.0.0' }] }, '$.a[0].cidr', /not a CIDR block/],
  [{ a: [{ cidr: 10 }] }, '$.a[0].cidr', /must be a string/],
  [{ a: [{ 'anything-but': 'child', foo: [] }] }, '$.a[0]', /exactly one key/],
  [
    { a: [{ 'anything-but': ['child0', 111, 'child2'] }] },
    '$.a[0]["anything-but"]',
    /only strings or only numbers/,
  ],
  [{ a: [{ 'anything-but': [] }] }, '$.a[0]["anything-but"]', /empty list/],
  [{ a: [{ 'anything-but': [null] }] }, '$.a[0]["anything-but"]', /only strings or only numbers/],
  [{ a: [{ 'anything-but': true }] }, '$.a[0]["anything-but"]', /string, a number, a list or an object/],
  [{ a: [{ 'anything-but': null }] }, '$.a[0]["anything-but"]', /string, a number, a list or an object/],
  [{ a: [{ 'anything-but': 6e9 }] }, '$.a[0]["anything-but"]', /outside \[-5e9, 5e9\]/],
  [
    { a: [{ 'anything-but': { foo: 3 } }] },
    '$.a[0]["anything-but"].foo',
    /anything-but takes prefix, suffix/,
  ],
  [{ a: [{ 'anything-but': { prefix: 27 } }] }, '$.a[0]["anything-but"].prefix', /must be a string/],
  [{ a: [{ 'anything-but': { prefix: '' } }] }, '$.a[0]["anything-but"].prefix', /empty prefix/],
  [{ a: [{ 'anything-but': { prefix: 'foo', a: 1 } }] }, '$.a[0]["anything-but"]', /exactly one key/],
  [{ a: [{ 'anything-but': { prefix: 'foo' }, x: 1 }] }, '$.a[0]', /exactly one key/],
  [{ a: [{ 'anything-but': { prefix: ['1', ''] } }] }, '$.a[0]["anything-but"].prefix[1]', /empty prefix/],
  [
    { a: [{ 'anything-but': { prefix: [1, 2, 3] } }] },
    '$.a[0]["anything-but"].prefix[0]',
    /must be a string/,
  ],
  [{ a: [{ 'anything-but': { prefix: [] } }] }, '$.a[0]["anything-but"].prefix', /empty list/],
  [{ a: [{ 'anything-but': { suffix: 27 } }] }, '$.a[0]["anything-but"].suffix', /must be a string/],
  [{ a: [{ 'anything-but': { suffix: '' } }] }, '$.a[0]["anything-but"].suffix', /empty suffix/],
  [{ a: [{ 'anything-but': { suffix: ['1', ''] } }] }, '$.a[0]["anything-but"].suffix[1]', /empty suffix/],
  [
    { a: [{ 'anything-but': { suffix: [1, 2, 3] } }] },
    '$.a[0]["anything-but"].suffix[0]',
    /must be a string/,
  ],
  [
    { a: [{ 'anything-but': { 'equals-ignore-case': [1, 2, 3] } }] },
    '$.a[0]["anything-but"]["equals-ignore-case"][0]',
    /must be a string/,
  ],
  [
    { a: [{ 'anything-but': { 'equals-ignore-case': 5 } }] },
    '$.a[0]["anything-but"]["equals-ignore-case"]',
    /must be a string/,
  ],
  [{ a: [{ 'anything-but': { wildcard: 27 } }] }, '$.a[0]["anything-but"].wildcard', /must be a string/],
  [
    { a: [{ 'anything-but': { wildcard: 'foo**bar' } }] },
    '$.a[0]["anything-but"].wildcard',
    /consecutive wildcard/,
  ],
  [{ a: [{ 'anything-but': { wildcard: 'foo*bar\\' } }] }, '$.a[0]["anything-but"].wildcard', /backslash/],
  [
    { a: [{ 'anything-but': { wildcard: ['1', 'foo**bar'] } }] },
    '$.a[0]["anything-but"].wildcard[1]',
    /consecutive wildcard/,
  ],
  [
    { a: [{ 'anything-but': { wildcard: ['1', 'foo*bar\\'] } }] },
    '$.a[0]["anything-but"].wildcard[1]',
    /backslash/,
  ],
  [
    { a: [{ 'anything-but': { wildcard: [1, 2, 3] } }] },
    '$.a[0]["anything-but"].wildcard[0]',
    /must be a string/,
  ],
  [{ a: [{ 'equals-ignore-case': 5 }] }, '$.a[0]["equals-ignore-case"]', /must be a string/],
  [{ a: [{ 'equals-ignore-case': ['abc'] }] }, '$.a[0]["equals-ignore-case"]', /must be a string/],
  [{ a: [{ prefix: { 'invalid-expression': ['abc'] } }] }, '$.a[0].prefix', /equals-ignore-case/],
  [
    { a: [{ prefix: { 'equals-ignore-case': 5 } }] },
    '$.a[0].prefix["equals-ignore-case"]',
    /must be a string/,
  ],
  [
    { a: [{ prefix: { 'equals-ignore-case': ['abc'] } }] },
    '$.a[0].prefix["equals-ignore-case"]',
    /must be a string/,
  ],
  [{ a: [{ prefix: { 'equals-ignore-case': 'abc', test: 'def' } }] }, '$.a[0].prefix', /exactly one key/],
  [{ a: [{ prefix: { 'equals-ignore-case': 'abc' }, test: 'def' }] }, '$.a[0]', /exactly one key/],
  [{ a: [{ suffix: { 'invalid-expression': ['abc'] } }] }, '$.a[0].suffix', /equals-ignore-case/],
  [
    { a: [{ suffix: { 'equals-ignore-case': 5 } }] },
    '$.a[0].suffix["equals-ignore-case"]',
    /must be a string/,
  ],
  [{ a: [{ suffix: { 'equals-ignore-case': 'abc', test: 'def' } }] }, '$.a[0].suffix', /exactly one key/],
  [{ a: [{ wildcard: 5 }] }, '$.a[0].wildcard', /must be a string/],
  [{ a: [{ wildcard: ['abc'] }] }, '$.a[0].wildcard', /must be a string/],
  [{ a: [{ wildcard: 'a**b' }] }, '$.a[0].wildcard', /consecutive wildcard/],
  [{ a: [{ wildcard: 'a\\b' }] }, '$.a[0].wildcard', /backslash/],
  // testNumericExpressions: bads
  ...(
    [
      ['=', true],
      ['=', 2.0e22],
      ['=', '-4e-8'],
      ['='],
      ['<', true],
      ['<', 2.0e22],
      ['<', '-4e-8'],
      ['<'],
      ['>=', true],
      ['>=', 2.0e22],
      ['>=', '-4e-8'],
      ['>='],
      ['<=', true],
      ['<=', 2.0e22],
      ['<=', '-4e-8'],
      ['<='],
      ['<>', 1, '>', 0],
      ['==', 1, '>', 0],
      ['<', 1, '>', 0],
      ['>', 1, '<', 1],
      ['>', 30, '<', 1],
      ['>', 1, '<', 30, false],
    ] as unknown[][]
  ).map((bad): [unknown, RegExp, RegExp] => [
    { x: [{ numeric: bad }] },
    /^\$\.x\[0\]\.numeric(\[\d\])?$/,
    /./,
  ]),
  [{ x: [{ numeric: 5 }] }, '$.x[0].numeric', /needs a list/],
  [{ x: [{ numeric: ['=', 1, '<', 2] }] }, '$.x[0].numeric[0]', /expected one of ">", ">="/],
  [{ x: [{ numeric: ['>', 1, '>', 2] }] }, '$.x[0].numeric[2]', /expected one of "<", "<="/],
  [{ x: [{ numeric: ['>=', 1, '<=', 1] }] }, '$.x[0].numeric', /bottom of a numeric range must be less/],
  [{ x: [{ numeric: ['>', -6e9] }] }, '$.x[0].numeric[1]', /outside \[-5e9, 5e9\]/],
  // testExistsExpression: bads
  [{ x: [{ exists: 'badString' }] }, '$.x[0].exists', /true or false/],
  [{ x: [{ exists: '= abc' }] }, '$.x[0].exists', /true or false/],
  [{ x: [{ exists: true, extraKey: 'extraValue' }] }, '$.x[0]', /exactly one key/],
  // $or (JsonRuleCompiler.parseIntoOrRelationship, parseObjectInsideOrRelationship)
  [{ $or: [{ a: ['x'] }] }, '$.$or', /at least 2 patterns/],
  [{ $or: [] }, '$.$or', /at least 2 patterns/],
  [{ $or: { a: ['x'] } }, '$.$or', /list of pattern objects/],
  [{ $or: [{ a: ['x'] }, 'b'] }, '$.$or[1]', /must be a JSON object/],
  [{ $or: [{ a: ['x'] }, {}] }, '$.$or[1]', /empty objects/],
  [{ $or: [{ numeric: [123] }, { prefix: ['abc'] }] }, '$.$or[0].numeric', /operator name/],
  [{ d: { $or: [{ a: ['x'] }, { e: { prefix: ['y'] } }] } }, '$.d.$or[1].e.prefix', /operator name/],
  // EventBridge quota: event pattern size, 2048 characters by default
  [{ a: ['x'.repeat(2100)] }, '$', /over EventBridge's event-pattern size quota of 2048/],
  // Operators event-ruler has and EventBridge does not document
  [{ a: [{ $and: [] }] }, '$.a[0].$and', /not an operator EventBridge implements/],
  [{ a: [{ contains: 'x' }] }, '$.a[0].contains', /not an operator EventBridge implements/],
  [{ source: [{ regex: '.*' }] }, '$.source[0].regex', /not an operator EventBridge implements/],
];

// JsonRuleCompilerTest.java testCompile's goods and testNumericExpressions' goods.
const ACCEPTED: unknown[] = [
  { a: [1] },
  { a: [{ prefix: 'child' }] },
  { a: [{ prefix: '' }] },
  { a: [{ suffix: 'child' }] },
  { a: [{ prefix: { 'equals-ignore-case': 'child' } }] },
  { a: [{ suffix: { 'equals-ignore-case': 'child' } }] },
  { a: [{ 'anything-but': 'child' }] },
  { a: [{ 'anything-but': ['child0', 'child1', 'child2'] }] },
  { a: [{ 'anything-but': [111, 222, 333] }] },
  { a: [{ 'anything-but': 111 }] },
  { a: [{ 'anything-but': { prefix: 'foo' } }] },
  { a: [{ 'anything-but': { prefix: ['abc', '123'] } }] },
  { a: [{ 'anything-but': { suffix: 'foo' } }] },
  { a: [{ 'anything-but': { suffix: ['abc', '123'] } }] },
  { a: [{ 'anything-but': { 'equals-ignore-case': 'rule' } }] },
  { a: [{ 'anything-but': { 'equals-ignore-case': '' } }] },
  { a: [{ 'anything-but': { 'equals-ignore-case': ['abc', '123'] } }] },
  { a: [{ 'anything-but': { 'equals-ignore-case': ['abc', ''] } }] },
  { a: [{ 'anything-but': { wildcard: 'foo*bar' } }] },
  { a: [{ 'anything-but': { wildcard: '' } }] },
  { a: [{ 'anything-but': { wildcard: ['foo*bar', '*foobar*'] } }] },
  { a: [{ 'anything-but': { wildcard: ['foo*bar', ''] } }] },
  { a: [{ exists: true }] },
  { a: [{ exists: false }] },
  { a: [{ cidr: '10.0.0.0/8' }] },
  { a: [{ cidr: '2001:db8::/32' }] },
  { a: [{ 'equals-ignore-case': 'abc' }] },
  { a: [{ wildcard: 'a*b*c' }] },
  { a: [{ wildcard: 'a\\*b\\\\c' }] },
  { a: ['x', 1, true, false, null, { prefix: 'y' }] },
  { a: [123456789012] },
  ...[
    ['=', 3.8],
    ['=', 0.00000033],
    ['=', -4e-8],
    ['=', 55555],
    ['<', 3.8],
    ['<', 0.00000033],
    ['<', -4e-8],
    ['<', 55555],
    ['>', 3.8],
    ['>', 0.00000033],
    ['>', -4e-8],
    ['>', 55555],
    ['<=', 3.8],
    ['<=', 0.00000033],
    ['<=', -4e-8],
    ['<=', 55555],
    ['>=', 3.8],
    ['>=', 0.00000033],
    ['>=', -4e-8],
    ['>=', 55555],
    ['>', 0, '<', 1],
    ['>=', 0, '<', 1],
    ['>', 0, '<=', 1],
    ['>=', 0, '<=', 1],
    ['>=', -5e9, '<=', 5e9],
  ].map((good) => ({ x: [{ numeric: good }] })),
  { $or: [{ a: ['x'] }, { b: ['y'] }] },
  { d: { $or: [{ a: ['x'] }, { b: { $or: [{ c: [1] }, { e: [2] }] } }] } },
];

describe('EventBridge event patterns: validation', () => {
  it.each(REFUSED.map(([p, path, reason]) => [JSON.stringify(p), p, path, reason] as const))(
    'refuses %s',
    (_json, pattern, path, reason) => {
      let error: unknown;
      try {
        compilePattern(pattern);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(PatternError);
      if (typeof path === 'string') expect((error as PatternError).path).toBe(path);
      else expect((error as PatternError).path).toMatch(path);
      expect((error as PatternError).reason).toMatch(reason);
    },
  );

  it.each(ACCEPTED.map((p) => [JSON.stringify(p), p] as const))('accepts %s', (_json, pattern) => {
    expect(() => compilePattern(pattern)).not.toThrow();
  });

  it('the size quota is the account’s: a raised one (4096) accepts what the default refuses', () => {
    const big = { a: ['x'.repeat(3000)] };
    expect(() => compilePattern(big)).toThrow(PatternError);
    expect(compilePattern(big, { maxChars: 4096 }).matches({ a: 'x'.repeat(3000) })).toBe(true);
  });

  it('nesting is bounded by the size quota, not by a depth of our own; cycles are refused', () => {
    let deep: unknown = ['x'];
    for (let i = 0; i < 300; i++) deep = { k: deep };
    expect(compilePattern(deep).matches(deep)).toBe(true);
    const cyclic: Record<string, unknown> = { a: ['x'] };
    cyclic.self = cyclic;
    expect(() => compilePattern(cyclic)).toThrow(/not serialisable JSON/);
  });

  it('$or combinations are bounded: 2^10 sub-patterns are refused with the reason, not evaluated', () => {
    const ors = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`k${i}`, { $or: [{ a: ['x'] }, { b: ['y'] }] }]),
    );
    expect(() => compilePattern(ors)).toThrow(/more than 1000 combinations/);
    delete ors.k9;
    expect(compilePattern(ors).matches({ k0: { a: 'x' } })).toBe(false);
  });

  it('matchesPattern refuses a bad pattern before matching anything (the old name still works)', () => {
    expect(() => matchesPattern({ source: 'aws.ec2' } as never, EC2)).toThrow(EventPatternError);
    expect(() => matchesPattern({ source: [{ regex: '.*' }] } as never, EC2)).toThrow(
      /not an operator EventBridge implements/,
    );
  });

  it('local mode refuses a bad rule when the bus is built, naming the rule, the place and the reason', () => {
    const wiring: Wiring = {
      rules: [
        {
          logicalId: 'Bad',
          path: 'Podlife/Pipeline/BadRule/Resource',
          pattern: { source: ['podlife.forwarder'], detail: { cluster: [{ prefix: 5 }] } } as never,
          schedule: null,
          targets: [],
        },
      ],
    };
    expect(() => new LocalBus(wiring, { handlers: {}, now: () => 0 })).toThrow(
      'rule Podlife/Pipeline/BadRule/Resource: EventBridge would refuse its event pattern at $.detail.cluster[0].prefix: prefix must be a string, not number 5',
    );
  });
});

// --- Properties ---
const SEED = { seed: 20_261_129, numRuns: 300 };
const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '$or' && k !== '__proto__');
const scalar = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.boolean(),
  fc.constant(null),
);
const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
const eventObject = fc.dictionary(key, jsonValue, { minKeys: 1, maxKeys: 5 });

/** A pattern that the event must match, built from the event's own leaves (or null when none). */
function patternFromEvent(event: Record<string, unknown>, pick: () => number): EventPattern | null {
  const fromValue = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.length ? fromValue(v[pick() % v.length]) : undefined;
    if (v !== null && typeof v === 'object')
      return patternFromEvent(v as Record<string, unknown>, pick) ?? undefined;
    const choice = pick() % 4;
    if (typeof v === 'string' && choice === 1) return [{ prefix: v.slice(0, pick() % (v.length + 1)) }];
    if (typeof v === 'string' && choice === 2) return [{ 'equals-ignore-case': v.toUpperCase() }];
    if (typeof v === 'number' && choice === 1 && Math.abs(v) <= 5e9)
      return [{ numeric: ['>=', v, '<=', v + 1] }];
    if (choice === 3) return [{ exists: true }];
    return [v];
  };
  const out: EventPattern = {};
  for (const [k, v] of Object.entries(event)) {
    if (pick() % 3 === 0) continue;
    const p = fromValue(v);
    if (p !== undefined) out[k] = p as never;
  }
  return Object.keys(out).length ? out : null;
}

describe('EventBridge event patterns: properties', () => {
  it('a pattern built from an event’s own leaves (one array element at a time) matches it', () => {
    fc.assert(
      fc.property(eventObject, fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), (event, picks) => {
        let i = 0;
        const pattern = patternFromEvent(event, () => picks[i++ % picks.length]!);
        fc.pre(pattern !== null);
        expect(matches(pattern, event)).toBe(true);
      }),
      SEED,
    );
  });

  const positive = fc.oneof(
    fc.string({ maxLength: 4 }).map((s) => s as unknown),
    fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 3 }).map((xs) => xs as unknown),
    fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 3 }).map((xs) => xs as unknown),
    fc.string({ minLength: 1, maxLength: 3 }).map((s) => ({ prefix: s })),
    fc
      .array(fc.string({ minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })
      .map((xs) => ({ suffix: xs })),
    fc
      .array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 3 })
      .map((xs) => ({ 'equals-ignore-case': xs })),
    fc
      .array(
        fc.stringMatching(/^[ab*]{0,4}$/).filter((g) => !g.includes('**')),
        { minLength: 1, maxLength: 3 },
      )
      .map((xs) => ({ wildcard: xs })),
  );
  /** The positive pattern matching what `anything-but: x` excludes. */
  const positiveOf = (x: unknown): unknown[] => {
    if (Array.isArray(x)) return x;
    if (typeof x === 'string') return [x];
    const [op, arg] = Object.entries(x as Record<string, unknown>)[0]!;
    return (Array.isArray(arg) ? arg : [arg]).map((a) => ({ [op]: a }));
  };
  const leaf = fc.oneof(
    fc.stringMatching(/^[abAB*]{0,5}$/),
    fc.integer({ min: -3, max: 3 }),
    fc.boolean(),
    fc.constant(null),
  );

  it('anything-but X matches a present leaf exactly when X does not', () => {
    fc.assert(
      fc.property(positive, leaf, (x, v) => {
        const event = { f: v };
        expect(matches({ f: [{ 'anything-but': x }] }, event)).toBe(!matches({ f: positiveOf(x) }, event));
      }),
      SEED,
    );
  });

  it('$or of two patterns matches exactly when one of them does', () => {
    fc.assert(
      fc.property(
        eventObject,
        fc.array(fc.nat(), { minLength: 1, maxLength: 32 }),
        eventObject,
        (event, picks, other) => {
          let i = 0;
          const pick = () => picks[i++ % picks.length]!;
          const p = patternFromEvent(event, pick);
          const q = patternFromEvent(other, pick);
          fc.pre(p !== null && q !== null);
          expect(matches({ $or: [p, q] }, event)).toBe(matches(p, event) || matches(q, event));
          expect(matches({ $or: [p, q] }, other)).toBe(matches(p, other) || matches(q, other));
        },
      ),
      SEED,
    );
  });

  it('a value and the one-element array holding it match the same patterns', () => {
    fc.assert(
      fc.property(positive, fc.boolean(), leaf, (x, negate, v) => {
        const pattern = { f: negate ? [{ 'anything-but': x }] : positiveOf(x) };
        expect(matches(pattern, { f: [v] })).toBe(matches(pattern, { f: v }));
      }),
      SEED,
    );
  });

  it('any JSON as a pattern is compiled or refused with a PatternError; a compiled one never throws on any event', () => {
    const patternish = fc.dictionary(
      fc.oneof(key, fc.constantFrom('$or', 'prefix', 'numeric', 'anything-but')),
      jsonValue,
      {
        maxKeys: 3,
      },
    );
    fc.assert(
      fc.property(fc.oneof(patternish, jsonValue), jsonValue, (pattern, event) => {
        let m: ReturnType<typeof compilePattern> | undefined;
        try {
          m = compilePattern(pattern);
        } catch (err) {
          expect(err).toBeInstanceOf(PatternError);
        }
        if (m) expect(typeof m.matches(event)).toBe('boolean');
      }),
      { seed: 20_261_129, numRuns: 2000 },
    );
  });

  it('wildcards match in linear time (no backtracking blow-up)', () => {
    const glob = `${'*a'.repeat(20)}*b`;
    const t0 = performance.now();
    expect(matches({ s: [{ wildcard: glob }] }, { s: 'a'.repeat(100_000) })).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
