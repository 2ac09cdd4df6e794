import { buildBodies } from './ingest-client';

/**
 * JSON.parse alone over the ingest benchmark's own bodies, on this thread: the yardstick issue 3
 * names ("~1M/s on one core here"). Ingest figures divided by it compare across machines and days
 * on a shared host, where absolute figures move by 2x.
 */
export function benchJsonParse(): { json_parse_samples_per_s: number } {
  const bodies = buildBodies({ port: 0, rounds: 4, warmRounds: 0, series: 10_000, batch: 1000, startMs: Date.now(), connections: 1 }).map((b) => b.toString('utf8'));
  for (const b of bodies.slice(0, 10)) JSON.parse(b);
  let best = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = process.hrtime.bigint();
    let samples = 0;
    for (const b of bodies) samples += (JSON.parse(b) as { samples: unknown[] }).samples.length;
    best = Math.max(best, samples / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return { json_parse_samples_per_s: Math.round(best) };
}
