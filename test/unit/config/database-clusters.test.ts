import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load-config';
import { ConfigError } from '../../../src/errors';

/** warden.yaml remediation.executors.databases (issue 14 §3): validated once at load, secrets read then. */
const PRIMARY_URL = 'postgresql://warden:s3cret-primary@10.0.0.5:5432/exchange';
const REPLICA_URL = 'postgresql://warden:s3cret-replica@10.0.0.6:5432/exchange';

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-dbconf-'));
  file = join(dir, 'warden.yaml');
  writeFileSync(join(dir, 'primary.url'), `${PRIMARY_URL}\n`);
  writeFileSync(join(dir, 'patroni.auth'), 'patroni:api-pass\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMPONENTS = `components:
  - {name: db-primary, critical: true, probe: {url: "postgres://warden@10.0.0.5:5432/exchange"}}
  - {name: db-replica, critical: true, probe: {url: "postgres://warden@10.0.0.6:5432/exchange"}}
  - {name: db-unprobed}
`;
const cluster = (body: string) => `${COMPONENTS}remediation:\n  executors:\n    databases:\n${body}`;
const POSTGRES = `      - name: exchange-db
        driver: postgres
        nodes:
          - {name: db-primary, url_file: primary.url}
          - {name: db-replica, url_env: DB_REPLICA_URL}
`;

function configError(text: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(file, text, {}, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('remediation.executors.databases', () => {
  it('reads connection strings from url_file and url_env once, with the documented defaults', () => {
    const c = parseConfig(file, cluster(POSTGRES), {}, { DB_REPLICA_URL: REPLICA_URL });
    const [db] = c.remediation.executors.databases;
    expect(db).toMatchObject({ name: 'exchange-db', driver: 'postgres', check_table: 'warden_failover_check', connect_timeout: 2000, promote_timeout: 60_000, observe_interval: 2000, synchronous_mode_strict: false, max_replay_lag: 16 * 1024 * 1024 });
    expect(db?.nodes).toEqual([{ name: 'db-primary', url: PRIMARY_URL }, { name: 'db-replica', url: REPLICA_URL }]);
  });

  it('a patroni cluster takes api_url per node and api_auth from a file', () => {
    const c = parseConfig(file, cluster(`      - name: pg
        driver: patroni
        api_auth_file: patroni.auth
        nodes:
          - {name: db-primary, api_url: "http://10.0.0.5:8008"}
          - {name: db-replica, api_url: "http://10.0.0.6:8008"}
`));
    expect(c.remediation.executors.databases[0]).toMatchObject({ driver: 'patroni', api_auth: 'patroni:api-pass', nodes: [{ name: 'db-primary', api_url: 'http://10.0.0.5:8008' }, { name: 'db-replica', api_url: 'http://10.0.0.6:8008' }] });
  });

  it.each([
    ['an unset url_env', POSTGRES, {}, /databases\[0\]\.nodes\[1\]\.url_env: environment variable DB_REPLICA_URL is not set/],
    ['a node that is not a component', POSTGRES.replace('db-replica, url_env', 'db-ghost, url_env'), { DB_REPLICA_URL: REPLICA_URL }, /nodes\[1\]\.name: node "db-ghost" is not a configured component/],
    ['a node without a probe', POSTGRES.replace('db-replica, url_env', 'db-unprobed, url_env'), { DB_REPLICA_URL: REPLICA_URL }, /component "db-unprobed" has no probe/],
    ['one node only', POSTGRES.replace(/\n {10}- \{name: db-replica.*\n/, '\n'), {}, /nodes: a cluster needs a primary and at least one replica/],
    ['two url sources', POSTGRES.replace('url_file: primary.url', 'url_file: primary.url, url_env: X'), { DB_REPLICA_URL: REPLICA_URL }, /nodes\[0\]\.url_env: driver postgres needs exactly one of url, url_file, url_env/],
    ['api_url on a postgres node', POSTGRES.replace('url_file: primary.url', 'url_file: primary.url, api_url: "http://x:8008"'), {}, /nodes\[0\]\.api_url: api_url is for driver patroni/],
    ['an unsafe check table', POSTGRES + '        check_table: "x; DROP TABLE trades"\n', {}, /check_table: must be a lower-case SQL identifier/],
    ['a cluster named like a component', POSTGRES.replace('name: exchange-db', 'name: db-primary'), { DB_REPLICA_URL: REPLICA_URL }, /databases\[0\]\.name: cluster "db-primary" has the name of a component/],
    ['an unknown key', POSTGRES + '        failback: auto\n', {}, /unknown key "failback"/],
  ])('%s is a config error naming file, line and field', (_what, body, env, message) => {
    const err = configError(cluster(body), env);
    expect(err.message).toMatch(message);
    expect(err.file).toBe(file);
    expect(err.line).toBeGreaterThan(0);
  });

  it('a config error never shows a connection string', () => {
    writeFileSync(join(dir, 'bad.url'), 'mysql://root:hunter2@db/x\n');
    const err = configError(cluster(POSTGRES.replace('primary.url', 'bad.url')), { DB_REPLICA_URL: REPLICA_URL });
    expect(err.message).toMatch(/the connection string must be a postgresql:\/\/ URL/);
    expect(err.message).not.toContain('hunter2');
  });

  it('a postgres:// probe takes no password', () => {
    const err = configError('components:\n  - {name: db, probe: {url: "postgres://warden:pw@10.0.0.5/exchange"}}\n');
    expect(err.message).toMatch(/components\[0\]\.probe\.url: a postgres:\/\/ probe takes no password/);
  });
});
