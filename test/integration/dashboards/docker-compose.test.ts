import { requireTool } from '../../support/estate-tools';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/config/load-config';
import { portLayout, SIM_COMPONENTS } from '../../../src/sim/components';
import { onPath } from './prometheus-server';

/**
 * docker-compose.yml cannot run here (no Docker daemon), so check what can be checked without it:
 * the structure, that every file it mounts or copies exists, that the Prometheus config is valid
 * (promtool) and that Warden's compose config passes Warden's own schema and points at the
 * simulator's real port layout. `docker compose config` runs too when the plugin is installed, else
 * Debian's docker-compose v1 when that is.
 */
const ROOT = join(__dirname, '..', '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const compose = parse(read('docker-compose.yml')) as {
  services: Record<string, { image?: string; build?: string; volumes?: string[]; ports?: string[]; depends_on?: Record<string, unknown> | string[]; command?: string[]; entrypoint?: string[] }>;
  volumes: Record<string, unknown>;
};
const SIM_BASE_PORT = 9300;
const layout = portLayout(SIM_BASE_PORT);

describe('docker-compose.yml', () => {
  it('has every service of the stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'mailpit', 'postgres', 'prometheus', 'redis', 'simulator', 'warden']);
  });

  it('mounts only files that exist and volumes that are declared', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const v of svc.volumes ?? []) {
        const source = v.split(':')[0] as string;
        if (source.startsWith('./')) expect({ service: name, source, exists: existsSync(join(ROOT, source)) }).toEqual({ service: name, source, exists: true });
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
  });

  it('depends only on services it defines, and publishes well-formed ports', () => {
    for (const svc of Object.values(compose.services)) {
      const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
      for (const d of deps) expect(Object.keys(compose.services)).toContain(d);
      for (const p of svc.ports ?? []) expect(p).toMatch(/^\d+(-\d+)?:\d+(-\d+)?$/);
    }
  });

  it('builds warden and the simulator from the repository Dockerfile on node:20-bookworm-slim', () => {
    expect(compose.services.warden?.build).toBe('.');
    expect(compose.services.simulator?.build).toBe('.');
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim AS build$/m);
    expect(dockerfile).toContain('RUN npm ci');
    expect(dockerfile).toContain('npm run build');
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of (m[1] as string).split(' ')) expect({ src, exists: existsSync(join(ROOT, src)) }).toEqual({ src, exists: true });
    }
  });

  it('runs the simulator on the base port the rest of the stack expects', () => {
    const sim = compose.services.simulator!;
    expect(sim.entrypoint).toEqual(['node', 'dist/sim/sim-cli.js']);
    expect(sim.command).toContain(`--base-port=${SIM_BASE_PORT}`);
    expect(sim.ports).toEqual([`${SIM_BASE_PORT}-${SIM_BASE_PORT + 7}:${SIM_BASE_PORT}-${SIM_BASE_PORT + 7}`]);
  });

  const composeV2 = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  (composeV2 ? it : it.skip)('`docker compose config` accepts it', () => {
    const r = spawnSync('docker', ['compose', '-f', join(ROOT, 'docker-compose.yml'), 'config', '--quiet'], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });

  // Debian's docker-compose 1.29 validates services, healthchecks and depends_on conditions without a
  // daemon; it predates the Compose spec's top-level `name`, so that one key is left out for it.
  (!composeV2 && onPath('docker-compose') ? it : it.skip)('`docker-compose config` (v1) accepts its services', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-compose-'));
    try {
      for (const d of ['deploy', 'dashboards']) symlinkSync(join(ROOT, d), join(dir, d));
      const text = read('docker-compose.yml');
      expect(text).toMatch(/^name: warden$/m);
      writeFileSync(join(dir, 'docker-compose.yml'), text.replace(/^name: warden\n/m, ''));
      const r = spawnSync('docker-compose', ['-f', join(dir, 'docker-compose.yml'), 'config', '--quiet'], { encoding: 'utf8', cwd: dir });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  const cfg = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Array<{ job_name: string; authorization?: { credentials: string }; static_configs: Array<{ targets: string[] }> }> };
  const job = (name: string) => cfg.scrape_configs.find((j) => j.job_name === name);

  (requireTool('promtool', 'prometheus') ? it : it.skip)('passes promtool check config', () => {
    const r = spawnSync('promtool', ['check', 'config', join(ROOT, 'deploy/prometheus/prometheus.yml')], { encoding: 'utf8' });
    expect({ status: r.status, out: r.stderr }).toEqual({ status: 0, out: '' });
  });

  it('scrapes every simulated component and the exchange admin on the simulator port layout', () => {
    expect(job('exchange')?.static_configs[0]?.targets).toEqual(SIM_COMPONENTS.map((c) => `simulator:${layout.componentPorts.get(c)}`));
    expect(job('exchange-admin')?.static_configs[0]?.targets).toEqual([`simulator:${layout.exchangeAdminPort}`]);
  });

  it('scrapes Warden with a read token Warden knows', () => {
    const warden = parseConfig('deploy/warden/warden.yaml', read('deploy/warden/warden.yaml'));
    const token = warden.auth.tokens.find((t) => t.token === job('warden')?.authorization?.credentials);
    expect(token?.scopes).toContain('read');
    expect(job('warden')?.static_configs[0]?.targets).toEqual([`warden:${warden.server.port}`]);
  });
});

