import { canonicalJson } from '../../../src/audit/canonical-json';
import { GENESIS_HASH, entryProblem, sealChain, sealEntry } from '../../../src/audit/audit-entry';

const draft = { seq: 1, time: '2026-01-01T00:00:00.000Z', actor: 'warden', action: 'remediation.enqueued', target: 'matching', details: { b: 1, a: [2, { d: 1, c: 2 }] }, prevHash: GENESIS_HASH };

describe('audit entries', () => {
  test('canonical JSON sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { y: [1, { z: 1, x: undefined }], x: null } })).toBe('{"a":{"x":null,"y":[1,{"z":1}]},"b":1}');
  });

  test('the hash does not depend on key order', () => {
    const reordered = { ...draft, details: { a: [2, { c: 2, d: 1 }], b: 1 } };
    expect(sealEntry(reordered).hash).toBe(sealEntry(draft).hash);
  });

  test('a sealed entry carries a sha256 hash and an 8-digit crc32c and fits its place in the chain', () => {
    const e = sealEntry(draft);
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(e.crc32c).toMatch(/^[0-9a-f]{8}$/);
    expect(entryProblem(JSON.stringify(e), 1, GENESIS_HASH)).toBeUndefined();
  });

  test('a changed field, a wrong seq, a broken link and garbage are each named', () => {
    const e = sealEntry(draft);
    expect(entryProblem(JSON.stringify({ ...e, target: 'settlement' }), 1, GENESIS_HASH)).toMatch(/crc32c mismatch|hash mismatch/);
    expect(entryProblem(JSON.stringify(e), 2, GENESIS_HASH)).toMatch(/sequence number 1 where 2/);
    expect(entryProblem(JSON.stringify(e), 1, 'f'.repeat(64))).toMatch(/prevHash/);
    expect(entryProblem('{not json', 1, GENESIS_HASH)).toMatch(/not valid JSON/);
  });

  test('a forged entry with a recomputed crc32c but the old hash is still caught', () => {
    const e = sealEntry(draft);
    const forged = sealEntry({ ...draft, actor: 'mallory' });
    expect(entryProblem(JSON.stringify({ ...forged, hash: e.hash }), 1, GENESIS_HASH)).toMatch(/hash mismatch/);
  });

  test('a sealed batch is the same chain as sealing its entries one by one after the given head', () => {
    const head = sealEntry(draft);
    const fields = ['a', 'b', 'c'].map((target) => ({ time: draft.time, actor: 'warden', action: 'step', target, details: {} }));
    const batch = sealChain(head, fields);
    expect(batch.map((e) => e.seq)).toEqual([2, 3, 4]);
    let prev = head;
    for (const [i, e] of batch.entries()) {
      expect(e).toEqual(sealEntry({ ...(fields[i] as (typeof fields)[number]), seq: prev.seq + 1, prevHash: prev.hash }));
      expect(entryProblem(JSON.stringify(e), prev.seq + 1, prev.hash)).toBeUndefined();
      prev = e;
    }
    expect(sealChain({ seq: 0, hash: GENESIS_HASH }, fields)[0]).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
  });

  test('the stored format is pinned: an entry sealed today has the hash and crc32c existing logs were written with', () => {
    const e = sealEntry({
      seq: 7,
      time: '2026-03-01T10:00:00.000Z',
      actor: 'warden:remediation',
      action: 'remediation.success',
      target: 'matching',
      details: { z: [1, 'two', null, { b: true, a: 1.5 }], job_id: 'j1', 'ünï': 'ç"\\', nested: { y: {}, x: [] } },
      prevHash: 'ab'.repeat(32),
    });
    // Produced by the AuditLog before appends were batched (commit 14b93a1); must never change.
    expect(e.hash).toBe('c086823c07662b0c38f8eec325ef3c65ad5f010100d50044f44f1faae3269559');
    expect(e.crc32c).toBe('a4da43b4');
  });
});
