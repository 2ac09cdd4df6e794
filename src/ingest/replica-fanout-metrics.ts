import { Counter, Histogram, type Registry } from 'prom-client';

/** The fan-out's metrics (README "Replicas share what they are pushed"). */
export class FanoutMetrics {
  readonly published: Counter<'source'>;
  readonly publishFailed: Counter<'source' | 'reason'>;
  readonly applied: Counter<'source'>;
  readonly dropped: Counter;
  readonly rejected: Counter<'reason'>;
  readonly lag: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.published = new Counter({ name: 'warden_fanout_published_batches_total', help: 'Batches accepted over HTTP and published to the other replicas.', labelNames: ['source'], registers });
    this.publishFailed = new Counter({ name: 'warden_fanout_publish_failed_total', help: 'Batches applied here but not published (Redis not answering, or too many publishes waiting).', labelNames: ['source', 'reason'], registers });
    this.applied = new Counter({ name: 'warden_fanout_applied_batches_total', help: 'Batches from other replicas applied here.', labelNames: ['source'], registers });
    this.dropped = new Counter({ name: 'warden_fanout_dropped_batches_total', help: 'Batches of other replicas this one never applied: trimmed from the stream before it read them, or never published.', registers });
    this.rejected = new Counter({ name: 'warden_fanout_rejected_batches_total', help: 'Batches from other replicas not applied: malformed, or past the series limits here.', labelNames: ['reason'], registers });
    this.lag = new Histogram({ name: 'warden_fanout_lag_seconds', help: 'From publish on another replica to applied here (wall clocks of both hosts).', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30], registers });
  }
}
