import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { restartDownRules } from '../../support/remediation-rules';
import { auditEntries, finishedJob, pushEvery, stepsOf, waitFor } from './remediation-e2e-support';

/**
 * The failure paths a user sees (issue 4 §2): a global dry run records what it would do and does
 * nothing; a restart whose verify never holds pages a P0 incident. Samples are pushed; the service
 * admin endpoint is a local HTTP server that counts restarts.
 */
jest.setTimeout(30_000);

const RULES = restartDownRules({
  url: '/restart/{{target}}',
  alertLabels: 'health: yellow, severity: P2',
  cooldown: '2m',
  verify: `{expr: 'component_up{component="{{ $labels.component }}"} == 1', within: 2s}`,
  onFailure: 'escalate',
});

let admin: Server;
let adminUrl: string;
const restarts: string[] = [];

beforeAll(async () => {
  admin = createServer((req, res) => {
    restarts.push(req.url ?? '');
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"restarting":true}');
  });
  await new Promise<void>((r) => admin.listen(0, '127.0.0.1', r));
  adminUrl = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => admin.close(() => r()));
});

async function withWarden(dryRun: boolean, run: (h: WardenHarness) => Promise<void>): Promise<void> {
  const h = await startHarness({
    config: `
components: [{name: reporting}]
rules: [down.rules.yaml]
evaluation_interval: 200ms
remediation:
  dry_run: ${dryRun}
  executors:
    restart: {http_base_url: "${adminUrl}"}
`,
    files: { 'down.rules.yaml': RULES },
  });
  // The service stays down whatever Warden does: component_up 0 every 200 ms.
  const exporter = pushEvery(h, 200, async () => [{ name: 'component_up', labels: { component: 'reporting' }, value: 0 }]);
  try {
    await run(h);
  } finally {
    await exporter.stop();
    await h.stop();
  }
}

describe('remediation.dry_run: true', () => {
  it('records what the restart would do, and does nothing', async () => {
    await withWarden(true, async (h) => {
      const job = await finishedJob(h, 'restart-down-service', 'reporting');
      expect(job).toMatchObject({ state: 'completed', dry_run: true, result: { outcome: 'dry_run', wouldDo: `would restart reporting with POST ${adminUrl}/restart/reporting` } });
      const audit = await auditEntries(h);
      expect(stepsOf(audit, job.id)).toEqual(['matched', 'enqueued', 'dry_run']);
      expect(restarts).toEqual([]);
      const incidents = (await h.request('GET', '/v1/incidents?severity=P0')).body.incidents as unknown[];
      expect(incidents).toEqual([]);
    });
  });
});

describe('a restart whose verify never holds', () => {
  it('restarts once, then escalates a P0 incident that says so', async () => {
    await withWarden(false, async (h) => {
      const job = await finishedJob(h, 'restart-down-service', 'reporting');
      expect(job).toMatchObject({ state: 'completed', result: { outcome: 'verify_failed' } });
      expect(restarts).toEqual(['/restart/reporting']);
      const audit = await auditEntries(h);
      expect(stepsOf(audit, job.id)).toEqual(['matched', 'enqueued', 'attempt', 'success', 'verify_failed', 'escalated']);
      const p0 = await waitFor('a P0 incident from the remediation', async () => {
        const list = (await h.request('GET', '/v1/incidents?severity=P0')).body.incidents as Array<{ summary: string; source: string; labels: Record<string, string> }>;
        return list.find((i) => i.source === 'escalation');
      });
      expect(p0.summary).toContain('did not fix it');
    });
  });
});
