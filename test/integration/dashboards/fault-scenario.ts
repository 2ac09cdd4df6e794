import type { TestPrometheus } from './prometheus-server';
import type { WatchedExchange } from './watched-exchange';

/**
 * A bad few seconds on the exchange, so every panel of the three dashboards has something real to
 * draw: a crash Warden repairs (restart, verified), an invariant violation that halts trading, lag
 * that turns the exchange Red (P1: Slack and email) and Yellow (P2: email, a dry-run remediation),
 * a read-only component under a silence, an acknowledged incident and a resolved one. Every step
 * waits on what Prometheus has scraped, never on a fixed sleep.
 */
export async function runFaultScenario(x: WatchedExchange, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const until = (what: string, expr: string) => untilPromql(x.prom, what, expr, deadline);

  await until('prometheus scraping every target', `count(up == 1) == ${x.targetCount}`);
  await until('warden watching every component', 'count(warden_component_health == 0) == 6');
  await silence(x, 'ComponentReadOnly');
  await Promise.all([
    fault(x, { kind: 'crash', component: 'reporting' }),
    fault(x, { kind: 'invariant_violation', component: 'settlement' }),
    fault(x, { kind: 'lag', component: 'database', value: 15 }),
    fault(x, { kind: 'lag', component: 'market-data', value: 5, metric: 'processing' }),
    fault(x, { kind: 'read_only', component: 'order-gateway' }),
  ]);

  await until('exchange Red', 'warden_overall_health == 2');
  await until('trading halted by Warden', 'warden_trading_halted == 1 and on() exchange_trading_halted == 1');
  await until('reporting restarted and verified up', 'warden_remediation_jobs_total{action="restart",outcome="verified"} > 0');
  await until('halt_trading job done', 'warden_remediation_jobs_total{action="halt_trading",outcome="succeeded"} > 0');
  await until('a dry run recorded', 'warden_remediation_dry_runs_total{action="archive_logs"} > 0');
  await until('budgets spent', 'count(warden_remediation_budget_remaining) >= 2');
  for (const channel of ['pagerduty', 'slack', 'email']) {
    await until(`a ${channel} delivery`, `warden_notifications_total{channel="${channel}",outcome="success"} > 0`);
  }
  await until('a silence in force', 'warden_silences_active > 0');

  await acknowledge(x, 'P1');
  await until('an acknowledged incident', 'sum(warden_incidents{status="acknowledged"}) > 0');
  await clearFault(x, 'market-data', 'lag');
  await until('the processing-lag incident resolved', 'sum(warden_incidents_resolved_total) > 0');
}

/** Polls an instant query until it returns a sample; a query error fails at once. */
export async function untilPromql(prom: TestPrometheus, what: string, expr: string, deadlineMs: number): Promise<void> {
  for (;;) {
    const r = await prom.query(expr);
    if (r.status !== 'success') throw new Error(`${what}: "${expr}" failed: ${r.error}`);
    if ((r.data?.result.length ?? 0) > 0) return;
    if (Date.now() > deadlineMs) throw new Error(`timed out waiting for ${what} ("${expr}" returned nothing)`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function post(url: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

function fault(x: WatchedExchange, body: Record<string, unknown>): Promise<unknown> {
  return post(`${x.sim.controlUrl}/faults`, body);
}

function clearFault(x: WatchedExchange, component: string, kind: string): Promise<unknown> {
  return post(`${x.sim.controlUrl}/faults/clear`, { component, kind });
}

function silence(x: WatchedExchange, alertname: string): Promise<unknown> {
  const now = Date.now();
  return post(`${x.warden.url}/v1/silences`, {
    matchers: [{ name: 'alertname', value: alertname, isRegex: false }],
    startsAt: new Date(now - 1000).toISOString(),
    endsAt: new Date(now + 3_600_000).toISOString(),
    comment: 'dashboards test: read-only order-gateway is expected',
  });
}

/** Acknowledges the first open incident of a severity (waits for it to open). */
async function acknowledge(x: WatchedExchange, severity: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await fetch(`${x.warden.url}/v1/incidents?severity=${severity}&status=triggered`);
    const { incidents } = (await res.json()) as { incidents: Array<{ id: string }> };
    const first = incidents[0];
    if (first) {
      await post(`${x.warden.url}/v1/incidents/${first.id}/ack`, { reason: 'dashboards test' });
      return;
    }
    if (Date.now() > deadline) throw new Error(`no triggered ${severity} incident to acknowledge`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
