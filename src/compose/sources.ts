import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AuditEntry } from '../audit/audit-entry';
import type { WardenConfig } from '../config/schema';
import type { DerivedSeries } from '../ingest/derived-series';
import { ProbeSource } from '../ingest/probe-source';
import { ScrapeSource } from '../ingest/scrape-source';
import type { SampleSink, Source } from '../ingest/source';
import type { Sample } from '../signals/sample';
import type { WardenEvents } from '../warden-events';

export interface SourcesDeps {
  config: WardenConfig;
  sink: SampleSink;
  events: WardenEvents;
  derived: DerivedSeries;
  seriesLimit: (samples: readonly Sample[]) => string | undefined;
  registry: Registry;
  log: Logger;
  clock: () => number;
}

/** Longest a remediated target is probed at the confirm pace when no verdict step is audited. */
const VERIFY_PACE_MAX_MS = 120_000;

/** Steps after which a remediation is no longer waiting to see its target come back. */
const VERIFY_ENDED = new Set(['remediation.verified', 'remediation.verify_failed', 'remediation.escalated', 'remediation.cancelled']);

/**
 * Scrapes and probes, linked (issue 14 §2): a scrape of a probed component that cannot connect
 * brings that component's next probe forward (corroboration, never a failure by itself), and a
 * component a remediation acts on is probed at the confirm pace until the remediation's verdict.
 */
export function startSources(d: SourcesDeps): { sources: Source[]; stop: () => Promise<void> } {
  const { config, log, clock } = d;
  const probes = new Map<string, ProbeSource>();
  for (const c of config.components) if (c.probe) probes.set(c.name, new ProbeSource(c, d.sink, { clock, log, registry: d.registry }));
  const scrapes = config.scrape.map((s) => {
    const probe = probes.get(s.labels.component ?? s.job);
    return new ScrapeSource(s, d.sink, {
      clock, log, registry: d.registry, derived: d.derived, seriesLimit: d.seriesLimit,
      ...(probe ? { onUnreachable: () => probe.corroborateFailure() } : {}),
    });
  });
  const onAudited = (e: AuditEntry) => {
    const probe = probes.get(e.target);
    if (!probe) return;
    if (e.action === 'remediation.attempt') probe.verifyUntil(clock() + VERIFY_PACE_MAX_MS);
    else if (VERIFY_ENDED.has(e.action)) probe.endVerify();
  };
  d.events.on('audited', onAudited);
  const sources: Source[] = [...scrapes, ...probes.values()];
  for (const s of sources) s.start();
  return {
    sources,
    async stop() {
      d.events.off('audited', onAudited);
      await Promise.all(sources.map((s) => s.stop()));
    },
  };
}
