import { remediationJobId } from '../../../src/remediate/job-id';

describe('remediation job ids (idempotency keys)', () => {
  it('are the same for the same rule, target and firing start', () => {
    expect(remediationJobId('restart-down', 'matching-engine', 1_700_000_000_000)).toBe(remediationJobId('restart-down', 'matching-engine', 1_700_000_000_000));
  });

  it('differ when the alert fires again later', () => {
    expect(remediationJobId('restart-down', 'settlement', 1000)).not.toBe(remediationJobId('restart-down', 'settlement', 2000));
  });

  it('never contain ":" (BullMQ rejects it in custom ids) and are not integers', () => {
    const id = remediationJobId('r', 'db:5432/exchange', 5);
    expect(id).not.toContain(':');
    expect(id).toMatch(/^rem\./);
  });

  it('keep targets apart that sanitize to the same text', () => {
    expect(remediationJobId('r', 'a:b', 1)).not.toBe(remediationJobId('r', 'a/b', 1));
  });

  it('stay readable: rule and target appear in the id', () => {
    expect(remediationJobId('restart-down', 'settlement', 42)).toMatch(/^rem\.restart-down\.settlement\.42\.[0-9a-f]{12}$/);
  });
});