describe('deploy/warden/warden.yaml (Warden inside compose)', () => {
  const warden = parseConfig('deploy/warden/warden.yaml', read('deploy/warden/warden.yaml'));

  it('passes Warden\'s own schema and watches every simulated component on its port, and the database pair on the control port', () => {
    const dbPair = ['db-primary', 'db-replica'];
    expect(warden.components.map((c) => c.name)).toEqual([...SIM_COMPONENTS, ...dbPair]);
    for (const c of warden.components) {
      const url = dbPair.includes(c.name) ? `http://simulator:${layout.controlPort}/db/${c.name}/health` : `http://simulator:${layout.componentPorts.get(c.name as (typeof SIM_COMPONENTS)[number])}/healthz`;
      expect({ component: c.name, probe: c.probe?.url }).toEqual({ component: c.name, probe: url });
    }
    expect(warden.scrape.map((s) => s.url)).toEqual(SIM_COMPONENTS.map((c) => `http://simulator:${layout.componentPorts.get(c)}/metrics`));
    expect(warden.exchange.admin_url).toBe(`http://simulator:${layout.exchangeAdminPort}`);
  });

  it('sends email to the mail catcher service', () => {
    const smarthost = warden.notify.receivers[0]?.email_configs[0]?.smarthost;
    expect(smarthost).toBe('mailpit:1025');
    expect(compose.services.mailpit).toBeDefined();
  });
});

describe('Grafana provisioning', () => {
  it('points the datasource at the compose Prometheus with the uid the dashboards default to', () => {
    const ds = parse(read('dashboards/provisioning/datasources/prometheus.yaml')) as { datasources: Array<{ uid: string; url: string; type: string }> };
    expect(ds.datasources[0]).toMatchObject({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' });
    for (const f of ['exchange-health.json', 'remediation.json', 'paging.json']) {
      const d = JSON.parse(read(`dashboards/${f}`)) as { templating: { list: Array<{ name: string; current?: { value: string } }> } };
      expect(d.templating.list.find((v) => v.name === 'datasource')?.current?.value).toBe('prometheus');
    }
  });

  it('loads dashboards from where docker-compose.yml mounts them', () => {
    const prov = parse(read('dashboards/provisioning/dashboards/warden.yaml')) as { providers: Array<{ options: { path: string } }> };
    const mount = compose.services.grafana?.volumes?.find((v) => v.startsWith('./dashboards:'));
    expect(mount?.split(':')[1]).toBe(prov.providers[0]?.options.path);
  });
});
