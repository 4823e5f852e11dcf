import { describe, expect, it } from 'vitest';
import { namesField, showError } from './errors';

describe('AWS errors as shown', () => {
  it('keeps the code and message and finds the field AWS names', () => {
    const e = showError(
      Object.assign(new Error("1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"), {
        name: 'ValidationException',
      }),
    );
    expect(e.code).toBe('ValidationException');
    expect(e.field).toBe('streamname');
    expect(namesField(e, 'StreamName')).toBe(true);
    expect(namesField(e, 'ShardCount')).toBe(false);
  });
  it('finds nested fields by their last part', () => {
    const e = showError(Object.assign(new Error("Value '0' at 'bufferingHints.intervalInSeconds' failed"), { name: 'ValidationException' }));
    expect(e.field).toBe('intervalinseconds');
  });
  it('falls back to the message when no field is named', () => {
    const e = showError(Object.assign(new Error('Stream foo under account 000000000000 not found.'), { name: 'ResourceNotFoundException' }));
    expect(e.field).toBeUndefined();
    expect(namesField(e, 'foo')).toBe(true);
    expect(namesField(null, 'foo')).toBe(false);
  });
  it('calls a failed fetch a network error', () => {
    const e = showError(new TypeError('Failed to fetch'));
    expect(e.code).toBe('NetworkError');
    expect(e.message).toMatch(/did not answer/);
  });
});
