/**
 * Settings parsers (core/settings.ts): the one set behind the Lambdas' environment variables
 * and the CDK context; every refusal names the setting.
 */
import { describe, expect, it } from 'vitest';
import {
  boolSetting,
  contextLabel,
  envLabel,
  jsonSetting,
  listSetting,
  numberSetting,
  requiredText,
  textSetting,
} from '../../core/settings.ts';
import { positiveNumberEnv, requiredEnv } from '../../functions/env.ts';
import { pipelinePropsFromContext } from '../../infra/context.ts';
import { alertConfigFromEnv } from '../../model/alerts.ts';

const E = envLabel('X');
const C = contextLabel('podlife:x');

describe('settings parsers', () => {
  it('text', () => {
    expect(requiredText(E, 'a')).toBe('a');
    expect(() => requiredText(E, '')).toThrow('environment variable X is required');
    expect(() => requiredText(E, undefined)).toThrow(/is required/);
    expect(textSetting(C, '')).toBeUndefined();
    expect(() => textSetting(C, 3)).toThrow('context podlife:x must be a string, got 3');
  });

  it('numbers, from numbers or their text', () => {
    expect(numberSetting(E, '1.5', { positive: true })).toBe(1.5);
    expect(numberSetting(C, 7, { positive: true, integer: true })).toBe(7);
    expect(numberSetting(E, '0', { min: 0 })).toBe(0);
    expect(numberSetting(E, undefined, { min: 0 })).toBeUndefined();
    expect(() => numberSetting(E, '0', { positive: true })).toThrow('X must be a positive number, got "0"');
    expect(() => numberSetting(C, '1.5', { positive: true, integer: true })).toThrow(
      'context podlife:x must be a positive whole number, got "1.5"',
    );
    expect(() => numberSetting(E, '0', { min: 1 })).toThrow('must be a number ≥ 1');
    for (const bad of ['abc', ' ', 'Infinity', 'NaN', true, [], {}])
      expect(() => numberSetting(E, bad, { min: 0 }), JSON.stringify(bad)).toThrow(/environment variable X/);
  });

  it('booleans, lists, JSON', () => {
    expect(boolSetting(C, 'false')).toBe(false);
    expect(() => boolSetting(C, 'yes')).toThrow('must be true or false, got "yes"');
    expect(listSetting(C, 'a, b,')).toEqual(['a', 'b']);
    expect(listSetting(C, '["a"]')).toEqual(['a']);
    expect(() => listSetting(C, '["a"', { what: 'a list of cluster names' })).toThrow(
      /context podlife:x must be a list of cluster names/,
    );
    expect(() => listSetting(C, [3])).toThrow(/must be a list of strings/);
    expect(jsonSetting(E, '{"a":1}', 'JSON')).toEqual({ a: 1 });
    expect(() => jsonSetting(E, '{', 'JSON like {}')).toThrow('X must be JSON like {}, got "{"');
  });

  it('the environment and the context read through them', () => {
    expect(() => requiredEnv('TABLE_NAME', {})).toThrow('environment variable TABLE_NAME is required');
    expect(positiveNumberEnv('RETENTION_DAYS', 30, {})).toBe(30);
    expect(() => positiveNumberEnv('RETENTION_DAYS', 30, { RETENTION_DAYS: '-1' })).toThrow(
      /positive number/,
    );
    expect(() => alertConfigFromEnv({ CRASHLOOP_MIN_RESTARTS: 'x' })).toThrow(
      /environment variable CRASHLOOP_MIN_RESTARTS must be a number ≥ 1/,
    );
    // A malformed JSON list on the command line is named, not a bare SyntaxError.
    expect(() =>
      pipelinePropsFromContext((k) => (k === 'podlife:clusterNames' ? '["a"' : undefined)),
    ).toThrow(/context podlife:clusterNames/);
    expect(
      pipelinePropsFromContext((k) => (k === 'podlife:retentionDays' ? '14' : undefined)).retentionDays,
    ).toBe(14);
  });
});
