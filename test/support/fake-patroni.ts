import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Patroni cluster as its REST API shows it (patroni/api.py, utils.cluster_as_json): one HTTP
 * server per member, a shared view of who holds the leader lock. Tests set members' state, make a
 * member's API refuse connections (`down`), and choose what POST /failover answers.
 */
export interface FakeMember {
  name: string;
  role: 'leader' | 'replica';
  state: 'running' | 'streaming' | 'stopped' | 'crashed';
  timeline: number;
  /** The member's REST API refuses connections (its host is gone). */
  down: boolean;
}

export interface FakePatroni {
  readonly members: Map<string, FakeMember>;
  apiUrl(name: string): string;
  /** Every request any member received: "<member> <METHOD> <path> <body>". */
  readonly requests: Array<{ member: string; method: string; path: string; body: string; authorization?: string }>;
  /** Overrides POST /failover's answer; default: Patroni's behaviour (promote the candidate). */
  failoverReply?: (candidate: string) => { status: number; text: string } | undefined;
  /** POST requests must carry this basic auth ("user:password"), as restapi.authentication does. */
  auth?: string;
  close(): Promise<void>;
}

export async function startFakePatroni(names: string[]): Promise<FakePatroni> {
  const members = new Map<string, FakeMember>(names.map((n, i) => [n, { name: n, role: i === 0 ? 'leader' : 'replica', state: i === 0 ? 'running' : 'streaming', timeline: 1, down: false }]));
  const servers = new Map<string, Server>();
  const urls = new Map<string, string>();
  const fake: FakePatroni = {
    members,
    apiUrl: (n) => urls.get(n) as string,
    requests: [],
    async close() {
      await Promise.all([...servers.values()].map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
    },
  };
  const cluster = () => ({
    scope: 'fake',
    members: [...members.values()].map((m) => ({ name: m.name, role: m.role === 'leader' ? 'leader' : 'replica', state: m.state, api_url: urls.get(m.name), host: '10.0.0.' + (names.indexOf(m.name) + 5), port: 5432, timeline: m.timeline })),
  });
  const status = (m: FakeMember) => ({ state: m.state === 'streaming' ? 'running' : m.state, role: m.role === 'leader' ? 'primary' : 'replica', timeline: m.timeline, xlog: m.role === 'leader' ? { location: 1000 } : { received_location: 1000, replayed_location: 1000 }, patroni: { version: '4.0.4', scope: 'fake', name: m.name } });
  const handle = (m: FakeMember, req: IncomingMessage, res: ServerResponse, body: string) => {
    fake.requests.push({ member: m.name, method: req.method ?? '', path: req.url ?? '', body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (m.down) return void req.socket.destroy();
    const json = (code: number, v: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    const text = (code: number, t: string) => res.writeHead(code, { 'content-type': 'text/html' }).end(t);
    if (req.method === 'GET' && req.url === '/patroni') return json(200, status(m));
    if (req.method === 'GET' && req.url === '/cluster') return json(200, cluster());
    if (req.method === 'GET' && req.url === '/primary') return json(m.role === 'leader' && m.state === 'running' ? 200 : 503, status(m));
    if (req.method === 'POST' && req.url === '/failover') {
      if (fake.auth && req.headers.authorization !== `Basic ${Buffer.from(fake.auth).toString('base64')}`) return text(401, 'no auth header received');
      const { candidate, leader } = JSON.parse(body || '{}') as { candidate?: string; leader?: string };
      if (!candidate) return text(400, 'Failover could be performed only to a specific candidate');
      const override = fake.failoverReply?.(candidate);
      if (override) return text(override.status, override.text);
      const target = members.get(candidate);
      if (!target) return text(412, 'candidate does not exists');
      if (leader) return text(412, 'leader name does not match');
      for (const x of members.values()) if (x.role === 'leader') x.role = 'replica';
      target.role = 'leader';
      target.state = 'running';
      target.timeline += 1;
      return text(200, `Successfully failed over to "${candidate}"`);
    }
    text(404, 'not found');
  };
  for (const m of members.values()) {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => handle(m, req, res, body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.set(m.name, server);
    urls.set(m.name, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  return fake;
}
