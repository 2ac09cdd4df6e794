import { PermanentError, TransientError } from '../../../src/errors';
import { EmailNotifier, type EmailNotifierOptions } from '../../../src/notify/email/email-notifier';
import { FakeSmtp } from '../../support/fake-smtp';
import { notification } from './notification-fixture';

describe('EmailNotifier through nodemailer to a real SMTP server', () => {
  let smtp: FakeSmtp;
  const signal = new AbortController().signal;
  const notifier = (overrides: Partial<EmailNotifierOptions> = {}) =>
    new EmailNotifier({ receiver: 'team', to: 'oncall@example.com, dba@example.com', from: 'warden@example.com', smarthost: smtp.smarthost, caPem: smtp.cert!.certPem, timeoutMs: 2000, ...overrides });
  const p1 = (overrides = {}) => notification({ severity: 'P1', summary: 'Replication lag 12 s', key: 'inc-1:trigger:email', ...overrides });

  beforeAll(async () => {
    smtp = await FakeSmtp.start({ users: { warden: 's3cret' } });
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.messages.length = 0;
    smtp.mode = 'ok';
  });
  const authed = { authUsername: 'warden', authPassword: 's3cret' };

  it('a trigger arrives once over STARTTLS with subject "[P1] [TRIGGERED] summary", text and HTML bodies', async () => {
    const result = await notifier(authed).send(p1(), signal);
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.secure).toBe(true);
    expect(mail.user).toBe('warden');
    expect(mail.envelopeTo).toEqual(['oncall@example.com', 'dba@example.com']);
    expect(mail.parsed.subject).toBe('[P1] [TRIGGERED] Replication lag 12 s');
    expect(mail.parsed.messageId).toBe('<inc-1.trigger@warden>');
    expect(mail.parsed.inReplyTo).toBeUndefined();
    expect(mail.parsed.text).toMatch(/^P1 TRIGGERED: Replication lag 12 s\n\nIncident: inc-1\nSeverity: P1\nStatus: triggered/);
    expect(mail.parsed.html).toContain('<h2>P1 TRIGGERED: Replication lag 12 s</h2>');
    expect(mail.parsed.headers.get('x-warden-fingerprint')).toBe('fp-4f2a9c0d1e');
    expect(result).toMatchObject({ channel: 'email', ref: '<inc-1.trigger@warden>', detail: { accepted: ['oncall@example.com', 'dba@example.com'], rejected: [] } });
  });

  it('acknowledgement and resolution reply to the trigger (In-Reply-To and References), so clients thread them', async () => {
    const trigger = await notifier(authed).send(p1(), signal);
    await notifier(authed).send(p1({ key: 'inc-1:acknowledge:email', transition: 'acknowledge', status: 'acknowledged', acknowledgedBy: 'alice', threadRef: trigger.ref }), signal);
    await notifier(authed).send(p1({ key: 'inc-1:resolve:email', transition: 'resolve', status: 'resolved', threadRef: trigger.ref }), signal);
    const [, ack, resolve] = smtp.messages.map((m) => m.parsed);
    expect(ack!.subject).toBe('[P1] [ACKNOWLEDGED] Replication lag 12 s');
    expect(ack!.inReplyTo).toBe('<inc-1.trigger@warden>');
    expect(ack!.references).toBe('<inc-1.trigger@warden>');
    expect(ack!.text).toContain('Acknowledged by: alice');
    expect(resolve!.subject).toBe('[P1] [RESOLVED] Replication lag 12 s');
    expect(resolve!.inReplyTo).toBe('<inc-1.trigger@warden>');
    expect(ack!.messageId).toMatch(/^<inc-1\.acknowledge\.[0-9a-f]{12}@warden>$/);
  });

  it('Message-IDs are stable per notification and differ between repeats', async () => {
    const repeat = (seq: number) => p1({ key: `inc-1:repeat:email:${seq}`, transition: 'repeat', threadRef: '<inc-1.trigger@warden>' });
    await notifier(authed).send(repeat(1), signal);
    await notifier(authed).send(repeat(1), signal);
    await notifier(authed).send(repeat(2), signal);
    const ids = smtp.messages.map((m) => m.parsed.messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('the "PagerDuty unreachable" fallback leads the subject', async () => {
    await notifier(authed).send(notification({ note: 'PagerDuty unreachable' }), signal);
    expect(smtp.messages[0]!.parsed.subject).toBe('[PagerDuty unreachable] [P0] [TRIGGERED] Matching engine down');
  });

  it('451 (try later) is a TransientError', async () => {
    smtp.mode = 'temp-451';
    const err = await notifier(authed).send(p1(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/451/);
    expect(smtp.messages).toHaveLength(0);
  });

  it('550 (mailbox unavailable) is a PermanentError', async () => {
    smtp.mode = 'perm-550';
    const err = await notifier(authed).send(p1(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/550/);
  });

  it('wrong credentials (535) are a PermanentError', async () => {
    await expect(notifier({ authUsername: 'warden', authPassword: 'wrong' }).send(p1(), signal)).rejects.toThrow(PermanentError);
  });

  it('a relay that does not answer is a TransientError at the timeout', async () => {
    smtp.mode = 'hang';
    const err = await notifier({ ...authed, timeoutMs: 300 }).send(p1(), signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
  });

  it('a refused connection is a TransientError', async () => {
    await expect(notifier({ smarthost: '127.0.0.1:1' }).send(p1(), signal)).rejects.toThrow(TransientError);
  });

  it('with require_tls a relay without STARTTLS is refused (PermanentError) and nothing is sent in clear', async () => {
    const plain = await FakeSmtp.start({ startTls: false });
    try {
      const strict = new EmailNotifier({ receiver: 'team', to: 'oncall@example.com', from: 'warden@example.com', smarthost: plain.smarthost });
      await expect(strict.send(p1(), signal)).rejects.toThrow(PermanentError);
      expect(plain.messages).toHaveLength(0);
      const relaxed = new EmailNotifier({ receiver: 'team', to: 'oncall@example.com', from: 'warden@example.com', smarthost: plain.smarthost, requireTls: false });
      await relaxed.send(p1(), signal);
      expect(plain.messages).toHaveLength(1);
    } finally {
      await plain.stop();
    }
  });
});
