/** Where the three local providers listen, and the CA files Warden must trust for them. */
export interface LocalProviders {
  readonly pagerdutyUrl: string;
  readonly pagerdutyCaFile: string;
  readonly slackApiUrl: string;
  readonly smtpHost: string;
  readonly smtpCaFile: string;
}

/**
 * warden.yaml's `notify:` section with the spec §11.3 matrix written out as a route (P0 PagerDuty,
 * P1 Slack + email, P2 email, P3 none) and no group_wait, pointed at local providers.
 */
export function specMatrixNotifyYaml(p: LocalProviders): string {
  const email = `{to: oncall@example.com, from: warden@example.com, smarthost: "${p.smtpHost}", tls_ca_file: "${p.smtpCaFile}"}`;
  return `notify:
  receivers:
    - name: oncall-pager
      pagerduty_configs: [{routing_key: "${'k'.repeat(32)}", url: "${p.pagerdutyUrl}", tls_ca_file: "${p.pagerdutyCaFile}"}]
    - name: oncall-chat
      slack_configs: [{token: xoxb-test-token, channel: "#alerts", api_url: "${p.slackApiUrl}"}]
      email_configs: [${email}]
    - name: oncall-mail
      email_configs: [${email}]
    - name: dashboard-only
  route:
    receiver: dashboard-only
    group_by: [alertname, component]
    group_wait: 0s
    routes:
      - {matchers: ['severity="P0"'], receiver: oncall-pager}
      - {matchers: ['severity="P1"'], receiver: oncall-chat}
      - {matchers: ['severity="P2"'], receiver: oncall-mail}
`;
}
