import { PushValidator } from '../../../src/ingest/push-validation';
import { RequestError } from '../../../src/errors';

const NOW = 1_700_000_000_000;
const v = new PushValidator({ max_labels: 3, max_label_value_bytes: 16, max_future: 300_000 });

function rejects(body: unknown, code: string, where: { index?: number; field?: string } = {}) {
  let caught: unknown;
  try {
    v.validate(body, NOW);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(RequestError);
  const e = caught as RequestError;
  expect(e.status).toBe(400);
  expect(e.code).toBe(code);
  if ('index' in where) expect(e.index).toBe(where.index);
  if ('field' in where) expect(e.field).toBe(where.field);
}

describe('push sample validation', () => {
  it('accepts a valid batch and defaults the timestamp to receive time', () => {
    const out = v.validate({ samples: [{ name: 'replication_lag_seconds', labels: { component: 'database' }, value: 0.5 }, { name: 'up', value: 1, timestamp: NOW - 10 }] }, NOW);
    expect(out).toEqual([
      { name: 'replication_lag_seconds', labels: { component: 'database' }, value: 0.5, timestampMs: NOW },
      { name: 'up', labels: {}, value: 1, timestampMs: NOW - 10 },
    ]);
  });

  it('rejects a body that is not {"samples":[...]}', () => {
    rejects([], 'invalid_body');
    rejects({ samples: 'x' }, 'invalid_body', { field: 'samples' });
    rejects({ samples: [42] }, 'invalid_sample', { index: 0 });
  });

  it.each([
    ['a string value', '1', 'invalid_value'],
    ['NaN smuggled as null', null, 'invalid_value'],
    ['a missing value', undefined, 'invalid_value'],
  ])('rejects %s', (_what, value, code) => {
    rejects({ samples: [{ name: 'ok', value: 1 }, { name: 'x', value }] }, code, { index: 1, field: 'value' });
  });

  it('rejects metric names Prometheus would reject', () => {
    rejects({ samples: [{ name: '1abc', value: 1 }] }, 'invalid_name', { index: 0, field: 'name' });
    rejects({ samples: [{ name: 'a-b', value: 1 }] }, 'invalid_name');
    rejects({ samples: [{ value: 1 }] }, 'invalid_name');
  });

  it('rejects bad label names, reserved names, non-string values', () => {
    rejects({ samples: [{ name: 'm', value: 1, labels: { 'bad-name': 'x' } }] }, 'invalid_label_name', { field: 'labels.bad-name' });
    rejects({ samples: [{ name: 'm', value: 1, labels: { __name__: 'x' } }] }, 'invalid_label_name');
    rejects({ samples: [{ name: 'm', value: 1, labels: { a: 1 } }] }, 'invalid_label_value', { field: 'labels.a' });
    rejects({ samples: [{ name: 'm', value: 1, labels: ['a'] }] }, 'invalid_labels');
  });

  it('enforces max_labels and the label value size in bytes', () => {
    rejects({ samples: [{ name: 'm', value: 1, labels: { a: '1', b: '2', c: '3', d: '4' } }] }, 'too_many_labels');
    v.validate({ samples: [{ name: 'm', value: 1, labels: { a: 'x'.repeat(16) } }] }, NOW);
    rejects({ samples: [{ name: 'm', value: 1, labels: { a: 'x'.repeat(17) } }] }, 'label_value_too_long');
    rejects({ samples: [{ name: 'm', value: 1, labels: { a: 'é'.repeat(9) } }] }, 'label_value_too_long');
  });

  it('rejects timestamps more than 5 minutes in the future, or not integers', () => {
    v.validate({ samples: [{ name: 'm', value: 1, timestamp: NOW + 300_000 }] }, NOW);
    rejects({ samples: [{ name: 'm', value: 1, timestamp: NOW + 300_001 }] }, 'timestamp_in_future', { field: 'timestamp' });
    rejects({ samples: [{ name: 'm', value: 1, timestamp: 1.5 }] }, 'invalid_timestamp');
    rejects({ samples: [{ name: 'm', value: 1, timestamp: '2026-01-01' }] }, 'invalid_timestamp');
  });
});
