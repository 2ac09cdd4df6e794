import { Channels } from './incident-fixture';

let ch: Channels;
beforeAll(async () => {
  ch = await Channels.start();
});
afterAll(() => ch?.stop());

describe('silences across Warden replicas', () => {
  it('a silence created or expired on one replica applies on the other at its next tick', async () => {
    const a = ch.service({ runWorker: false });
    const b = ch.service({ runWorker: false });
    await a.start();
    await b.start();
    try {
      const now = ch.clock.now;
      const created = await a.createSilence({ matchers: [{ name: 'component', value: 'settlement', isRegex: false, isEqual: true }], startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), comment: 'maintenance' }, 'alice');
      expect(b.silences.get(created.id)).toBeUndefined();
      await b.tick();
      expect(b.silences.list().find((s) => s.id === created.id)?.status.state).toBe('active');

      ch.clock.now += 1000;
      await a.expireSilence(created.id, 'alice');
      await b.tick();
      expect(b.silences.list().find((s) => s.id === created.id)?.status.state).toBe('expired');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
