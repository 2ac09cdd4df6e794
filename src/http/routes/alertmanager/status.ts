import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Authenticator } from '../../auth';
import { alertmanagerErrors } from './alertmanager-errors';

export interface AlertmanagerStatusRouteDeps {
  auth: Authenticator;
  /** Warden's routing tree as Alertmanager YAML (alertmanagerConfigYaml). */
  configYaml: string;
  receivers: readonly string[];
  version: string;
  startedAtMs: number;
  log: Logger;
}

/**
 * GET /api/v2/status and /api/v2/receivers. Grafana's Alertmanager data source checks
 * /api/v2/status for 200 and /alertmanager/api/v2/status for "not 200" (else it takes Warden for
 * Mimir): only the first exists.
 */
export function alertmanagerStatusRoutes(d: AlertmanagerStatusRouteDeps): Router {
  const router = express.Router();
  const status = {
    // One Warden is not a gossip cluster: replicas share state through Redis instead.
    cluster: { name: 'warden', status: 'disabled', peers: [] as Array<{ name: string; address: string }> },
    versionInfo: { version: d.version, revision: 'warden', branch: 'warden', buildUser: 'warden', buildDate: '', goVersion: `node ${process.versions.node}` },
    config: { original: d.configYaml },
    uptime: new Date(d.startedAtMs).toISOString(),
  };
  router.get('/api/v2/status', d.auth.require('read'), (_req, res) => {
    res.json(status);
  });
  router.get('/api/v2/receivers', d.auth.require('read'), (_req, res) => {
    res.json(d.receivers.map((name) => ({ name })));
  });
  router.use(['/api/v2/status', '/api/v2/receivers'], alertmanagerErrors(d.log));
  return router;
}
