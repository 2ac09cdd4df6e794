/**
 * The rules file most remediation tests need: `ComponentDown` (component_up == 0) and a
 * `restart-down-service` remediation that restarts the alert's component through the http driver
 * at `url` (a template with `{{target}}`). `alertLabels`, `verify` (a YAML flow mapping),
 * `cooldown`, `onFailure` and `moreRules` (extra rule lines) are added when given.
 */
export function restartDownRules(o: { url: string; alertLabels?: string; verify?: string; cooldown?: string; onFailure?: string; moreRules?: string[] }): string {
  const lines = [
    'groups:',
    '  - name: down',
    '    rules:',
    `      - {alert: ComponentDown, expr: component_up == 0, labels: {${o.alertLabels ?? 'severity: P2'}}}`,
    ...(o.moreRules ?? []).map((r) => `      - ${r}`),
    'remediations:',
    '  - name: restart-down-service',
    '    on: {alert: ComponentDown}',
    '    action: restart',
    '    target: "{{ $labels.component }}"',
    `    params: {driver: http, url: "${o.url}"}`,
  ];
  if (o.cooldown) lines.push(`    cooldown: ${o.cooldown}`);
  if (o.verify) lines.push(`    verify: ${o.verify}`);
  if (o.onFailure) lines.push(`    on_failure: ${o.onFailure}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The config lines those tests end with: the rules file, a fast evaluation tick, no settle time and
 * the http restart driver pointed at `restartBaseUrl`.
 */
export function restartRemediationConfig(restartBaseUrl: string, rulesFile = 'down.rules.yaml'): string {
  return `rules: [${rulesFile}]
evaluation_interval: 200ms
remediation:
  settle: 0s
  executors:
    restart: {http_base_url: "${restartBaseUrl}"}
`;
}
