import type Redis from 'ioredis';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AuditLog } from '../audit/audit-log';
import type { WardenConfig } from '../config/schema';
import type { Authenticator } from '../http/auth';
import { channelRoutes } from '../http/routes/channels';
import { incidentRoutes } from '../http/routes/incidents';
import { silenceRoutes } from '../http/routes/silences';
import { IncidentService } from '../incidents/incident-service';
import { createChannelBreakers } from '../notify/channel-breakers';
import { createNotifiers } from '../notify/create-notifiers';
import { NotifyMetrics } from '../notify/notify-metrics';
import type { JournalSink } from '../runtime/outbox-journal';
import type { WardenEvents } from '../warden-events';
import type { MaintenanceMuter } from '../incidents/mute';
import type { EpisodeAgreement, LeaderGate } from '../cluster/leader-gate';

export interface PagingDeps {
  config: WardenConfig;
  configFile: string;
  redis: Redis;
  auth: Authenticator;
  audit: AuditLog;
  events: WardenEvents;
  registry: Registry;
  log: Logger;
  clock: () => number;
  /** The URL Warden listens on, once it does: the webhook payload's externalURL unless alertmanager.external_url says otherwise. */
  listenUrl?: () => string;
  journal?: JournalSink;
  /** Maintenance windows: matching alerts recorded, not notified (issue 13 §3). */
  maintenance?: MaintenanceMuter;
  /** Issue 12: the leader gate and agreed episode starts (unset: a lone Warden, always leader). */
  cluster?: { leader: LeaderGate; episodes: EpisodeAgreement };
}

export interface Paging {
  readonly incidents: IncidentService;
  readonly routers: Router[];
  stop(): Promise<void>;
}

/** Issue 5's stages: alerts -> incidents -> routed, grouped, muted, escalated deliveries. */
export async function startPaging(d: PagingDeps): Promise<Paging> {
  const log = d.log.child({ stage: 'paging' });
  const notifyMetrics = new NotifyMetrics(d.registry);
  const breakers = createChannelBreakers({
    clock: d.clock,
    metrics: notifyMetrics,
    onStateChange: (c) => {
      log.warn({ channel: c.name, from: c.from, to: c.to, reason: c.reason }, 'notification channel breaker changed state');
      d.audit.append({ actor: 'warden', action: 'breaker.' + c.to, target: c.name, details: { from: c.from, reason: c.reason } }).catch((err: unknown) => log.error({ err }, 'audit append failed'));
    },
  });
  const externalUrl = () => d.config.alertmanager.external_url ?? d.listenUrl?.() ?? '';
  const notifiers = [...createNotifiers(d.config.notify.receivers, { breakers, metrics: notifyMetrics, clock: d.clock, configFile: d.configFile, externalUrl }).values()].flat();
  const incidents = new IncidentService({ redis: d.redis, prefix: d.config.redis.prefix, notify: d.config.notify, notifiers, log, registry: d.registry, clock: d.clock, audit: d.audit, journal: d.journal, ...(d.maintenance ? { maintenance: d.maintenance } : {}), ...(d.cluster ?? {}) });
  await incidents.start();
  // onAlert never rejects: failures are logged and retried inside the service.
  const onAlert = (t: Parameters<IncidentService['onAlert']>[0]) => void incidents.onAlert(t);
  d.events.on('alert', onAlert);
  return {
    incidents,
    routers: [incidentRoutes({ auth: d.auth, incidents, maxAlerts: d.config.notify.max_alerts }), silenceRoutes({ auth: d.auth, incidents, clock: d.clock }), channelRoutes({ auth: d.auth, breakers, notifiers })],
    async stop() {
      d.events.off('alert', onAlert);
      await incidents.stop();
    },
  };
}
