import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubernetesClient } from '../../../src/remediate/executors/restart/load-kubernetes-client';
import { RESTARTED_AT_ANNOTATION } from '../../../src/remediate/executors/restart/kubernetes-driver';
import { RestartExecutor } from '../../../src/remediate/executors/restart/restart-executor';
import { executionContext, recordingServer, reply, type RecordingServer } from './helpers';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('restart with the http driver', () => {
  let svc: RecordingServer;
  let nextStatus = 200;
  beforeAll(async () => {
    svc = await recordingServer((_req, res) => reply(res, nextStatus, { restarted: nextStatus === 200 }));
  });
  afterAll(() => svc.close());

  test('POSTs to the admin URL for the target with the idempotency key and fencing token', async () => {
    nextStatus = 200;
    const r = await new RestartExecutor().execute('matching-engine', { driver: 'http', url: `${svc.url}/admin/{{target}}/restart` }, executionContext({ idempotencyKey: 'restart:matching:1', fencingToken: 12 }));
    const req = svc.requests.at(-1);
    expect(req).toMatchObject({ method: 'POST', url: '/admin/matching-engine/restart' });
    expect(req?.headers['idempotency-key']).toBe('restart:matching:1');
    expect(req?.headers['x-fencing-token']).toBe('12');
    expect(JSON.parse(req?.body ?? '')).toEqual({ target: 'matching-engine' });
    expect(r.details).toMatchObject({ status: 200 });
  });

  test.each([
    [503, 'TransientError'],
    [429, 'TransientError'],
    [404, 'PermanentError'],
    [403, 'PermanentError'],
  ])('HTTP %i is a %s', async (status, name) => {
    nextStatus = status;
    await expect(new RestartExecutor().execute('m', { driver: 'http', url: `${svc.url}/r` }, executionContext())).rejects.toMatchObject({ name });
  });
});

/** A local server speaking the two Kubernetes API paths the driver uses. */
describe('restart with the kubernetes driver', () => {
  let api: RecordingServer;
  let status = 200;
  let kc: KubeConfig;
  beforeAll(async () => {
    api = await recordingServer((req, res) => {
      if (status !== 200) return reply(res, status, { kind: 'Status', code: status, message: 'nope' });
      if (req.url.startsWith('/apis/apps/v1/namespaces/trading/deployments/matching')) return reply(res, 200, { kind: 'Deployment', metadata: { name: 'matching' } });
      if (req.url.startsWith('/api/v1/namespaces/trading/pods/matching-7d9f')) return reply(res, 200, { kind: 'Pod', metadata: { name: 'matching-7d9f' } });
      reply(res, 404, { kind: 'Status', code: 404 });
    });
    const k8s = await loadKubernetesClient();
    kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'local', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'warden', token: 'test-token' }],
      contexts: [{ name: 'local', cluster: 'local', user: 'warden' }],
      currentContext: 'local',
    });
  });
  afterAll(() => api.close());
  const executor = () => new RestartExecutor({ kubernetes: { kubeConfig: () => kc, clock: () => NOW } });

  test('rollout restart PATCHes the deployment template annotation as a strategic merge patch', async () => {
    status = 200;
    const r = await executor().execute('matching', { driver: 'kubernetes', kind: 'deployment', namespace: 'trading' }, executionContext());
    const req = api.requests.at(-1);
    expect(req?.method).toBe('PATCH');
    expect(req?.url).toBe('/apis/apps/v1/namespaces/trading/deployments/matching');
    expect(req?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(req?.headers.authorization).toBe('Bearer test-token');
    expect(JSON.parse(req?.body ?? '')).toEqual({ spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: '2026-03-01T12:00:00.000Z' } } } } });
    expect(r.summary).toBe('rollout restart of deployment trading/matching');
  });

  test('kind pod DELETEs the pod named in params', async () => {
    status = 200;
    await executor().execute('matching', { driver: 'kubernetes', kind: 'pod', namespace: 'trading', name: 'matching-7d9f' }, executionContext());
    expect(api.requests.at(-1)).toMatchObject({ method: 'DELETE', url: '/api/v1/namespaces/trading/pods/matching-7d9f' });
  });

  test('404 is permanent, 503 is transient, an unreachable API server is transient', async () => {
    status = 404;
    await expect(executor().execute('matching', { driver: 'kubernetes', namespace: 'trading' }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/HTTP 404/) });
    status = 503;
    await expect(executor().execute('matching', { driver: 'kubernetes', namespace: 'trading' }, executionContext())).rejects.toMatchObject({ name: 'TransientError', message: expect.stringMatching(/HTTP 503/) });
    const k8s = await loadKubernetesClient();
    const dead = new k8s.KubeConfig();
    dead.loadFromOptions({ clusters: [{ name: 'd', server: 'http://127.0.0.1:1', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'd', cluster: 'd', user: 'u' }], currentContext: 'd' });
    await expect(new RestartExecutor({ kubernetes: { kubeConfig: () => dead, clock: () => NOW } }).execute('matching', { driver: 'kubernetes' }, executionContext())).rejects.toMatchObject({ name: 'TransientError' });
  });

  test('a kube config the client refuses (plain http without skipTLSVerify) is permanent', async () => {
    const k8s = await loadKubernetesClient();
    const strict = new k8s.KubeConfig();
    strict.loadFromOptions({ clusters: [{ name: 'l', server: api.url }], users: [{ name: 'u' }], contexts: [{ name: 'l', cluster: 'l', user: 'u' }], currentContext: 'l' });
    await expect(new RestartExecutor({ kubernetes: { kubeConfig: () => strict, clock: () => NOW } }).execute('matching', { driver: 'kubernetes' }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/skipTLSVerify/) });
  });

  test('without a kube config the driver is refused permanently', async () => {
    await expect(new RestartExecutor().execute('matching', { driver: 'kubernetes' }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/not configured/) });
  });
});
