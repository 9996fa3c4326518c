import { describe, expect, it } from 'vitest';
import { parseModel } from './parse-model';

describe('parseModel', () => {
  it.each([
    ['sluice/simulator', undefined],
    ['openai/gpt-4o:free', undefined],
    ['sluice/simulator@status-503', { kind: 'status', status: 503, times: undefined }],
    ['sluice/simulator@status-429x3', { kind: 'status', status: 429, times: 3 }],
    ['sluice/simulator@error-after-0', { kind: 'error-after', pieces: 0 }],
    ['sluice/simulator@drop-after-12', { kind: 'drop-after', pieces: 12 }],
    ['sluice/simulator@stall-after-4', { kind: 'stall-after', pieces: 4 }],
    ['sluice/simulator@length-after-9', { kind: 'length-after', pieces: 9 }],
    ['sluice/simulator@error-only', { kind: 'error-only' }],
    ['sluice/simulator@no-finish', { kind: 'no-finish' }],
    ['sluice/simulator@split-utf8', { kind: 'split-utf8' }],
    ['sluice/simulator@slow', { kind: 'slow' }],
  ])('reads %s', (model, fault) => {
    expect(parseModel(model)).toEqual({
      success: true,
      value: { fault, faultName: fault === undefined ? undefined : model.split('@')[1] },
    });
  });

  it.each([
    'sluice/simulator@',
    'sluice/simulator@explode',
    'sluice/simulator@status-200',
    'sluice/simulator@status-600',
    'sluice/simulator@status-429x0',
    'sluice/simulator@drop-after-',
    'sluice/simulator@drop-after--1',
    'sluice/simulator@SLOW',
  ])('refuses %s with a message listing the known faults', (model) => {
    const result = parseModel(model);

    expect(result.success).toBe(false);
    if (!result.success) expect(result.error).toContain('status-<CODE>x<N>');
  });
});
