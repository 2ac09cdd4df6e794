import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load-config';
import { PermanentError, TransientError } from '../../../src/errors';
import { createChannelBreakers } from '../../../src/notify/channel-breakers';
import { createNotifiers } from '../../../src/notify/create-notifiers';
import type { Notifier } from '../../../src/notify/notifier';
import { generateSelfSignedCert } from '../../support/fake-pagerduty';
import { FakeWebhook } from '../../support/fake-webhook';
import { notification } from './notification-fixture';

/** WebhookNotifier from warden.yaml against local HTTP and HTTPS endpoints (the transport and its answers). */
describe('webhook notifier against local endpoints', () => {
  let plain: FakeWebhook;
  let tls: FakeWebhook;
  let dir: string;
  const signal = new AbortController().signal;
  const cert = generateSelfSignedCert();

  beforeAll(async () => {
    [plain, tls] = await Promise.all([FakeWebhook.start(), FakeWebhook.start({ cert })]);
    dir = mkdtempSync(join(tmpdir(), 'warden-webhook-'));
    writeFileSync(join(dir, 'ca.pem'), cert.certPem);
  });
  afterAll(async () => {
    await Promise.all([plain.stop(), tls.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    plain.reset();
    tls.reset();
  });

  function notifiers(webhookConfigs: string): Notifier[] {
    const config = parseConfig(join(dir, 'warden.yaml'), `notify:\n  receivers:\n    - name: bridge\n      webhook_configs:\n${webhookConfigs}`);
    return createNotifiers(config.notify.receivers, { breakers: createChannelBreakers(), externalUrl: () => 'https://warden.example' }).get('bridge')!;
  }

  it('https with the endpoint\'s own CA (tls_config.ca_file); without it the certificate is refused (transient: the endpoint is not reachable as configured)', async () => {
    const [trusted, untrusted] = notifiers(`        - {url: "${tls.url()}", http_config: {tls_config: {ca_file: ca.pem}}}\n        - {url: "${tls.url()}"}\n`);
    expect(trusted!.index).toBe(0);
    expect(untrusted!.index).toBe(1);
    await expect(trusted!.send(notification({ receiver: 'bridge' }), signal)).resolves.toMatchObject({ channel: 'webhook', detail: { status: 200, alerts: 1 } });
    await expect(untrusted!.send(notification({ receiver: 'bridge' }), signal)).rejects.toThrow(/webhook https:\/\/127\.0\.0\.1:\d+ unreachable: .*self-signed certificate/);
    expect(tls.requests).toHaveLength(1);
    expect(tls.requests[0]!.body).toMatchObject({ version: '4', receiver: 'bridge', externalURL: 'https://warden.example', groupKey: 'fp-4f2a9c0d1e' });
  });

  it.each([
    [500, TransientError],
    [503, TransientError],
    [429, TransientError],
    [408, TransientError],
    [400, PermanentError],
    [401, PermanentError],
    [404, PermanentError],
    [410, PermanentError],
  ])('an answer %i is a %p', async (status, kind) => {
    const [n] = notifiers(`        - {url: "${plain.url()}"}\n`);
    plain.plan.push({ status, body: 'nope' });
    const err = await n!.send(notification({ receiver: 'bridge' }), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(kind);
    expect((err as Error).message).toMatch(new RegExp(`answered ${status}: nope$`));
  });

  it('307/308 are followed with the same POST and body (auth kept on the same host); other redirects are not followed and are permanent', async () => {
    const [n] = notifiers(`        - {url: "${plain.url('/old')}", http_config: {bearer_token: t0k}}\n`);
    plain.plan.push({ status: 308, headers: { location: '/new' } });
    await n!.send(notification({ receiver: 'bridge' }), signal);
    expect(plain.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([['POST', '/old', 'Bearer t0k'], ['POST', '/new', 'Bearer t0k']]);
    expect(plain.requests[1]!.raw).toBe(plain.requests[0]!.raw);
    plain.reset();
    plain.plan.push({ status: 302, headers: { location: '/elsewhere' } });
    await expect(n!.send(notification({ receiver: 'bridge' }), signal)).rejects.toThrow(PermanentError);
    expect(plain.requests).toHaveLength(1);
  });

  it('no acknowledgement or reminder is ever sent; a resolution only with send_resolved', () => {
    const [on, off] = notifiers(`        - {url: "${plain.url()}"}\n        - {url: "${plain.url()}", send_resolved: false}\n`);
    expect(['trigger', 'repeat', 'escalate', 'resolve', 'acknowledge', 'remind'].map((t) => on!.sends!(t as never))).toEqual([true, true, true, true, false, false]);
    expect(off!.sends!('resolve')).toBe(false);
  });

  it('a timeout covers a slow body too: the attempt is aborted and transient', async () => {
    const [n] = notifiers(`        - {url: "${plain.url()}", timeout: 200ms}\n`);
    plain.plan.push('hang');
    const started = Date.now();
    await expect(n!.send(notification({ receiver: 'bridge' }), signal)).rejects.toThrow(/request timed out after 200 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
